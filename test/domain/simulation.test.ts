import { describe, expect, it } from 'vitest';
import { parseProgram, type Program } from '../../lib/domain/program.ts';
import { parseReplayLine } from '../../lib/domain/simulation-input.ts';
import {
  customerShard,
  emptySimulation,
  mergeSimulation,
  simulateCustomer,
  simulationReport,
  tillOrder,
  type ReplayEvent,
} from '../../lib/domain/simulation.ts';
import { simulateFile } from '../../lib/app/simulate-file.ts';
import { priceReceipt } from '../../lib/domain/pricing.ts';
import { emptyAccount } from '../../lib/domain/account.ts';
import { BurnLimitError } from '../../lib/domain/errors.ts';

const doc = {
  name: 'Sim',
  currency: 'AMD',
  timeZone: 'Asia/Yerevan',
  earning: { base: { points: 1, per: 100 }, rules: [{ id: 'third', name: 'Every 3rd +50', type: 'nthReceipt', every: 3, points: 50 }] },
  redemption: { pointValue: 1, maxShareBps: 5000 },
  tiers: {
    levels: [
      { id: 'standard', name: 'Standard', threshold: 0, discountBps: 0 },
      { id: 'silver', name: 'Silver', threshold: 30_000, discountBps: 500 },
    ],
  },
};

const program = (d: unknown): Program => {
  const r = parseProgram(d);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.program;
};
const current = program(doc);
/** Silver from 10,000 and points at ×2 on vitamins. */
const draft = program({
  ...doc,
  earning: { ...doc.earning, rules: [...doc.earning.rules, { id: 'vit', name: 'Vitamins ×2', type: 'multiplier', multiplier: 2, products: { categories: ['vitamins'] } }] },
  tiers: { levels: [doc.tiers.levels[0], { ...doc.tiers.levels[1], threshold: 10_000 }] },
});

const line = (customerId: string, n: number, amount: number, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    customerId,
    storeId: n % 2 ? 'S-01' : 'S-02',
    receiptId: `R-${customerId}-${n}`,
    occurredAt: `2026-11-${String(n).padStart(2, '0')}T12:00:00+04:00`,
    lines: [{ lineId: '1', sku: 'VIT-C', category: 'vitamins', quantity: 1, unitPrice: amount, amount }],
    ...extra,
  });

/** Anna buys 5 times for 12,000; Boris once for 5,000 and returns it. */
const file = [
  ...[1, 2, 3, 4, 5].map((n) => line('anna', n, 12_000)),
  line('boris', 1, 5_000),
  JSON.stringify({ type: 'return', customerId: 'boris', storeId: 'S-02', returnId: 'RET-1', receiptId: 'R-boris-1', receiptStoreId: 'S-01', at: '2026-11-02T12:00:00+04:00', lines: [{ lineId: '1', quantity: 1 }] }),
];

describe('program simulator', () => {
  it('should give the same figures on both sides when the draft is the program in force', async () => {
    const r = (await simulateFile(file, { current, draft: current })).report;
    expect(r.draft).toEqual(r.current);
    expect(r.tierChanges).toEqual([]);
    expect(r.topGainers).toEqual([]);
    expect(r.topLosers).toEqual([]);
  });

  it('should replay each customer in order through the engine: nth receipt, tier upgrades, returns', async () => {
    const r = (await simulateFile(file, { current, draft })).report;
    const c = r.current.totals;
    // In force: anna's 3rd receipt gets +50; silver (5 %) from the 4th receipt on (36,000 paid after 3).
    expect(c.receipts).toBe(6);
    expect(c.returns).toBe(1);
    expect(c.tierDiscount).toBe(2 * 600);
    expect(c.pointsIssued).toBe(120 + 120 + 170 + 114 + 114 + 50);
    expect(c.pointsReversed).toBe(50);
    expect(r.current.byRule.third).toEqual({ receipts: 1, points: 170 });
    expect(r.current.byTier).toMatchObject({ standard: { receipts: 4 }, silver: { receipts: 2 } });
    expect(r.current.byStore['S-01']!.returns).toBe(1);
    // Draft: silver from the 2nd receipt, vitamins ×2; boris (5,000) stays standard in both.
    const d = r.draft.totals;
    expect(d.tierDiscount).toBe(4 * 600);
    expect(d.pointsIssued).toBe(240 + 228 + 278 + 228 + 228 + 100);
    expect(r.draft.byRule.vit).toEqual({ receipts: 6, points: 240 + 228 + 278 + 228 + 228 + 100 });
    expect(r.tierChanges).toEqual([]); // anna ends silver either way
    // Boris returned all he bought: no gain either way.
    expect(r.topGainers.map((g) => g.customerId)).toEqual(['anna']);
    expect(r.topGainers[0]!.gain).toBe(d.tierDiscount - c.tierDiscount + (240 + 228 + 278 + 228 + 228) - (120 + 120 + 170 + 114 + 114));
    expect(r.current.costBps).toBe(Math.round(((c.tierDiscount + c.pointsIssued - c.pointsReversed) * 10_000) / c.revenue));
  });

  it('should count customers who would change tier', async () => {
    const r = (await simulateFile([line('carl', 1, 15_000)], { current, draft })).report;
    expect(r.tierChanges).toEqual([{ from: 'standard', to: 'silver', customers: 1 }]);
    expect(r.current.finalTiers).toEqual({ standard: 1 });
    expect(r.draft.finalTiers).toEqual({ silver: 1 });
  });

  it('should cut a burn the simulated account cannot cover, and count it', async () => {
    const stingy = program({ ...doc, earning: { base: { points: 1, per: 1000 } } });
    const r = (await simulateFile([line('dina', 1, 20_000), line('dina', 2, 10_000, { burn: { points: 200 } })], { current, draft: stingy })).report;
    expect(r.current.totals.pointsBurned).toBe(200);
    expect(r.current.totals.burnsCut).toBe(0);
    expect(r.draft.totals.pointsBurned).toBe(20);
    expect(r.draft.totals.burnsCut).toBe(1);
  });

  it('should cut a burn over the receipt\'s limit to that limit when the balance covers it', async () => {
    // 40,000 earns 400 points and reaches silver (5 %); then 600 pays 570, of which points may pay half: 285.
    const lines = [line('emil', 1, 40_000), line('emil', 2, 600, { burn: { points: 350 } })];
    const r = (await simulateFile(lines, { current, draft: current })).report;
    expect(r.current.totals.pointsBurned).toBe(285);
    expect(r.current.totals.burnsCut).toBe(1);
    expect(r.draft).toEqual(r.current);
    const p = priceReceipt(current, emptyAccount(), { occurredAt: new Date('2026-11-05T12:00:00+04:00'), lines: [{ lineId: '1', sku: 'A', category: 'x', quantityMilli: 1000, unitPrice: 600, amount: 600 }], burnPoints: 0 }, new Date('2026-11-05T12:00:00+04:00'));
    let limit = -1;
    try {
      priceReceipt(current, { ...emptyAccount(), available: 5_000, lots: { '9999-12': 5_000 } }, { occurredAt: new Date('2026-11-05T12:00:00+04:00'), lines: [{ lineId: '1', sku: 'A', category: 'x', quantityMilli: 1000, unitPrice: 600, amount: 600 }], burnPoints: 4_000 }, new Date('2026-11-05T12:00:00+04:00'));
    } catch (e) {
      expect(e).toBeInstanceOf(BurnLimitError);
      limit = (e as BurnLimitError).limit;
    }
    // The limit the error carries is the receipt's cap, as pricing at 0 points reports it.
    expect(limit).toBe(300);
    expect(p.lineCaps.reduce((a, b) => a + b, 0)).toBe(limit);
  });

  it('should warm the accounts up on the events before countFrom and count only from it', async () => {
    // Boris's receipt of 1 November is returned on the 4th, inside the period.
    const lines = [...file.slice(0, 6), JSON.stringify({ ...JSON.parse(file[6]!), at: '2026-11-04T15:00:00+04:00' }), line('zoe', 2, 9_000)];
    const countFrom = new Date('2026-11-04T00:00:00+04:00');
    const whole = (await simulateFile(lines, { current, draft })).report;
    const warmed = (await simulateFile(lines, { current, draft }, { countFrom })).report;
    const periodOnly = (await simulateFile(lines.filter((l) => (JSON.parse(l).at ?? JSON.parse(l).occurredAt) >= '2026-11-04'), { current, draft })).report;
    // Anna is silver from her 4th receipt (36,000 paid after three): the warmed-up replay knows it.
    expect(warmed.current.totals).toMatchObject({ receipts: 2, returns: 1, tierDiscount: 2 * 600, pointsIssued: 114 + 114, pointsReversed: 50, refused: 0 });
    expect(warmed.current.byTier).toEqual({ silver: expect.objectContaining({ receipts: 2 }) });
    // From empty accounts the same two receipts are a new customer's, and the return has no receipt.
    expect(periodOnly.current.totals).toMatchObject({ receipts: 2, returns: 0, tierDiscount: 0, pointsIssued: 120 + 120, refused: 1 });
    expect(periodOnly.current.refusals).toEqual({ receipt_not_replayed: 1 });
    // Zoe bought only in the warm-up: she is not one of the period's customers.
    expect(warmed.customers).toBe(2);
    expect(whole.customers).toBe(3);
    // The warm-up counts nothing and changes nothing it replays: the whole replay's figures are
    // the warm-up's alone plus the period's, on both sides, in total and per tier, store and rule.
    const before = (await simulateFile(lines.filter((l) => (JSON.parse(l).at ?? JSON.parse(l).occurredAt) < '2026-11-04'), { current, draft })).report;
    for (const side of ['current', 'draft'] as const) {
      for (const k of Object.keys(whole[side].totals) as (keyof typeof whole.current.totals)[]) {
        expect(before[side].totals[k] + warmed[side].totals[k], `${side}.${k}`).toBe(whole[side].totals[k]);
      }
      for (const [rule, r] of Object.entries(whole[side].byRule)) {
        expect((before[side].byRule[rule]?.points ?? 0) + (warmed[side].byRule[rule]?.points ?? 0)).toBe(r.points);
      }
    }
  });

  it("should start the draft's side from the accounts the program in force built, when asked", async () => {
    // A stricter draft: silver from 100,000. Anna's three warm-up receipts (36,000) made her silver in force.
    const stricter = program({ ...doc, tiers: { levels: [doc.tiers.levels[0], { ...doc.tiers.levels[1], threshold: 100_000 }] } });
    const lines = [...file.slice(0, 6), JSON.stringify({ ...JSON.parse(file[6]!), at: '2026-11-04T15:00:00+04:00' })];
    const countFrom = new Date('2026-11-04T00:00:00+04:00');
    const own = (await simulateFile(lines, { current, draft: stricter }, { countFrom })).report;
    const carried = (await simulateFile(lines, { current, draft: stricter }, { countFrom, draftWarmup: 'inForce' })).report;
    // As if in force all along, the draft never made her silver; published on the 4th, it keeps the
    // level she had (levels are lowered only by a period's review) and the receipt Boris returns.
    expect(own.draft.totals).toMatchObject({ tierDiscount: 0, returns: 1, refused: 0 });
    expect(own.tierChanges).toEqual([{ from: 'silver', to: 'standard', customers: 1 }]);
    expect(carried.draft.totals).toMatchObject({ tierDiscount: 2 * 600, returns: 1, pointsReversed: 50, refused: 0 });
    expect(carried.tierChanges).toEqual([]);
    // The side in force is the same either way, and with the draft the program in force, so is the draft's.
    expect(carried.current).toEqual(own.current);
    const same = (await simulateFile(lines, { current, draft: current }, { countFrom, draftWarmup: 'inForce' })).report;
    expect(same.draft).toEqual(same.current);
  });

  it('should give the same figures when customers are replayed in parts and merged', async () => {
    const lines = Array.from({ length: 60 }, (_, i) => line(`c${i % 13}`, 1 + (i % 28), 3_000 + 700 * (i % 11)));
    const whole = await simulateFile(lines, { current, draft }, { topN: 5 });
    const state = emptySimulation();
    for (let index = 0; index < 3; index++) mergeSimulation(state, (await simulateFile(lines, { current, draft }, { topN: 5, shard: { index, of: 3 } })).state, 5);
    expect(simulationReport(state, { current, draft })).toEqual(whole.report);
    expect(new Set(Array.from({ length: 13 }, (_, i) => customerShard(`c${i}`, 3))).size).toBeGreaterThan(1);
  });

  it('should add every figure when merging (each one is added by name)', () => {
    const from = emptySimulation();
    const keys = Object.keys(from.current.totals) as (keyof typeof from.current.totals)[];
    keys.forEach((k, i) => (from.current.totals[k] = i + 1));
    const into = emptySimulation();
    mergeSimulation(into, from);
    mergeSimulation(into, from);
    expect(into.current.totals).toEqual(Object.fromEntries(keys.map((k, i) => [k, 2 * (i + 1)])));
  });

  it('should keep the top lists bounded, biggest change first', () => {
    const state = emptySimulation();
    for (let i = 0; i < 30; i++) {
      const e = parseReplayLine(line(`x${i}`, 1, 1_000 * (i + 1)));
      if (!e.ok) throw new Error(e.message);
      simulateCustomer(state, { current, draft, topN: 3 }, `x${i}`, tillOrder([e.event] as ReplayEvent[]));
    }
    expect(state.topGainers.map((g) => g.customerId)).toEqual(['x29', 'x28', 'x27']);
  });

  it('should refuse a bad line naming the field, and replay the rest', async () => {
    const r = await simulateFile([line('eve', 1, 1_000), '{"customerId":"eve","storeId":"S-01","receiptId":"R-x","occurredAt":"yesterday","lines":[]}', 'not json'], { current, draft });
    expect(r.refusedLines).toBe(2);
    expect(r.refused[0]).toMatchObject({ line: 2, field: 'occurredAt' });
    expect(r.refused[1]).toMatchObject({ line: 3, field: '' });
    expect(r.report.current.totals.receipts).toBe(1);
  });
});
