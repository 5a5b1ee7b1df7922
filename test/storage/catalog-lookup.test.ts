/**
 * The till's catalog lookup against a scripted table client: DynamoDB Local never leaves keys
 * unprocessed (AWS does, under throttling), so this is the one place a fake peer stands in. The
 * same lookup runs against DynamoDB Local in test/integration/catalog.test.ts.
 */
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { Db } from '#lib/storage/client.ts';
import { catalogLookup } from '#lib/storage/catalog-lookup.ts';
import { keys } from '#lib/storage/keys.ts';

type Key = { pk: string; sk: string };
const product = (tenantId: string, sku: string) => ({ ...keys.product(tenantId, sku), type: 'product', sku, name: sku, category: 'c', attributes: {}, hash: 'h', updatedAt: '2026-01-01T00:00:00Z', source: { actor: 'x' } });

/** A table holding `skus` (and the marker), answering each request with at most `perCall` items and leaving the rest unprocessed. */
function scripted(tenantId: string, skus: string[], perCall: number) {
  const table = new Map<string, Record<string, unknown>>(skus.map((s) => [keys.product(tenantId, s).sk, product(tenantId, s)]));
  table.set(keys.catalogMarker(tenantId).sk, { ...keys.catalogMarker(tenantId), type: 'catalog' });
  const requests: number[] = [];
  const db = {
    table: 't',
    doc: {
      send: async (cmd: unknown) => {
        if (!(cmd instanceof BatchGetCommand)) throw new Error('unexpected command');
        const ks = cmd.input.RequestItems!.t!.Keys as Key[];
        requests.push(ks.length);
        const done = ks.slice(0, perCall);
        const rest = ks.slice(perCall);
        return {
          Responses: { t: done.flatMap((k) => (table.has(k.sk) ? [table.get(k.sk)!] : [])) },
          UnprocessedKeys: rest.length ? { t: { Keys: rest } } : {},
        };
      },
    },
  } as unknown as Db;
  return { db, requests };
}

describe('Catalog lookup', () => {
  it('should retry the keys DynamoDB left unprocessed until every one is read', async () => {
    const skus = Array.from({ length: 150 }, (_, i) => `S${i}`);
    const { db, requests } = scripted('t1', skus.slice(0, 120), 40);
    const found = await catalogLookup(db).lookup('t1', skus);
    expect([...found.keys()].sort()).toEqual(skus.slice(0, 120).sort());
    // 151 keys (with the marker): requests of 100 and 51 sent together, each retried with what was left.
    expect([...requests].sort((a, b) => b - a)).toEqual([100, 60, 51, 20, 11]);
  });

  it('should give up with an error when keys stay unprocessed', async () => {
    const { db } = scripted('t1', ['A'], 0);
    await expect(catalogLookup(db).lookup('t1', ['A'])).rejects.toThrow(/still unprocessed/);
  });

  it('should answer from its cache until the TTL ends, found and not found alike, and keep at most its bound', async () => {
    let now = 0;
    const { db, requests } = scripted('t1', ['A', 'B'], 100);
    const l = catalogLookup(db, { clock: () => now, ttlMs: 1000, maxEntries: 3 });
    expect([...(await l.lookup('t1', ['A', 'X'])).keys()]).toEqual(['A']);
    expect(requests).toEqual([3]);
    expect([...(await l.lookup('t1', ['A', 'X'])).keys()]).toEqual(['A']);
    expect(requests).toEqual([3]);
    // B (1 key) pushes the oldest entry, the marker, out of the 3 kept; after the TTL, A is read again, with the marker.
    await l.lookup('t1', ['B']);
    expect(requests).toEqual([3, 1]);
    now = 1001;
    await l.lookup('t1', ['A']);
    expect(requests).toEqual([3, 1, 2]);
  });
});
