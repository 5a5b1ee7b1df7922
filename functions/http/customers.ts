/** Customers: enrol (tills and staff), and staff reads, ledger, adjustments and tiers. */
import { adjust, createAppKey, enrol, getCustomer, ledgerPage, lookupCustomers, recordReview, searchCustomersByName, setDevices, setSegments, setStaffTier, type CustomerDeps } from '#lib/app/customers.ts';
import { db } from '#lib/storage/client.ts';
import { sharedApiKeyRepository } from '#lib/storage/api-keys.ts';
import { auditRepository } from '#lib/storage/audit.ts';
import { budgetRepository } from '#lib/storage/budgets.ts';
import { customEventRepository } from '#lib/storage/custom-events.ts';
import { customerRepository } from '#lib/storage/customers.ts';
import { sharedProgramRepository } from '#lib/storage/programs.ts';
import { sharedSegmentRepository } from '#lib/storage/segments.ts';
import { storeRepository } from '#lib/storage/stores.ts';
import { answered, httpFunction, ok } from '#lib/http/function.ts';
import { jsonBody, pathParam, validate } from '#lib/http/request.ts';
import { eraseCustomer, exportCustomer } from '#lib/app/privacy.ts';
import { customerBudgets } from '#lib/app/budgets.ts';
import { postCustomEvent } from '#lib/app/custom-events.ts';
import { devicesBody, ledgerQuery } from '#lib/http/schemas.ts';

/**
 * This group's request schemas (with the member rules) are built by the first request that
 * validates one, not at import: most of its requests are reads (README, "Cold start").
 */
const schemas = () => import('#lib/http/schemas/customers.ts');

// Only the repositories the customer routes use: deps() would bundle, and build at a cold start, every repository.
let shared: CustomerDeps | undefined;
const deps = (): CustomerDeps =>
  (shared ??= {
    db: db(),
    customers: customerRepository(db()),
    programs: sharedProgramRepository(db()),
    audit: auditRepository(db()),
    apiKeys: sharedApiKeyRepository(db()),
    budgets: budgetRepository(db()),
    customEvents: customEventRepository(db()),
    stores: storeRepository(db()),
    segments: sharedSegmentRepository(db()),
    clock: () => new Date(),
  });

export const handler = httpFunction('customers', {
  'POST /v1/customers': async (event, p) => answered(await enrol(deps(), p, validate((await schemas()).enrolBody, jsonBody(event))), 201),
  'GET /v1/customers': async (event, p) => ok(await lookupCustomers(deps(), p, validate((await schemas()).customerLookupQuery, event.queryStringParameters ?? {}))),
  'GET /v1/customers/search': async (event, p) => ok(await searchCustomersByName(deps(), p, validate((await schemas()).customerSearchQuery, event.queryStringParameters ?? {}))),
  'GET /v1/customers/{customerId}': async (event, p) => ok(await getCustomer(deps(), p, pathParam(event, 'customerId'))),
  'GET /v1/customers/{customerId}/ledger': async (event, p) =>
    ok(await ledgerPage(deps(), p, pathParam(event, 'customerId'), validate(ledgerQuery, event.queryStringParameters ?? {}))),
  'POST /v1/customers/{customerId}/adjustments': async (event, p) =>
    answered(await adjust(deps(), p, pathParam(event, 'customerId'), validate((await schemas()).adjustmentBody, jsonBody(event)))),
  'PUT /v1/customers/{customerId}/tier': async (event, p) =>
    ok(await setStaffTier(deps(), p, pathParam(event, 'customerId'), validate((await schemas()).tierBody, jsonBody(event)))),
  'POST /v1/customers/{customerId}/app-key': async (event, p) =>
    ok(await createAppKey(deps(), p, pathParam(event, 'customerId'), event.body ? validate((await schemas()).appKeyBody, jsonBody(event)).rateLimit : undefined), 201),
  'GET /v1/customers/{customerId}/export': async (event, p) =>
    ok(await exportCustomer(deps(), p, pathParam(event, 'customerId'), validate((await schemas()).exportQuery, event.queryStringParameters ?? {}).cursor)),
  'POST /v1/customers/{customerId}/erase': async (event, p) =>
    ok(await eraseCustomer(deps(), p, pathParam(event, 'customerId'), validate((await schemas()).eraseBody, jsonBody(event)).reason)),
  'PUT /v1/customers/{customerId}/devices': async (event, p) =>
    ok(await setDevices(deps(), p, pathParam(event, 'customerId'), validate(devicesBody, jsonBody(event)).devices)),
  'PUT /v1/customers/{customerId}/segments': async (event, p) =>
    ok(await setSegments(deps(), p, pathParam(event, 'customerId'), validate((await schemas()).segmentsBody, jsonBody(event)).segments)),
  'POST /v1/customers/{customerId}/reviews': async (event, p) =>
    answered(await recordReview(deps(), p, pathParam(event, 'customerId'), validate((await schemas()).reviewBody, jsonBody(event)))),
  'POST /v1/customers/{customerId}/events': async (event, p) =>
    answered(await postCustomEvent(deps(), p, pathParam(event, 'customerId'), validate((await schemas()).customEventBody, jsonBody(event)))),
  'GET /v1/customers/{customerId}/budgets': async (event, p) => ok(await customerBudgets(deps(), p, pathParam(event, 'customerId'))),
});
