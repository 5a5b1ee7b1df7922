/** Staff: the product catalog — page through it, read, add or replace, remove one product. */
import { deps } from '#lib/app/deps.ts';
import { deleteProduct, getProduct, listProducts, putProduct } from '#lib/app/catalog.ts';
import { httpFunction, ok } from '#lib/http/function.ts';
import { jsonBody, pathParam, validate } from '#lib/http/request.ts';
import { catalogQuery, productBody, skuParam } from '#lib/http/schemas/catalog.ts';

export const handler = httpFunction('catalog', {
  'GET /v1/catalog': async (event, p) => ok(await listProducts(deps(), p, validate(catalogQuery, event.queryStringParameters ?? {}))),
  'GET /v1/catalog/{sku}': async (event, p) => ok(await getProduct(deps(), p, pathParam(event, 'sku', skuParam))),
  'PUT /v1/catalog/{sku}': async (event, p) => ok((await putProduct(deps(), p, pathParam(event, 'sku', skuParam), validate(productBody, jsonBody(event)))).product),
  'DELETE /v1/catalog/{sku}': async (event, p) => ok(await deleteProduct(deps(), p, pathParam(event, 'sku', skuParam))),
});
