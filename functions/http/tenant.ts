/** Admin: the chain's stores (register, list, change, deactivate), its settings, and what is live. */
import { deps } from '#lib/app/deps.ts';
import { createStore, getStore, listStores, updateStore } from '#lib/app/stores.ts';
import { getTenant, health, updateTenant } from '#lib/app/tenants.ts';
import { answered, httpFunction, ok } from '#lib/http/function.ts';
import { jsonBody, pathParam, validate } from '#lib/http/request.ts';
import { createStoreBody, storesQuery, updateStoreBody, updateTenantBody } from '#lib/http/schemas/tenant.ts';

export const handler = httpFunction('tenant', {
  'POST /v1/stores': async (event, p) => answered(await createStore(deps(), p, validate(createStoreBody, jsonBody(event))), 201),
  'GET /v1/stores': async (event, p) => ok(await listStores(deps(), p, validate(storesQuery, event.queryStringParameters ?? {}))),
  'GET /v1/stores/{storeId}': async (event, p) => ok(await getStore(deps(), p, pathParam(event, 'storeId'))),
  'PATCH /v1/stores/{storeId}': async (event, p) => ok(await updateStore(deps(), p, pathParam(event, 'storeId'), validate(updateStoreBody, jsonBody(event)))),
  'GET /v1/tenant': async (_event, p) => ok(await getTenant(deps(), p)),
  'PATCH /v1/tenant': async (event, p) => ok(await updateTenant(deps(), p, validate(updateTenantBody, jsonBody(event)))),
  'GET /v1/health': async (_event, p) => ok(await health(deps(), p)),
});
