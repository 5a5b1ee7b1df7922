/**
 * The product catalog through the real handlers on DynamoDB Local: a file (CSV and JSON Lines)
 * through the import path, idempotent; single products through the staff API; tills that send
 * only SKU, quantity and amount, with the catalog filling category and attributes (the line's
 * own win) the same way in quote and commit; and the lookup's cost: one BatchGetItem of the
 * receipt's distinct SKUs at most, none once this instance has them cached.
 */
import { Readable } from 'node:stream';
import { BatchGetCommand, BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { deps } from '#lib/app/deps.ts';
import { catalogLookupOf } from '#lib/app/catalog-fill.ts';
import { runImport } from '#lib/app/imports.ts';
import { newImportId } from '#lib/app/import-requests.ts';
import type { ImportFormat } from '#domain/import-kinds.ts';
import { newTenant, receiptId, scenarioProgram, type TestTenant } from './harness.ts';

/** Earns double on brand "acme" by attribute, nothing on "rx" by category. */
const program = {
  ...scenarioProgram,
  earning: { base: { points: 1, per: 100 }, rules: [{ id: 'acme', name: 'Acme ×2', type: 'multiplier', multiplier: 2, products: { attributes: { brand: ['acme'] } } }] },
};

async function importText(t: TestTenant, text: string, format: ImportFormat) {
  const importId = newImportId(new Date());
  const outcome = await runImport(deps(), {
    kind: 'products',
    tenantId: t.tenantId,
    importId,
    format,
    source: `catalog.${format}`,
    bytesTotal: Buffer.byteLength(text),
    open: () => Readable.from([text]),
    writeReport: async (lines) => {
      let out = '';
      for await (const l of lines) out += l;
      return out;
    },
    actor: 'test',
    chunkSize: 3,
    concurrency: 4,
  });
  return outcome.progress;
}

const catalogItems = async (t: TestTenant) =>
  (await t.items())
    .filter((i) => String(i.pk).endsWith('#CATALOG'))
    .map((i) => JSON.stringify(i))
    .sort();

const sale = (card: string, lines: Array<Record<string, unknown>>) => ({
  receiptId: receiptId(),
  occurredAt: '2026-11-20T12:00:00+04:00',
  currency: 'AMD',
  customer: { card },
  lines: lines.map((l, i) => ({ lineId: String(i + 1), quantity: 1, ...l })),
});

describe('Product catalog', () => {
  let t: TestTenant;
  /** A new customer for each receipt test, so no earlier purchase moves them to a discount level. */
  const newCard = async () => (await t.pos('POST', '/v1/customers', {})).body.card as string;

  beforeAll(async () => {
    t = await newTenant(program);
  });

  it('should import a CSV catalog, refuse bad rows with their field and rule, and change nothing when the same file comes again', async () => {
    const csv = [
      'sku,name,category,price,attributes',
      'A-1,Acme shampoo,care,1500,brand=acme;size=xl',
      'Z-1,Zenith soap,care,,brand=zenith',
      'RX-1,Aspirin,rx,900,',
      ',No SKU,care,,',
      'B-1,Bad price,care,12.5,',
      'C-1,Bad attrs,care,,brand',
      '"Q/1 ""x""",Quoted SKU,care,,',
    ].join('\n');
    const first = await importText(t, csv, 'csv');
    expect(first).toMatchObject({ kind: 'products', status: 'done', rowsTotal: 7, imported: 4, alreadyImported: 0, refused: 3 });
    expect(first.report).toBe(
      'row,field,rule\n5,sku,is required\n6,price,must be a whole number of minor units\n7,attributes,must be name=value pairs separated by ; (brand=acme;rx=true)\n',
    );
    const stored = await catalogItems(t);
    const again = await importText(t, csv, 'csv');
    expect(again).toMatchObject({ imported: 0, alreadyImported: 4, refused: 3 });
    expect(await catalogItems(t)).toEqual(stored);

    const a1 = await t.staff('GET', '/v1/catalog/A-1');
    expect(a1.status).toBe(200);
    expect(a1.body).toMatchObject({ sku: 'A-1', name: 'Acme shampoo', category: 'care', attributes: { brand: 'acme', size: 'xl' }, price: 1500 });
    // A SKU with any one-line text, percent-encoded in the path.
    expect((await t.staff('GET', `/v1/catalog/${encodeURIComponent('Q/1 "x"')}`)).body.name).toBe('Quoted SKU');
  });

  it('should import JSON Lines the same way: a changed row updates its product, an unchanged one is already there', async () => {
    const jsonl = [
      JSON.stringify({ sku: 'A-1', name: 'Acme shampoo', category: 'care', price: 1500, attributes: { brand: 'acme', size: 'xl' } }),
      JSON.stringify({ sku: 'Z-1', name: 'Zenith soap 2', category: 'care', attributes: { brand: 'zenith' } }),
      JSON.stringify({ sku: 'N-1', name: 'New', category: 'food', colour: 'red' }),
    ].join('\n');
    const p = await importText(t, jsonl, 'jsonl');
    expect(p).toMatchObject({ rowsTotal: 3, imported: 1, alreadyImported: 1, refused: 1 });
    expect(p.report).toBe('row,field,rule\n3,row,colour: is not a known column\n');
    expect((await t.staff('GET', '/v1/catalog/Z-1')).body.name).toBe('Zenith soap 2');
  });

  it('should let a till send only SKU, quantity and amount, fill category and attributes, and let the line’s own win — quote = commit', async () => {
    const body = sale(await newCard(), [
      { sku: 'A-1', amount: 10_000 }, // acme (catalog): ×2 → 200
      { sku: 'Z-1', amount: 10_000 }, // zenith: 100
      { sku: 'RX-1', amount: 10_000 }, // rx (catalog) is excluded → 0
      { sku: 'RX-1', amount: 10_000, category: 'care' }, // the line's own category wins → 100
      { sku: 'Z-1', amount: 10_000, attributes: { brand: 'acme' } }, // the line's own brand wins → 200
      { sku: 'LOOSE', category: 'food', amount: 10_000, unitPrice: 10_000 }, // not in the catalog, says its own → 100
    ]);
    const q = await t.pos('POST', '/v1/receipts/quote', body);
    expect(q.status).toBe(200);
    expect(q.body.lines.map((l: { pointsEarned: number }) => l.pointsEarned)).toEqual([200, 100, 0, 100, 200, 100]);
    const c = await t.pos('POST', '/v1/receipts', body);
    expect(c.status).toBe(200);
    const { storeId: _s, committedAt: _c, ...committed } = c.body;
    expect(committed).toEqual(q.body);
  });

  it('should refuse a line whose SKU is not in the catalog and that says no category, naming the line', async () => {
    const card = await newCard();
    const before = await t.items();
    const r = await t.pos('POST', '/v1/receipts', sale(card, [{ sku: 'A-1', amount: 100 }, { sku: 'NOPE', amount: 100 }]));
    expect(r.status).toBe(422);
    expect(r.body.error).toMatchObject({ code: 'unknown_sku', field: 'lines.1.category' });
    expect(r.body.error.message).toContain('"NOPE" is not in the catalog');
    expect(await t.items()).toEqual(before);
  });

  it('should read a receipt’s distinct SKUs in one BatchGetItem at most, and not at all once cached', async () => {
    const d = deps();
    catalogLookupOf(d.db).clearCache();
    const send = vi.spyOn(d.db.doc, 'send');
    const batchGets = () => send.mock.calls.filter(([cmd]) => cmd instanceof BatchGetCommand).map(([cmd]) => (cmd as BatchGetCommand).input.RequestItems![d.db.table]!.Keys!.length);
    try {
      const body = sale(await newCard(), [{ sku: 'A-1', amount: 100 }, { sku: 'A-1', amount: 100 }, { sku: 'Z-1', amount: 100 }, { sku: 'LOOSE', category: 'food', amount: 100 }]);
      expect((await t.pos('POST', '/v1/receipts/quote', body)).status).toBe(200);
      // Three distinct SKUs and the marker, in one request.
      expect(batchGets()).toEqual([4]);
      expect((await t.pos('POST', '/v1/receipts', body)).status).toBe(200);
      expect(batchGets()).toEqual([4]);
    } finally {
      send.mockRestore();
    }
  });

  it('should read 250 distinct SKUs in chunks of 100 keys, sent together', async () => {
    const d = deps();
    // Put straight in (the import path has its own tests): 25 items a request.
    const items = Array.from({ length: 250 }, (_, i) => d.catalog.putItem(t.tenantId, { sku: `M-${i}`, name: `Many ${i}`, category: 'care', attributes: { brand: i % 2 ? 'acme' : 'other' }, hash: 'h', updatedAt: new Date().toISOString(), source: { actor: 'test' } }).Put!.Item);
    for (let i = 0; i < items.length; i += 25) await d.db.doc.send(new BatchWriteCommand({ RequestItems: { [d.db.table]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
    catalogLookupOf(d.db).clearCache();
    const send = vi.spyOn(d.db.doc, 'send');
    try {
      const body = sale(await newCard(), Array.from({ length: 250 }, (_, i) => ({ sku: `M-${i}`, amount: 100 })));
      const q = await t.pos('POST', '/v1/receipts/quote', body);
      expect(q.status).toBe(200);
      expect(q.body.totals.pointsEarned).toBe(250 + 125);
      const sizes = send.mock.calls.filter(([cmd]) => cmd instanceof BatchGetCommand).map(([cmd]) => (cmd as BatchGetCommand).input.RequestItems![d.db.table]!.Keys!.length);
      expect(sizes).toEqual([100, 100, 51]);
    } finally {
      send.mockRestore();
    }
  });

  it('should add, replace, page through and delete single products through the staff API, audited', async () => {
    const put = await t.staff('PUT', '/v1/catalog/S-1', { name: 'Single', category: 'care', attributes: { brand: 'acme' }, price: 700 });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ sku: 'S-1', name: 'Single', price: 700 });
    const same = await t.staff('PUT', '/v1/catalog/S-1', { name: 'Single', category: 'care', attributes: { brand: 'acme' }, price: 700 });
    expect(same.body.updatedAt).toBe(put.body.updatedAt);
    expect((await t.staff('PUT', '/v1/catalog/S-1', { name: 'Single v2', category: 'food' })).body).toMatchObject({ name: 'Single v2', category: 'food', attributes: {} });
    // The till sees the change once its lookup cache lets go (30 s; cleared here).
    catalogLookupOf(deps().db).clearCache();
    const q = await t.pos('POST', '/v1/receipts/quote', sale(await newCard(), [{ sku: 'S-1', amount: 10_000 }]));
    expect(q.body.lines[0].pointsEarned).toBe(100);

    const bad = await t.staff('PUT', '/v1/catalog/S-2', { name: 'x', category: 'care', attributes: { 'bad name!': 'v' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toMatch(/^attributes/);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await t.staff('GET', `/v1/catalog?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      seen.push(...page.body.products.map((p: { sku: string }) => p.sku));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(new Set(seen).size);
    expect(seen).toContain('S-1');
    // Four from the CSV file, 250 more, and this one.
    expect(seen).toHaveLength(4 + 250 + 1);

    expect((await t.staff('DELETE', '/v1/catalog/S-1')).body).toEqual({ sku: 'S-1', deleted: true });
    expect((await t.staff('GET', '/v1/catalog/S-1')).status).toBe(404);
    expect((await t.staff('DELETE', '/v1/catalog/S-1')).status).toBe(404);
    const audit = await t.staff('GET', '/v1/audit');
    const actions = audit.body.records.filter((r: { target: string }) => r.target === 'product:S-1').map((r: { action: string }) => r.action);
    expect(actions).toEqual(['product.delete', 'product.update', 'product.create']);
  });

  it('should cost a tenant without a catalog no SKU reads: one marker read, then nothing while cached', async () => {
    const bare = await newTenant();
    const c = (await bare.pos('POST', '/v1/customers', {})).body.card;
    const d = deps();
    const send = vi.spyOn(d.db.doc, 'send');
    try {
      for (let i = 0; i < 3; i++) expect((await bare.pos('POST', '/v1/receipts/quote', sale(c, [{ sku: `X-${i}`, category: 'general', amount: 100 }]))).status).toBe(200);
      const sizes = send.mock.calls.filter(([cmd]) => cmd instanceof BatchGetCommand).map(([cmd]) => (cmd as BatchGetCommand).input.RequestItems![d.db.table]!.Keys!.length);
      expect(sizes).toEqual([2]);
    } finally {
      send.mockRestore();
    }
  });
});
