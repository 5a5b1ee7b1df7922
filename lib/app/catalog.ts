/**
 * The product catalog: staff read, upsert, delete and page through products (each change audited
 * in its own transaction); files come in through the import path (lib/app/imports.ts, kind
 * `products`); quote and commit fill their lines from it (./catalog-fill.ts). A change reaches
 * the tills when their lookup cache lets go of it (30 s). Secondary adapter: lib/storage/catalog.ts.
 */
import { productBodySchema, productSchema, type Product } from '#domain/catalog.ts';
import type * as z from 'zod/v4/core';
import type { Principal } from '../storage/api-keys.ts';
import type { ProductRecord } from '../storage/catalog.ts';
import { CATALOG_PRODUCT_PREFIX } from '../storage/keys.ts';
import { transactWrite } from '../storage/transact.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import type { Deps } from './deps.ts';

/** What the catalog routes' use cases reach: functions/http/catalog.ts builds just these. */
export type CatalogDeps = Pick<Deps, 'db' | 'catalog' | 'audit' | 'clock'>;
import { ConflictError, NotFoundError } from './errors.ts';
import { requestHash } from './idempotency.ts';
import { parseInput } from './parse.ts';

export const productView = (p: ProductRecord) => ({
  sku: p.sku,
  name: p.name,
  category: p.category,
  attributes: p.attributes,
  ...(p.price !== undefined ? { price: p.price } : {}),
  updatedAt: p.updatedAt,
});

/** What a product's content hash covers: the product as the API and files give it, in normal form. */
export const productHash = (p: Product) => requestHash({ sku: p.sku, name: p.name, category: p.category, attributes: p.attributes, price: p.price ?? null });

export async function getProduct(deps: CatalogDeps, p: Principal, sku: string) {
  const found = await deps.catalog.get(p.tenantId, sku);
  if (!found) throw new NotFoundError('product', 'sku');
  return productView(found);
}

/**
 * PUT /v1/catalog/{sku}: the product as given replaces what the catalog had (or is added). The
 * same body again writes nothing and answers the same. The first product also writes the marker
 * that makes tills look SKUs up.
 */
export async function putProduct(deps: CatalogDeps, p: Principal, sku: string, body: z.input<typeof productBodySchema>) {
  const product = parseInput(productSchema, { ...body, sku }, '');
  const hash = productHash(product);
  const before = await deps.catalog.get(p.tenantId, sku);
  if (before?.hash === hash) return { product: productView(before), created: false };
  const at = deps.clock().toISOString();
  const record: ProductRecord = { ...product, hash, updatedAt: at, source: { actor: p.actor } };
  const marker = (await deps.catalog.hasMarker(p.tenantId)) ? [] : [deps.catalog.markerItem(p.tenantId, at)];
  const audit = deps.audit.item(p, { at, action: before ? 'product.update' : 'product.create', target: `product:${sku}`, ...(before ? { before: productView(before) } : {}), after: productView(record) });
  const r = await transactWrite(deps.db, [deps.catalog.putItem(p.tenantId, record), ...marker, audit]);
  if (!r.ok) throw new ConflictError('product_changed', `sku: "${sku}" was changed by someone else just now; read it again and repeat the change`, 'sku');
  return { product: productView(record), created: !before };
}

export async function deleteProduct(deps: CatalogDeps, p: Principal, sku: string) {
  const before = await deps.catalog.get(p.tenantId, sku);
  if (!before) throw new NotFoundError('product', 'sku');
  const at = deps.clock().toISOString();
  const audit = deps.audit.item(p, { at, action: 'product.delete', target: `product:${sku}`, before: productView(before) });
  const r = await transactWrite(deps.db, [deps.catalog.deleteItem(p.tenantId, sku, before.hash), audit]);
  if (!r.ok) throw new ConflictError('product_changed', `sku: "${sku}" was changed by someone else just now; read it again and repeat the change`, 'sku');
  return { sku, deleted: true };
}

/** One page of the catalog in SKU order; `nextCursor` is null on the last page. */
export async function listProducts(deps: CatalogDeps, p: Principal, q: { limit: number; cursor?: string | undefined }) {
  const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor, (sk) => sk.startsWith(CATALOG_PRODUCT_PREFIX), 'catalog');
  const page = await deps.catalog.list(p.tenantId, q.limit, after);
  return { products: page.products.map(productView), nextCursor: page.nextSk ? encodeCursor(page.nextSk, 'catalog') : null };
}
