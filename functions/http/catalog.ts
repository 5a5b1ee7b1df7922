/** Staff: the product catalog — page through it, read, add or replace, remove one product. */
import { deleteProduct, getProduct, listProducts, putProduct, type CatalogDeps } from '#lib/app/catalog.ts';
import { db } from '#lib/storage/client.ts';
import { auditRepository } from '#lib/storage/audit.ts';
import { catalogRepository } from '#lib/storage/catalog.ts';
import { httpFunction, ok } from '#lib/http/function.ts';
import { jsonBody, pathParam, validate } from '#lib/http/request.ts';
import { catalogQuery, productBody, skuParam } from '#lib/http/schemas/catalog.ts';

// Only the repositories the catalog routes use: deps() would bundle (and build at a cold start)
// every repository and, through them, the program's schemas, which no catalog route reads.
let shared: CatalogDeps | undefined;
const deps = (): CatalogDeps => (shared ??= { db: db(), catalog: catalogRepository(db()), audit: auditRepository(db()), clock: () => new Date() });

export const handler = httpFunction('catalog', {
  'GET /v1/catalog': async (event, p) => ok(await listProducts(deps(), p, validate(catalogQuery, event.queryStringParameters ?? {}))),
  'GET /v1/catalog/{sku}': async (event, p) => ok(await getProduct(deps(), p, pathParam(event, 'sku', skuParam))),
  'PUT /v1/catalog/{sku}': async (event, p) => ok((await putProduct(deps(), p, pathParam(event, 'sku', skuParam), validate(productBody, jsonBody(event)))).product),
  'DELETE /v1/catalog/{sku}': async (event, p) => ok(await deleteProduct(deps(), p, pathParam(event, 'sku', skuParam))),
});
