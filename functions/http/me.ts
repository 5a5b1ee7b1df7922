/** The customer's own app: their profile and points, their ledger, their push tokens — nobody else's. */
import type { Deps } from '#lib/app/deps.ts';
import { getCustomer, ledgerPage, ownCustomerId, setDevices } from '#lib/app/customers.ts';
import { db } from '#lib/storage/client.ts';
import { auditRepository } from '#lib/storage/audit.ts';
import { couponRepository } from '#lib/storage/coupons.ts';
import { customerRepository } from '#lib/storage/customers.ts';
import { sharedProgramRepository } from '#lib/storage/programs.ts';
import { httpFunction, ok } from '#lib/http/function.ts';
import { jsonBody, validate } from '#lib/http/request.ts';
import { devicesBody, ledgerQuery } from '#lib/http/schemas.ts';
import { meCouponsQuery } from '#lib/http/schemas/me.ts';
import { customerCoupons, customerStamps } from '#lib/app/coupons.ts';

/** What the customer's app routes use: deps() would build every repository at a cold start. */
type MeDeps = Pick<Deps, 'db' | 'customers' | 'programs' | 'coupons' | 'audit' | 'clock'>;
let shared: MeDeps | undefined;
const deps = (): MeDeps =>
  (shared ??= { db: db(), customers: customerRepository(db()), programs: sharedProgramRepository(db()), coupons: couponRepository(db()), audit: auditRepository(db()), clock: () => new Date() });

export const handler = httpFunction('me', {
  'GET /v1/me': async (_event, p) => ok(await getCustomer(deps(), p, ownCustomerId(p))),
  'GET /v1/me/ledger': async (event, p) => ok(await ledgerPage(deps(), p, ownCustomerId(p), validate(ledgerQuery, event.queryStringParameters ?? {}))),
  'GET /v1/me/coupons': async (event, p) => ok(await customerCoupons(deps(), p, ownCustomerId(p), validate(meCouponsQuery, event.queryStringParameters ?? {}))),
  'GET /v1/me/stamps': async (_event, p) => ok(await customerStamps(deps(), p, ownCustomerId(p))),
  'PUT /v1/me/devices': async (event, p) => ok(await setDevices(deps(), p, ownCustomerId(p), validate(devicesBody, jsonBody(event)).devices)),
});
