/**
 * The till's catalog lookup: a receipt's SKUs → their products, at most one BatchGetItem of the
 * distinct SKUs this instance has not cached (requests of 100 keys, sent together; keys DynamoDB
 * leaves unprocessed are retried with backoff), eventually consistent. A product of a few
 * hundred bytes costs half a read unit; one with every field and attribute at its maximum stays
 * within 8 KB, one read unit (test/storage/item-sizes.test.ts). The cache keeps products (and "not in the
 * catalog") for a short TTL: a warm instance reads the SKUs it sells often not at all, and a tenant
 * without a catalog costs one marker read per instance per TTL instead of one read per SKU.
 * A product changed by staff reaches the tills within the TTL.
 * Adapter: lib/app/catalog-fill.ts → this → DynamoDB.
 */
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from './client.ts';
import { toProduct, type ProductRecord } from './catalog.ts';
import { keys } from './keys.ts';

/** Keys DynamoDB takes in one BatchGetItem. */
export const BATCH_GET_KEYS = 100;
/** How long this instance trusts what it read. */
export const CATALOG_CACHE_MS = 30_000;
/** Most SKUs this instance remembers, over all tenants (a few hundred bytes each). */
export const CATALOG_CACHE_ENTRIES = 5_000;
const UNPROCESSED_TRIES = 6;

export function catalogLookup(db: Db, opts: { clock?: () => number; ttlMs?: number; maxEntries?: number } = {}) {
  const clock = opts.clock ?? Date.now;
  const ttlMs = opts.ttlMs ?? CATALOG_CACHE_MS;
  const maxEntries = opts.maxEntries ?? CATALOG_CACHE_ENTRIES;
  /** `${tenant}\n${sku}` → the product or null (not in the catalog); `${tenant}\n` → whether it has a catalog. */
  const cache = new Map<string, { value: ProductRecord | null | boolean; until: number }>();
  const remember = (k: string, value: ProductRecord | null | boolean, until: number) => {
    cache.delete(k);
    // Oldest first out: a Map keeps insertion order, and a refreshed entry moves to the end.
    while (cache.size >= maxEntries) cache.delete(cache.keys().next().value!);
    cache.set(k, { value, until });
  };
  const fresh = (k: string, now: number) => {
    const hit = cache.get(k);
    return hit && hit.until > now ? hit : undefined;
  };

  /** One request of up to 100 keys, retrying the keys DynamoDB left unprocessed (throttling). */
  async function batchGet(ks: Array<{ pk: string; sk: string }>): Promise<Array<Record<string, unknown>>> {
    const out: Array<Record<string, unknown>> = [];
    let pending = ks;
    for (let attempt = 0; pending.length; attempt++) {
      if (attempt === UNPROCESSED_TRIES) throw new Error(`catalog lookup: ${pending.length} keys still unprocessed after ${UNPROCESSED_TRIES} tries`);
      if (attempt > 0) await new Promise((r) => setTimeout(r, 10 * 2 ** attempt * (0.5 + Math.random())));
      const r = await db.doc.send(new BatchGetCommand({ RequestItems: { [db.table]: { Keys: pending } } }));
      out.push(...(r.Responses?.[db.table] ?? []));
      pending = (r.UnprocessedKeys?.[db.table]?.Keys as Array<{ pk: string; sk: string }> | undefined) ?? [];
    }
    return out;
  }

  return {
    /** The products of these SKUs (absent: not in the catalog). */
    async lookup(tenantId: string, skus: readonly string[]): Promise<Map<string, ProductRecord>> {
      const now = clock();
      const found = new Map<string, ProductRecord>();
      const markerKey = `${tenantId}\n`;
      const marker = fresh(markerKey, now);
      if (marker && marker.value === false) return found;
      const missing: string[] = [];
      for (const sku of new Set(skus)) {
        const hit = fresh(`${tenantId}\n${sku}`, now);
        if (!hit) missing.push(sku);
        else if (hit.value) found.set(sku, hit.value as ProductRecord);
      }
      if (missing.length === 0 && marker) return found;
      // The marker rides along when its cached answer is stale: still one round trip.
      const wanted = [...(marker ? [] : [keys.catalogMarker(tenantId)]), ...missing.map((sku) => keys.product(tenantId, sku))];
      const chunks: Array<typeof wanted> = [];
      for (let i = 0; i < wanted.length; i += BATCH_GET_KEYS) chunks.push(wanted.slice(i, i + BATCH_GET_KEYS));
      const items = (await Promise.all(chunks.map(batchGet))).flat();
      const until = now + ttlMs;
      const bySk = new Map(items.map((i) => [i.sk as string, i]));
      if (!marker) {
        const has = bySk.has(keys.catalogMarker(tenantId).sk);
        remember(markerKey, has, until);
        if (!has) return found;
      }
      for (const sku of missing) {
        const item = bySk.get(keys.product(tenantId, sku).sk);
        const product = item ? toProduct(item) : null;
        remember(`${tenantId}\n${sku}`, product, until);
        if (product) found.set(sku, product);
      }
      return found;
    },

    clearCache(): void {
      cache.clear();
    },
  };
}

export type CatalogLookup = ReturnType<typeof catalogLookup>;
