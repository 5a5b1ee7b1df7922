/**
 * Reports end to end: POS and staff calls through the real handlers, the table's stream read from
 * DynamoDB Local into the reports consumer (functions/stream/report-counters.ts), the reports read back
 * through the staff API. Every figure is reconciled with what the ledger and the receipts say,
 * and a redelivered stream — whole, cut differently, or twice at once, in the stream's order — changes nothing.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deps } from '#lib/app/deps.ts';
import { dayOf } from '#domain/insight.ts';
import { foldStoreFigures } from '#lib/app/store-fold.ts';
import { startStreamReader, type StreamReader } from '../../local/stream.ts';
import { handler } from '../../functions/stream/report-counters.ts';
import { newTenant, receipt, type TestTenant } from './harness.ts';

let t: TestTenant;
let reader: StreamReader | undefined;
const delivered: DynamoDBRecord[] = [];
const customers: string[] = [];
const receipts: Array<Record<string, any>> = [];
const FROM = '2026-11-01';
let today: string;

const mine = (e: DynamoDBStreamEvent): DynamoDBStreamEvent => ({ Records: e.Records.filter((x) => JSON.stringify(x.dynamodb?.Keys).includes(`T#${t.tenantId}#`)) });

async function readStream(): Promise<void> {
  reader ??= await startStreamReader({
    client: new DynamoDBClient({ endpoint: process.env.DYNAMODB_ENDPOINT!, region: 'us-east-1' }),
    endpoint: process.env.DYNAMODB_ENDPOINT!,
    table: process.env.TABLE_NAME!,
    handler: async (e) => {
      const own = mine(e);
      if (own.Records.length === 0) return { batchItemFailures: [] };
      const r = await handler(own);
      if (!r.batchItemFailures.length) delivered.push(...own.Records);
      return r;
    },
  });
  await reader.caughtUp();
}

async function ledgerOf(customerId: string): Promise<Array<Record<string, any>>> {
  const rows: Array<Record<string, any>> = [];
  let cursor: string | undefined;
  do {
    const r = await t.staff('GET', `/v1/customers/${customerId}/ledger?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(r.status).toBe(200);
    rows.push(...r.body.entries);
    cursor = r.body.nextCursor ?? undefined;
  } while (cursor);
  return rows;
}

/** The nightly fold (lib/app/store-fold.ts) as it runs the night after today's batches. */
async function foldTonight(): Promise<void> {
  const r = await foldStoreFigures({ insight: deps().insight, clock: () => new Date(Date.now() + 25 * 3_600_000) }, t.tenantId);
  expect(r.stores).toBeGreaterThan(0);
}

const report = async (path: string) => {
  const r = await t.staff('GET', path);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
};

beforeAll(async () => {
  t = await newTenant();
  today = dayOf(new Date(), 'Asia/Yerevan');
  // Three members; receipts at two stores; a burn, a coupon, a tier discount, a return, an adjustment.
  for (const name of ['A', 'B', 'C']) {
    const c = await t.pos('POST', '/v1/customers', { name });
    customers.push(c.body.customerId);
  }
  const cards = await Promise.all(customers.map(async (id) => (await t.staff('GET', `/v1/customers/${id}`)).body.card as string));
  const code = (await t.staff('POST', '/v1/coupons', { campaignId: 'welcome', customerId: customers[1] })).body.codes[0] as string;
  const posts = [
    () => t.pos('POST', '/v1/receipts', receipt(cards[0]!, [{ amount: 100_000 }, { amount: 20_000, category: 'rx' }])),
    () => t.pos('POST', '/v1/receipts', receipt(cards[0]!, [{ amount: 10_000 }], { burn: { points: 40 }, occurredAt: '2026-11-21T10:00:00+04:00' })),
    () => t.pos2('POST', '/v1/receipts', receipt(cards[1]!, [{ amount: 30_000 }, { amount: 10_000 }], { coupons: [code] })),
    () => t.pos2('POST', '/v1/receipts', receipt(cards[2]!, [{ amount: 5_000 }], { occurredAt: '2026-11-25T19:00:00+04:00' })),
  ];
  for (const post of posts) {
    const r = await post();
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    receipts.push(r.body);
  }
  const returned = await t.pos('POST', '/v1/returns', { returnId: 'RET-1', receiptId: receipts[0]!.receiptId, lines: [{ lineId: '1', quantity: 1 }] });
  expect(returned.status).toBe(200);
  expect((await t.staff('POST', `/v1/customers/${customers[2]}/adjustments`, { adjustmentId: 'adj-1', points: 250, reason: 'goodwill' })).status).toBe(200);
  await readStream();
}, 60_000);

afterAll(async () => {
  await reader?.stop();
});

describe('Reports', () => {
  it('sales: receipts, money and discounts by source add up to the receipts’ own answers, per store and per tier', async () => {
    const total = receipts.reduce(
      (s, r) => ({
        amount: s.amount + r.totals.amount,
        paid: s.paid + r.totals.paid,
        tier: s.tier + r.totals.tierDiscount,
        coupons: s.coupons + r.totals.couponDiscount,
        points: s.points + r.totals.pointsDiscount,
      }),
      { amount: 0, paid: 0, tier: 0, coupons: 0, points: 0 },
    );
    expect(total.tier).toBeGreaterThan(0);
    expect(total.coupons).toBeGreaterThan(0);
    expect(total.points).toBeGreaterThan(0);
    const sales = await report(`/v1/reports/sales?from=2026-11-20&to=2026-11-25`);
    expect(sales.total).toMatchObject({
      receipts: 4,
      amount: total.amount,
      paid: total.paid,
      averageReceipt: Math.round(total.paid / 4),
      discounts: { tier: total.tier, coupons: total.coupons, points: total.points, rewards: 0, total: total.tier + total.coupons + total.points },
    });
    // By store: the till's figures wait under `*` until the night after their day folds them into their stores.
    const unfolded = await report(`/v1/reports/sales?from=2026-11-20&to=2026-11-25&by=store`);
    expect(unfolded.rows.map((r: any) => [r.key, r.receipts])).toEqual([['*', 4]]);
    await foldTonight();
    const byStore = await report(`/v1/reports/sales?from=2026-11-20&to=2026-11-25&by=store`);
    expect(byStore.rows.map((r: any) => [r.key, r.receipts])).toEqual([['S-01', 2], ['S-02', 2]]);
    expect(byStore.rows.reduce((s: number, r: any) => s + r.paid, 0)).toBe(total.paid);
    expect(byStore.total).toEqual(unfolded.total);
    const byTier = await report(`/v1/reports/sales?from=2026-11-20&to=2026-11-25&by=tier`);
    expect(byTier.rows.reduce((s: number, r: any) => s + r.receipts, 0)).toBe(4);
    // The second receipt of A was priced at the tier the first one reached.
    expect(byTier.rows.find((r: any) => r.key === receipts[1]!.tier.id)?.discounts.tier).toBe(receipts[1]!.totals.tierDiscount);
    // One day, and a period without receipts.
    expect((await report(`/v1/reports/sales?from=2026-11-21&to=2026-11-21`)).total.receipts).toBe(1);
    expect((await report(`/v1/reports/sales?from=2026-10-01&to=2026-10-31`)).total.receipts).toBe(0);
  });

  it('points: the sums by kind reconcile exactly with every customer’s ledger', async () => {
    const ledger = (await Promise.all(customers.map(ledgerOf))).flat();
    const byKind: Record<string, number> = {};
    for (const e of ledger) byKind[e.kind] = (byKind[e.kind] ?? 0) + e.points;
    const points = await report(`/v1/reports/points?from=${FROM}&to=${today}`);
    for (const [kind, sum] of Object.entries(byKind)) expect(points.total.byKind[kind], kind).toBe(sum);
    expect(points.total.net).toBe(ledger.reduce((s, e) => s + e.points, 0));
    expect(points.total.adjusted).toBe(250);
    expect(points.total.burned).toBe(40);
    // Per store: the adjustment was made at no store.
    const byStore = await report(`/v1/reports/points?from=${FROM}&to=${today}&by=store`);
    expect(byStore.rows.find((r: any) => r.key === null)?.adjusted).toBe(250);
    expect(byStore.rows.reduce((s: number, r: any) => s + r.net, 0)).toBe(points.total.net);
    // Each store's row is the entries its tills made (folded: the sales test ran the fold).
    const atStore: Record<string, number> = {};
    for (const e of ledger) if (e.source?.storeId) atStore[e.source.storeId] = (atStore[e.source.storeId] ?? 0) + e.points;
    expect(Object.fromEntries(byStore.rows.filter((r: any) => r.key !== null).map((r: any) => [r.key, r.net]))).toEqual(atStore);
  });

  it('members: enrolled and active per month, with visit frequency', async () => {
    const m = await report(`/v1/reports/members?from=2026-11&to=${today.slice(0, 7)}`);
    const nov = m.months.find((x: any) => x.month === '2026-11');
    expect(nov).toMatchObject({ active: 3, receipts: 4, visitsPerActiveMember: 1.33 });
    const enrolled = m.months.reduce((s: number, x: any) => s + x.enrolled, 0);
    expect(enrolled).toBe(3);
  });

  it('coupons: issued, sent and used per campaign, with the discount and the money of the receipts that used them', async () => {
    const c = await report(`/v1/reports/coupons?from=${FROM}&to=${today}`);
    const used = receipts[2]!;
    expect(c.campaigns).toEqual([
      { campaignId: 'welcome', issued: 1, sent: 1, used: 1, useRateBps: 10_000, discount: used.totals.couponDiscount, points: 0, revenue: used.totals.paid },
    ]);
  });

  it('a redelivered stream counts nothing twice: the same batches again, whole, bisected down to one record at a time, and two copies at once', async () => {
    const all = () => Promise.all([report(`/v1/reports/sales?from=2026-11-20&to=2026-11-25&by=store`), report(`/v1/reports/points?from=${FROM}&to=${today}`), report(`/v1/reports/members?from=2026-11&to=2026-11`), report(`/v1/reports/coupons?from=${FROM}&to=${today}`), report(`/v1/reports/liability?by=tier`)]);
    const before = await all();
    const strip = (xs: any[]) => xs.map(({ reads: _r, ...x }) => x);
    expect(delivered.length).toBeGreaterThan(10);
    // As Lambda redelivers a shard: from a position it delivered before, in the stream's order
    // (storage/insight.ts). The whole stream again in one batch, then record by record (a batch
    // bisected down to its records), then two copies of it racing.
    expect((await handler({ Records: delivered })).batchItemFailures).toEqual([]);
    for (const r of delivered) expect((await handler({ Records: [r] })).batchItemFailures).toEqual([]);
    const racing = await Promise.all([handler({ Records: delivered }), handler({ Records: delivered })]);
    expect(racing.flatMap((r) => r.batchItemFailures)).toEqual([]);
    const after = await all();
    expect(strip(after)).toEqual(strip(before));
  });

  it('a consumer that stopped half way through a batch loses nothing and doubles nothing when the whole batch comes again', async () => {
    const { countChanges } = await import('#lib/app/insight.ts');
    const { changeFromStreamRecord } = await import('#lib/events/stream-record.ts');
    // The same changes as two other tenants' (no program: UTC days): one counted in full once,
    // the other stopped after its first half and then handed everything again.
    // As Lambda delivers them: JSON, binary attributes (the packed receipt) base64-encoded.
    const json = (r: unknown) => JSON.stringify(r, function (this: Record<string, unknown>, k, v) { const o = this[k]; return o instanceof Uint8Array ? Buffer.from(o).toString('base64') : v; });
    const as = (tenantId: string) => delivered.map((r) => changeFromStreamRecord(JSON.parse(json(r).replaceAll(`T#${t.tenantId}#`, `T#${tenantId}#`))));
    const [once, resumed] = [`${t.tenantId}once`, `${t.tenantId}again`];
    expect((await countChanges(deps(), as(once))).seen).toBe(0);
    const half = Math.floor(delivered.length / 2);
    const first = await countChanges(deps(), as(resumed).slice(0, half));
    const all = await countChanges(deps(), as(resumed));
    expect(all.seen).toBe(first.counted);
    const read = async (tenantId: string, series: 'tier' | 'store' | 'liabExpiry' | 'coupons') => [...(await deps().insight.days(tenantId, series, '2026-01-01', today, { queries: 0, items: 0 })).entries()].sort();
    for (const series of ['tier', 'store', 'liabExpiry', 'coupons'] as const) {
      const expected = await read(once, series);
      expect(expected.length, series).toBeGreaterThan(0);
      expect(await read(resumed, series), series).toEqual(expected);
    }
  });

  it('reads are bounded: a year by days is a few Queries per shard, and longer periods are refused naming the limit', async () => {
    // One Query per month and shard (4), however many stores and days: a year by store is 48.
    const year = await report(`/v1/reports/sales?from=2026-01-01&to=2026-12-31&by=store`);
    expect(year.reads.queries).toBe(48);
    expect(year.reads.items).toBeLessThanOrEqual(365 * 4 * 2);
    expect((await report(`/v1/reports/sales?from=2026-11-15&to=2026-11-30&by=store`)).reads.queries).toBe(4);
    // The liability reads its whole months from month items: two Queries per shard for any day.
    expect((await report(`/v1/reports/liability?asOf=2026-11-20`)).reads.queries).toBe(8);
    const tooLong = await t.staff('GET', '/v1/reports/sales?from=2026-01-01&to=2027-01-02');
    expect(tooLong.status).toBe(422);
    expect(tooLong.body.error).toMatchObject({ code: 'limit_exceeded', field: 'to' });
    expect(tooLong.body.error.message).toContain('reports.maxDays');
    const backwards = await t.staff('GET', '/v1/reports/sales?from=2026-02-01&to=2026-01-01');
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.field).toBe('to');
    const bad = await t.staff('GET', '/v1/reports/sales?from=2026-13-01&to=2026-12-01');
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('from');
  });
});
