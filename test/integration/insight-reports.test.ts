/**
 * The reports #16 added on top of the counters: members by the store that enrolled them, members
 * per RFM class (the nightly segments job writes each customer's class when it moves, the stream
 * counts the moves). End to end: POS and staff calls through the real handlers, the stack's
 * background (stream readers, queues, jobs) in process, and every figure reconciled with what
 * was posted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dayOf } from '#domain/insight.ts';
import { deps } from '#lib/app/deps.ts';
import { INSIGHT_PARTS, runInsightJob, summarizeDay, type InsightWork } from '#lib/app/insight-job.ts';
import { simulationQueue } from '#lib/messaging/queues.ts';
import { HISTORY_SHARDS, historyReader } from '#lib/storage/history.ts';
import { deploymentHistoryReader } from '#lib/storage/history-bucket.ts';
import { startBackground, type Background } from '../../local/background.ts';
import { newTenant, receipt, type TestTenant } from './harness.ts';

let bg: Background;
let t: TestTenant;
const ZONE = 'Asia/Yerevan';
let today: string;
const members: Array<{ customerId: string; card: string }> = [];
/** Every receipt this file posts, as the till sent it. */
const posted: Array<ReturnType<typeof receipt>> = [];
const answers = new Map<string, any>();
const post = async (call: TestTenant['pos'], body: ReturnType<typeof receipt>) => {
  const r = await call('POST', '/v1/receipts', body);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  posted.push(body);
  answers.set(body.receiptId, r.body);
  return r.body;
};
/** Every returned line this file posts: what of its receipt's line amount came back. */
const returned: Array<{ sku: string; category: string; amountBack: number; quantity: number; customerCard: string; receiptId: string }> = [];
let returnSeq = 0;
/** Posts a return of one line, twice (the till's retry: the same answer, nothing written again). */
const giveBack = async (call: TestTenant['pos'], of: ReturnType<typeof receipt>, line: { lineId: string; quantity?: number; amount?: number }, amountBack: number) => {
  const body = { returnId: `RET-${of.receiptId}-${++returnSeq}`, receiptId: of.receiptId, lines: [line] };
  const first = await call('POST', '/v1/returns', body);
  expect(first.status, JSON.stringify(first.body)).toBe(200);
  const again = await call('POST', '/v1/returns', body);
  expect(again.body).toEqual(first.body);
  const sold = of.lines.find((l) => l.lineId === line.lineId)!;
  returned.push({ sku: sold.sku, category: sold.category, amountBack, quantity: line.quantity ?? 0, customerCard: of.customer.card, receiptId: of.receiptId });
};
const lineSum = (b: ReturnType<typeof receipt>) => b.lines.reduce((s, l) => s + l.amount, 0);

const report = async (path: string) => {
  const r = await t.staff('GET', path);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
};

beforeAll(async () => {
  bg = await startBackground({ dynamoEndpoint: process.env.DYNAMODB_ENDPOINT!, table: process.env.TABLE_NAME!, tickMs: 0, streamFrom: 'LATEST', retryScale: 0.1 });
  t = await newTenant();
  today = dayOf(new Date(), ZONE);
  // Two members enrolled at S-01's till, one at S-02's, one by staff.
  for (const call of [t.pos, t.pos, t.pos2, t.staff]) {
    const r = await call('POST', '/v1/customers', { name: 'M' });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    members.push(r.body);
  }
  // Two of them buy today.
  for (const m of members.slice(0, 2)) await post(t.pos, receipt(m.card, [{ amount: 12_000 }], { occurredAt: new Date().toISOString() }));
  await bg.settle();
}, 60_000);

afterAll(() => bg?.close());

describe('Members report: by enrolment store and by RFM class', () => {
  it('counts members by the store whose till enrolled them, in the month and to its end; the stores add up to the enrolments', async () => {
    const m = await report(`/v1/reports/members?from=${today.slice(0, 7)}&to=${today.slice(0, 7)}`);
    const month = m.months[0];
    expect(month.byStore).toEqual([
      { store: 'S-01', enrolled: 2, imported: 0, members: 2 },
      { store: 'S-02', enrolled: 1, imported: 0, members: 1 },
      { store: null, enrolled: 1, imported: 0, members: 1 },
    ].sort((a, b) => String(a.store ?? '-').localeCompare(String(b.store ?? '-'))));
    expect(month.byStore.reduce((s: number, r: any) => s + r.enrolled, 0)).toBe(month.enrolled);
    // Before any nightly run nobody is classified.
    expect(month.rfmClasses).toMatchObject({ unclassified: 4, new: 0, prospect: 0 });
    // One month: 4 Queries of its days by tier, 4 of active members, 4 each of the members and class months (4 shards).
    expect(m.reads.queries).toBe(16);
  });

  it('counts members per RFM class once the nightly job has classed them; the classes add up to the members, and a second night moves nothing', async () => {
    await bg.runJob('segments', { day: today, tenantId: t.tenantId });
    const month = (await report(`/v1/reports/members?from=${today.slice(0, 7)}&to=${today.slice(0, 7)}`)).months[0];
    // What each customer's profile says their class is today, counted.
    const expected: Record<string, number> = {};
    for (const mem of members) {
      const cls = (await t.staff('GET', `/v1/customers/${mem.customerId}`)).body.rfm.class as string;
      expected[cls] = (expected[cls] ?? 0) + 1;
    }
    expect(expected).toEqual({ new: 2, prospect: 2 });
    const counted = Object.fromEntries(Object.entries(month.rfmClasses).filter(([, n]) => n !== 0));
    expect(counted).toEqual(expected);
    const totalMembers = month.byStore.reduce((s: number, r: any) => s + r.members, 0);
    expect(Object.values(month.rfmClasses as Record<string, number>).reduce((s, n) => s + n, 0)).toBe(totalMembers);
    // The same night again writes no customer (no class moved), so the counts stay.
    await bg.runJob('segments', { day: today, tenantId: t.tenantId });
    expect((await report(`/v1/reports/members?from=${today.slice(0, 7)}&to=${today.slice(0, 7)}`)).months[0].rfmClasses).toEqual(month.rfmClasses);
  });
});

describe('Nightly day items: top SKUs and categories, and the results of coupon and journey sends', () => {
  let utcDay: string;
  let code: string;
  beforeAll(async () => {
    // A coupon code sent to member 0, a journey message to member 2 (the claim the journey worker makes).
    code = (await t.staff('POST', '/v1/coupons', { campaignId: 'welcome', customerId: members[0]!.customerId })).body.codes[0];
    expect(await deps().notifications.claim({ tenantId: t.tenantId, customerId: members[2]!.customerId, eventId: 'J#winback#0', eventType: 'journey', channel: 'sms', locale: 'en', text: 'We miss you', at: new Date().toISOString() })).toBe(true);
    await bg.settle();
    const now = () => new Date(Date.now() + 1000).toISOString();
    // After the sends: member 0 uses the code, member 2 buys twice, member 1 (sent nothing) buys.
    await post(t.pos, receipt(members[0]!.card, [{ amount: 30_000, sku: 'TEA', category: 'drinks' }, { amount: 4_000, sku: 'CUP', category: 'home' }], { occurredAt: now(), coupons: [code] }));
    await post(t.pos2, receipt(members[2]!.card, [{ amount: 7_000, sku: 'TEA', category: 'drinks', quantity: 2 }], { occurredAt: now() }));
    await post(t.pos2, receipt(members[2]!.card, [{ amount: 2_500, sku: 'SPOON', category: 'home' }], { occurredAt: now() }));
    await post(t.pos, receipt(members[1]!.card, [{ amount: 9_000, sku: 'CUP', category: 'home' }], { occurredAt: now() }));
    // Returns: member 0's tea (the coupon's receipt), one of member 2's two teas, and 2,000 of member 1's cup by amount.
    const [r0, r2, r1] = [posted[posted.length - 4]!, posted[posted.length - 3]!, posted[posted.length - 1]!];
    await giveBack(t.pos, r0, { lineId: '1', quantity: 1 }, 30_000);
    await giveBack(t.pos2, r2, { lineId: '1', quantity: 1 }, 3_500);
    const paid = answers.get(r1.receiptId)!.lines[0].paid as number;
    await giveBack(t.pos, r1, { lineId: '1', amount: 2_000 }, Math.floor((9_000 * 2_000) / paid));
    await bg.settle();
    utcDay = new Date().toISOString().slice(0, 10);
    const job = (await bg.runJob('insight', { day: utcDay, tenantId: t.tenantId })) as { tenants: Array<{ receipts: number; customers: number }> };
    expect(job.tenants[0]).toMatchObject({ receipts: posted.length, customers: 3 });
  }, 60_000);

  it('top SKUs and every category add up to the line amounts of every receipt of the day less the lines returned', async () => {
    const p = await report(`/v1/reports/products?from=${utcDay}&to=${utcDay}&limit=100`);
    const expected = (key: 'sku' | 'category') => {
      const m = new Map<string, { revenue: number; quantity: number; receipts: number; returned: number }>();
      for (const b of posted) {
        const seen = new Set<string>();
        for (const l of b.lines) {
          const f = m.get(l[key]) ?? { revenue: 0, quantity: 0, receipts: 0, returned: 0 };
          f.revenue += l.amount;
          f.quantity += l.quantity;
          if (!seen.has(l[key])) f.receipts += 1;
          seen.add(l[key]);
          m.set(l[key], f);
        }
      }
      for (const r of returned) {
        const f = m.get(r[key])!;
        f.revenue -= r.amountBack;
        f.quantity -= r.quantity;
        f.returned += r.amountBack;
      }
      return m;
    };
    const back = returned.reduce((s, r) => s + r.amountBack, 0);
    const total = posted.reduce((s, b) => s + lineSum(b), 0) - back;
    // Each return posted twice (a retry) is one return, taken off once.
    expect(p.total).toEqual({ receipts: posted.length, revenue: total, returns: returned.length, returned: back, returnsNotTakenOff: 0 });
    for (const [key, list] of [['sku', p.skus], ['category', p.categories]] as const) {
      const want = expected(key);
      expect(list.length).toBe(want.size);
      for (const row of list) expect({ revenue: row.revenue, quantity: row.quantity, receipts: row.receipts, returned: row.returned }, row[key]).toEqual(want.get(row[key]));
      expect(list.reduce((s: number, r: any) => s + r.revenue, 0)).toBe(total);
    }
    // Ranked by revenue less returns: TEA sold most (37,000) but 33,500 came back, below CUP.
    const ranking = [...expected('sku')].sort(([a, x], [b, y]) => y.revenue - x.revenue || (a < b ? -1 : 1)).map(([sku]) => sku);
    expect(p.skus.map((r: any) => r.sku)).toEqual(ranking);
    expect(ranking.indexOf('TEA')).toBeGreaterThan(ranking.indexOf('CUP'));
    expect(p.otherSkus.revenue).toBe(0);
    // A shorter list leaves the rest under otherSkus; the reads are one Query.
    const top1 = await report(`/v1/reports/products?from=${utcDay}&to=${utcDay}&limit=1`);
    expect(top1.skus.map((s: any) => s.sku)).toEqual([ranking[0]]);
    expect(top1.otherSkus.revenue).toBe(total - p.skus[0].revenue);
    expect(top1.reads).toEqual({ queries: 1, items: 1 });
  });

  it('a SKU a day left out of its kept SKUs: the period figure adds the days it was kept, and says by how much it may be short', async () => {
    const f = (sku: string, revenue: number) => ({ sku, revenue, quantityMilli: 1000, receipts: 1, returned: 0 });
    const day = (skus: Array<ReturnType<typeof f>>, other: { revenue: number; count: number; largest: number }) => ({
      receipts: 5,
      revenue: skus.reduce((n, x) => n + x.revenue, 0) + other.revenue,
      returns: { count: 0, returned: 0, unpriced: 0 },
      skus,
      categories: [],
      otherSkus: other,
      otherCategories: { revenue: 0, count: 0 },
    });
    // Day 1 kept A and B and left two out (the larger took 40); day 2 kept A and C and left none out; day 3 kept C, left B out among others (largest 25).
    await deps().dayInsight.putDay(t.tenantId, 'sales', '2025-03-01', day([f('A', 500), f('B', 100)], { revenue: 70, count: 2, largest: 40 }), 'x');
    await deps().dayInsight.putDay(t.tenantId, 'sales', '2025-03-02', day([f('A', 300), f('C', 200)], { revenue: 0, count: 0, largest: 0 }), 'x');
    await deps().dayInsight.putDay(t.tenantId, 'sales', '2025-03-03', day([f('C', 90)], { revenue: 60, count: 3, largest: 25 }), 'x');
    const p = await report('/v1/reports/products?from=2025-03-01&to=2025-03-03&limit=10');
    expect(p.skusComplete).toBe(false);
    expect(p.skus.map((r: any) => [r.sku, r.revenue, r.unlistedAtMost])).toEqual([
      ['A', 800, 25],
      ['C', 290, 40],
      ['B', 100, 25],
    ]);
    expect(p.total.revenue).toBe(800 + 290 + 100 + 70 + 60);
    expect(p.otherSkus.revenue).toBe(130);
    // The day the job summed in full keeps every SKU: exact.
    const whole = await report(`/v1/reports/products?from=${utcDay}&to=${utcDay}&limit=100`);
    expect(whole.skusComplete).toBe(true);
    expect(whole.skus.every((r: any) => r.unlistedAtMost === 0)).toBe(true);
  });

  it('a rerun of the job for the same day replaces the day, and a reader that hands a receipt to several shards counts it once', async () => {
    const before = await report(`/v1/reports/products?from=${utcDay}&to=${utcDay}&limit=100`);
    await bg.runJob('insight', { day: utcDay, tenantId: t.tenantId });
    const after = await report(`/v1/reports/products?from=${utcDay}&to=${utcDay}&limit=100`);
    expect(after.total).toEqual(before.total);
    expect(after.skus).toEqual(before.skus);
    // As a reader of whole day files may: every shard also gets the day's first shard with receipts.
    const real = historyReader(deploymentHistoryReader()!);
    const from = `${utcDay}T00:00:00.000Z`;
    const to = new Date(Date.parse(from) + 86_400_000).toISOString();
    // The shard with a return in it: the return, handed to every shard, is taken off once.
    let some: Awaited<ReturnType<typeof real.shard>> | undefined;
    for (let s = 0; s < HISTORY_SHARDS && !some?.events.some((e) => e.type === 'return'); s++) some = await real.shard(t.tenantId, s, from, to);
    expect(some!.events.some((e) => e.type === 'return')).toBe(true);
    const doubling = { shard: async (tenantId: string, shard: number, f: string, u: string) => { const own = await real.shard(tenantId, shard, f, u); return { ...own, events: [...own.events, ...some!.events] }; } };
    const summary = await summarizeDay(deps(), doubling as typeof real, t.tenantId, ZONE, utcDay);
    expect(summary.receipts).toBe(posted.length);
    const again = await report(`/v1/reports/products?from=${utcDay}&to=${utcDay}&limit=100`);
    expect(again.total).toEqual(before.total);
    expect(again.skus).toEqual(before.skus);
    expect(again.categories).toEqual(before.categories);
  });

  it('a day summed across many invocations, with parts run twice and a runner lost mid-way, writes the very items one run writes', async () => {
    const real = historyReader(deploymentHistoryReader()!);
    const itemsOf = async () => {
      const stats = { queries: 0, items: 0 };
      return {
        sales: (await deps().dayInsight.days(t.tenantId, 'sales', utcDay, utcDay, stats)).map((d) => d.body),
        touches: (await deps().dayInsight.days(t.tenantId, 'touches', utcDay, utcDay, stats)).map((d) => d.body),
      };
    };
    await summarizeDay(deps(), real, t.tenantId, ZONE, utcDay);
    const once = await itemsOf();
    expect((once.sales[0] as any).returns.count).toBe(returned.length);

    // Every invocation has time for one part only; continuations are collected as the queue would hold them.
    const queued: InsightWork[] = [];
    const opts = { remainingMs: () => 0, continueLater: async (w: InsightWork) => void queued.push(w) };
    // Two runners that both read the same save before either writes: a barrier in the reader.
    let waiting: Array<() => void> = [];
    const racing = { shard: async (...a: Parameters<typeof real.shard>) => { await new Promise<void>((go) => { waiting.push(go); if (waiting.length === 2) { waiting.forEach((f) => f()); waiting = []; } }); return real.shard(...a); } };
    // A runner that dies after summing part 5 (its reader fails on the next call), before any save.
    const dying = { shard: async (...a: Parameters<typeof real.shard>) => { if (a[1] === 6) throw new Error('lost'); return real.shard(...a); } };

    const first = await runInsightJob(deps(), real, { day: utcDay, tenantId: t.tenantId }, opts);
    expect(first).toMatchObject({ continued: true, tenants: [{ parts: 1, outcome: 'continue' }] });
    let invocations = 1;
    while (queued.length) {
      const work = queued.shift()!;
      const at = (await deps().dayInsight.run(t.tenantId, utcDay))!.run.part;
      invocations++;
      if (at === 3) {
        // A redelivered message: two runners of the same part at once; one saves and goes on, the other stops.
        const both = await Promise.all([runInsightJob(deps(), racing as typeof real, work, opts), runInsightJob(deps(), racing as typeof real, work, opts)]);
        expect(both.map((r) => r.tenants[0]!.outcome).sort()).toEqual(['continue', 'superseded']);
        continue;
      }
      if (at === 5) {
        // Given time for two parts, it sums part 5 and dies reading part 6; the retry takes up part 5 again.
        await expect(runInsightJob(deps(), dying as typeof real, work, { ...opts, remainingMs: () => 10 * 60_000 })).rejects.toThrow('lost');
        expect((await deps().dayInsight.run(t.tenantId, utcDay))!.run.part).toBe(5);
      }
      await runInsightJob(deps(), real, work, opts);
    }
    // One part an invocation: as many invocations as parts (the racing pair and the lost runner not counted).
    expect(invocations).toBe(INSIGHT_PARTS);
    const saved = (await deps().dayInsight.run(t.tenantId, utcDay))!.run;
    expect(saved).toMatchObject({ done: true, part: INSIGHT_PARTS, receipts: posted.length, returns: returned.length });
    expect(await itemsOf()).toEqual(once);

    // A continuation that comes again after the run is done changes nothing and continues nothing.
    const late = await runInsightJob(deps(), real, { day: utcDay, tenantId: t.tenantId, run: saved.run }, opts);
    expect(late.tenants[0]).toMatchObject({ outcome: 'done', skipped: 'already summed by this run' });
    expect(queued).toEqual([]);

    // Through the real queue: the simulation worker takes up an insight continuation (a new run, from its first part).
    await simulationQueue().send([{ kind: 'insight', day: utcDay, run: 'hand-through-the-queue', tenantId: t.tenantId }]);
    await bg.settle();
    expect((await deps().dayInsight.run(t.tenantId, utcDay))!.run).toMatchObject({ run: 'hand-through-the-queue', done: true, receipts: posted.length });
    expect(await itemsOf()).toEqual(once);
  });

  it('coupon and journey results: sent, used, and the revenue of the recipients’ receipts within N days of each send', async () => {
    const today = dayOf(new Date(), ZONE);
    const c = await report(`/v1/reports/campaigns?from=${today}&to=${today}&days=7`);
    const used = posted.find((b) => (b as { coupons?: string[] }).coupons?.includes(code))!;
    // Member 2's receipts, all after the message; member 0's receipt from before the coupon was sent does not count.
    const afterMessage = posted.filter((b) => b.customer.card === members[2]!.card);
    // Less what was returned of those very receipts (each return once, though posted twice).
    const backOf = (bs: Array<ReturnType<typeof receipt>>) => returned.filter((r) => bs.some((b) => b.receiptId === r.receiptId)).reduce((s, r) => s + r.amountBack, 0);
    const couponRevenue = lineSum(used) - backOf([used]);
    const journeyRevenue = afterMessage.reduce((s, b) => s + lineSum(b), 0) - backOf(afterMessage);
    expect([couponRevenue, journeyRevenue]).toEqual([34_000 - 30_000, 9_500 - 3_500]);
    expect(c.campaigns).toEqual([
      { kind: 'coupon', campaignId: 'welcome', sent: 1, used: 1, receipts: 1, revenue: couponRevenue, revenuePerSend: couponRevenue },
      { kind: 'journey', journeyId: 'winback', step: 0, sent: 1, used: null, receipts: afterMessage.length, revenue: journeyRevenue, revenuePerSend: journeyRevenue },
    ]);
    // The coupon's uses agree with the coupons report (counted from the receipts by the stream).
    const coupons = await report(`/v1/reports/coupons?from=${today}&to=${today}`);
    expect(coupons.campaigns.find((x: any) => x.campaignId === 'welcome')).toMatchObject({ sent: 1, used: 1 });
    // Coupons and journeys: one Query per month and shard each; the day items: one.
    expect(c.reads.queries).toBe(9);
    expect(c.reads.items).toBeLessThanOrEqual(2 + 2 * 4 + 10);
    // Not complete yet: receipts up to 7 days after the sends are still to come.
    expect(c.complete).toBe(false);
    // Bounds, named.
    const tooMany = await t.staff('GET', `/v1/reports/campaigns?from=${today}&to=${today}&days=91`);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.field).toBe('days');
    const tooLong = await t.staff('GET', '/v1/reports/campaigns?from=2026-01-01&to=2026-06-01');
    expect(tooLong.status).toBe(422);
    expect(tooLong.body.error.message).toContain('reports.maxCampaignDays');
  });
});
