/**
 * Points liability and breakage, reconciled with the ledger: receipts committed on past days
 * (the use cases with a clock set back), a burn, lots expired by the expiry job's use case, and
 * today's receipts and adjustment through the real handlers; the stream counted by the report
 * consumer; the liability read as of several days through the staff API and compared, lot by lot,
 * with the sums of every customer's ledger entries up to the end of each day.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deps, makeDeps } from '#lib/app/deps.ts';
import { expireCustomer } from '#lib/app/jobs.ts';
import { commit } from '#lib/app/receipts.ts';
import { dayOf } from '#domain/insight.ts';
import { foldStoreFigures } from '#lib/app/store-fold.ts';
import { addMonths } from '#domain/time.ts';
import type { Principal } from '#lib/storage/api-keys.ts';
import { startStreamReader, type StreamReader } from '../../local/stream.ts';
import { handler } from '../../functions/stream/report-counters.ts';
import { newTenant, receipt, type TestTenant } from './harness.ts';

const ZONE = 'Asia/Yerevan';
let t: TestTenant;
let reader: StreamReader | undefined;
const ids: string[] = [];
let today: string;

const at = (iso: string) => makeDeps(deps().db, () => new Date(iso));
const till = (): Principal => ({ tenantId: t.tenantId, storeId: 'S-01', role: 'pos', actor: 'pos:S-01', keyId: 'test-till' });

/** Every ledger row of a customer, as stored (with the lots each entry moved), and through the API. */
async function ledgerOf(customerId: string): Promise<Array<Record<string, any>>> {
  const rows: Array<Record<string, any>> = [];
  let after: string | undefined;
  do {
    const page = await deps().customers.ledger(t.tenantId, customerId, 200, after);
    rows.push(...page.rows);
    after = page.nextSk;
  } while (after);
  // The API's ledger is the same entries (the one a support agent reads).
  const api = await t.staff('GET', `/v1/customers/${customerId}/ledger?limit=200`);
  expect(api.body.entries.map((e: any) => [e.seq, e.points])).toEqual(rows.map((r) => [r.seq, r.points]));
  return rows;
}

const get = async (path: string) => {
  const r = await t.staff('GET', path);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
};

/** What the ledger says is owed at the end of `day`, by lot, `debt` and `pending`. */
function fromLedger(entries: ReadonlyArray<Record<string, any>>, day: string): Record<string, number> {
  const owed: Record<string, number> = {};
  const add = (k: string, v: number) => {
    owed[k] = (owed[k] ?? 0) + v;
    if (owed[k] === 0) delete owed[k];
  };
  for (const e of entries) {
    if (dayOf(e.at, ZONE) > day) continue;
    for (const [lot, d] of Object.entries(e.lots ?? {})) add(lot, d as number);
    if (e.debt) add('debt', -e.debt);
    const pending = Object.values((e.pending ?? {}) as Record<string, number>).reduce((s, v) => s + v, 0);
    if (pending) add('pending', pending);
  }
  return owed;
}

beforeAll(async () => {
  t = await newTenant();
  today = dayOf(new Date(), ZONE);
  for (const name of ['A', 'B', 'C']) ids.push((await t.pos('POST', '/v1/customers', { name })).body.customerId);
  const cards = await Promise.all(ids.map(async (id) => (await get(`/v1/customers/${id}`)).card as string));
  // September 2025: A earns 1000, B 500 (lot 2026-09); B burns 100 in November; both lots expire on 1 October 2026.
  const sept = { occurredAt: '2025-09-10T12:00:00+04:00' };
  await commit(at('2025-09-10T08:05:00Z'), till(), 'S-01', receipt(cards[0]!, [{ amount: 100_000 }], sept) as never);
  await commit(at('2025-09-10T08:06:00Z'), till(), 'S-01', receipt(cards[1]!, [{ amount: 50_000 }], sept) as never);
  await commit(at('2025-11-05T09:00:00Z'), till(), 'S-01', receipt(cards[1]!, [{ amount: 40_000 }], { occurredAt: '2025-11-05T13:00:00+04:00', burn: { points: 100 } }) as never);
  for (const id of ids.slice(0, 2)) expect(await expireCustomer(at('2026-10-01T06:00:00Z'), t.tenantId, id)).toBe('done');
  // Today: C buys at S-02 and gets a goodwill adjustment; A buys again.
  expect((await t.pos2('POST', '/v1/receipts', receipt(cards[2]!, [{ amount: 30_000 }]))).status).toBe(200);
  expect((await t.pos('POST', '/v1/receipts', receipt(cards[0]!, [{ amount: 12_000 }]))).status).toBe(200);
  expect((await t.staff('POST', `/v1/customers/${ids[2]}/adjustments`, { adjustmentId: 'gw', points: 75, reason: 'goodwill' })).status).toBe(200);
  // Today's expiry run: lots whose month has ended go (B's November lot, 2026-11, has by now).
  for (const id of ids) await expireCustomer(deps(), t.tenantId, id);

  const mine = (e: DynamoDBStreamEvent) => ({ Records: e.Records.filter((x) => JSON.stringify(x.dynamodb?.Keys).includes(`T#${t.tenantId}#`)) });
  reader = await startStreamReader({
    client: new DynamoDBClient({ endpoint: process.env.DYNAMODB_ENDPOINT!, region: 'us-east-1' }),
    endpoint: process.env.DYNAMODB_ENDPOINT!,
    table: process.env.TABLE_NAME!,
    handler: async (e) => handler(mine(e)),
  });
  await reader.caughtUp();
}, 60_000);

afterAll(async () => {
  await reader?.stop();
});

describe('Points liability', () => {
  it('as of any day, lot by lot, equals the sum of every customer’s ledger entries up to the end of that day', async () => {
    const ledger = (await Promise.all(ids.map(ledgerOf))).flat();
    expect(ledger.some((e) => e.kind === 'expiry')).toBe(true);
    const days = ['2025-09-09', '2025-09-10', '2025-10-31', '2025-11-05', '2026-09-30', '2026-10-01', addMonths(today.slice(0, 7), -1) + '-15', today];
    for (const day of days) {
      const r = await get(`/v1/reports/liability?asOf=${day}&by=expiry`);
      const reported = Object.fromEntries(r.rows.map((x: any) => [x.key, x.points]));
      expect(reported, day).toEqual(fromLedger(ledger, day));
      expect(r.total.value).toBe(r.total.points * 100);
    }
    expect((await get('/v1/reports/liability?asOf=2025-09-30')).total.points).toBe(1500);
    // On 1 October 2026 the September 2025 lot has expired; B's November lot is all that is owed.
    expect((await get('/v1/reports/liability?asOf=2026-10-01')).rows.map((r: any) => [r.key, r.expiresOn])).toEqual([['2026-11', '2026-11-30']]);
  });

  it('today: every view adds up to the customers’ balances, by tier to each customer’s tier, by store to where the entries were made', async () => {
    const profiles = await Promise.all(ids.map((id) => get(`/v1/customers/${id}`)));
    const owed = profiles.reduce((s, p) => s + p.points.available + p.points.pending, 0);
    const [expiry, tier, store] = await Promise.all(['expiry', 'tier', 'store'].map((by) => get(`/v1/reports/liability?by=${by}`)));
    for (const view of [expiry, tier, store]) expect(view.total.points, view.by).toBe(owed);
    // By expiry: the lots the profiles list, with their last day.
    const lots: Record<string, number> = {};
    for (const p of profiles) for (const e of p.points.expiring) lots[e.on] = (lots[e.on] ?? 0) + e.points;
    expect(Object.fromEntries(expiry.rows.filter((r: any) => r.expiresOn).map((r: any) => [r.expiresOn, r.points]))).toEqual(lots);
    // By tier: each customer's balance under the tier they have now.
    const byTier: Record<string, number> = {};
    for (const p of profiles) {
      const k = p.tier?.id ?? 'none';
      byTier[k] = (byTier[k] ?? 0) + p.points.available + p.points.pending;
    }
    expect(Object.fromEntries(tier.rows.map((r: any) => [r.key ?? 'none', r.points]))).toEqual(Object.fromEntries(Object.entries(byTier).filter(([, v]) => v !== 0)));
    // By store: the adjustment and the expiries were made at no store.
    const expired = (await Promise.all(ids.map(ledgerOf))).flat().filter((e) => e.kind === 'expiry').reduce((s, e) => s + e.points, 0);
    expect(store.rows.find((r: any) => r.key === null)?.points).toBe(75 + expired);
    expect(store.reads.queries).toBeLessThanOrEqual(8);
  });

  it('by store as of any day: the tills’ part waits under `*` until the nightly fold, then each store holds what its entries owe up to that day', async () => {
    const ledger = (await Promise.all(ids.map(ledgerOf))).flat();
    const owedAt = (day: string) => {
      const out: Record<string, number> = {};
      for (const e of ledger) {
        if (dayOf(e.at, ZONE) > day) continue;
        const k = e.source?.storeId ?? 'none';
        out[k] = (out[k] ?? 0) + e.points + Object.values((e.pending ?? {}) as Record<string, number>).reduce((s, v) => s + v, 0);
      }
      return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== 0));
    };
    const byStore = async (day: string) => Object.fromEntries((await get(`/v1/reports/liability?asOf=${day}&by=store`)).rows.map((r: any) => [r.key ?? 'none', r.points]));
    const days = ['2025-09-10', '2025-11-05', '2026-10-01', today];
    const before = await Promise.all(days.map(byStore));
    for (const [i, day] of days.entries()) {
      const { none, ...tills } = owedAt(day);
      const waiting = Object.values(tills).reduce((s, v) => s + v, 0);
      expect(before[i], day).toEqual(Object.fromEntries(Object.entries({ none: none ?? 0, '*': waiting }).filter(([, v]) => v !== 0)));
    }
    const fold = await foldStoreFigures({ insight: deps().insight, clock: () => new Date(Date.now() + 25 * 3_600_000) }, t.tenantId);
    expect(fold.stores).toBe(2);
    for (const day of days) expect(await byStore(day), day).toEqual(owedAt(day));
    expect((await byStore('2025-09-10'))['S-01']).toBe(1500);
  });

  it('breakage: per lot the share of what was issued that expired, and the expected rate from final lots', async () => {
    const b = await get('/v1/reports/breakage?from=2026-01&to=2027-12');
    const sept = b.lots.find((l: any) => l.lot === '2026-09');
    expect(sept).toMatchObject({ cohortMonth: '2025-09', issued: 1500, redeemed: 100, expired: 1400, outstanding: 0, breakageBps: 9333, final: true });
    const open = b.lots.filter((l: any) => !l.final);
    expect(open.length).toBeGreaterThan(0);
    expect(open.every((l: any) => l.expired === 0)).toBe(true);
    const final = b.lots.filter((l: any) => l.final);
    expect(b.expectedBreakageBps).toBe(Math.round((final.reduce((s: number, l: any) => s + l.expired, 0) * 10_000) / final.reduce((s: number, l: any) => s + l.issued, 0)));
    expect((await t.staff('GET', '/v1/reports/breakage?from=2020-01&to=2027-12')).status).toBe(422);
  });

  it('month-end export: a CSV whose opening plus movements is its closing, matching the liability report on both ends', async () => {
    const month = '2026-10';
    const r = await t.staff('GET', `/v1/reports/liability/export?month=${month}`);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/csv/);
    const lines = (r.body as string).trimEnd().split('\r\n').map((l) => l.split(','));
    expect(lines[0]).toEqual(['as_of', 'section', 'item', 'expires_on', 'points', 'amount_minor', 'currency']);
    const rows = lines.slice(1).map(([asOf, section, item, expiresOn, points, amount, currency]) => ({ asOf, section, item, expiresOn, points: Number(points), amount: Number(amount), currency }));
    expect(rows.every((x) => x.asOf === '2026-10-31' && x.currency === 'AMD' && x.amount === x.points * 100)).toBe(true);
    const opening = rows.find((x) => x.section === 'opening')!.points;
    const closing = rows.find((x) => x.section === 'closing' && x.item === 'total')!.points;
    const moved = rows.filter((x) => x.section === 'movement').reduce((s, x) => s + x.points, 0);
    expect(opening + moved).toBe(closing);
    expect(opening).toBe((await get('/v1/reports/liability?asOf=2026-09-30')).total.points);
    expect(closing).toBe((await get('/v1/reports/liability?asOf=2026-10-31')).total.points);
    expect(rows.find((x) => x.section === 'movement' && x.item === 'expiry')?.points).toBe(-1400);
    expect(rows.find((x) => x.section === 'breakage')?.item).toBe('expected 93.33 %');
    // A month still to come is refused, naming the field.
    const future = await t.staff('GET', `/v1/reports/liability/export?month=${addMonths(today.slice(0, 7), 1)}`);
    expect(future.status).toBe(400);
    expect(future.body.error.field).toBe('month');
  });
});
