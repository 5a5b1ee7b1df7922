/**
 * The simulator's figures for the program in force equal what the real commits recorded: the
 * same receipts and returns go through the till (the real handlers on DynamoDB Local), then the
 * simulator replays them as a file, and every total is compared with the answers, the ledgers
 * and the customers' tiers the till left behind.
 */
import { describe, expect, it } from 'vitest';
import { parseProgram } from '../../lib/domain/program.ts';
import { simulateFile } from '../../lib/app/simulate-file.ts';
import { newTenant, receipt } from '../integration/harness.ts';

const document = {
  name: 'Equality',
  currency: 'AMD',
  timeZone: 'Asia/Yerevan',
  earning: {
    base: { points: 1, per: 100 },
    rules: [
      { id: 'third', name: 'Every 3rd +40', type: 'nthReceipt', every: 3, points: 40 },
      { id: 'big', name: '+25 over 15,000', type: 'receiptAmount', minAmount: 15_000, points: 25 },
      { id: 'vit', name: 'Vitamins ×2', type: 'multiplier', multiplier: 2, products: { categories: ['vitamins'] } },
    ],
    caps: { perDay: 400 },
  },
  exclusions: { categories: ['rx'], skus: [] },
  redemption: { pointValue: 10, maxShareBps: 5000, excludedCategories: ['rx'] },
  expiry: { afterMonths: 12 },
  receipts: { maxAgeDays: 3650, crossStoreReturns: true },
  bonuses: { tierUpgrade: 100 },
  tiers: {
    levels: [
      { id: 'standard', name: 'Standard', threshold: 0, discountBps: 0 },
      { id: 'silver', name: 'Silver', threshold: 20_000, discountBps: 300 },
      { id: 'gold', name: 'Gold', threshold: 60_000, discountBps: 700, earnMultiplier: 1.5 },
    ],
  },
};

describe('simulator against the real commits', () => {
  it('should find, under the program in force, exactly what the till recorded: points, discounts, burns, reversals and tiers', async () => {
    const t = await newTenant(document);
    const parsed = parseProgram(document);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    const program = parsed.program;

    const customers: Array<{ card: string; customerId: string }> = [];
    for (let c = 0; c < 4; c++) {
      const r = await t.pos('POST', '/v1/customers', { consents: {} });
      customers.push({ card: r.body.card, customerId: r.body.customerId });
    }
    const file: string[] = [];
    const answers: Array<{ pointsEarned: number; pointsBurned: number; tierDiscount: number; paid: number; amount: number; bonus: number }> = [];
    const bodies: Array<ReturnType<typeof receipt>> = [];
    // Three customers shop often (tiers go up); the fourth once, and stays standard.
    for (let i = 0; i < 13; i++) {
      const who = customers[i < 12 ? i % 3 : 3]!;
      const day = String(2 + i).padStart(2, '0');
      const body = receipt(
        who.card,
        [
          { amount: i < 12 ? 6_000 + 1_500 * i : 2_000, category: i % 2 ? 'vitamins' : 'otc', sku: `SKU-${i}` },
          { amount: 3_000, category: 'rx', sku: 'RX-1' },
        ],
        { occurredAt: `2026-11-${day}T1${i % 10}:00:00+04:00`, ...(i >= 6 && i < 12 ? { burn: { points: 30 + i } } : {}) },
      );
      bodies.push(body);
      const r = await (i % 2 ? t.pos2 : t.pos)('POST', '/v1/receipts', body);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      answers.push({ ...r.body.totals, bonus: r.body.tierUpgrade?.bonusPoints ?? 0 });
      const { customer: _c, currency: _cur, ...rest } = body;
      file.push(JSON.stringify({ ...rest, customerId: who.customerId, storeId: i % 2 ? 'S-02' : 'S-01', committedAt: r.body.committedAt }));
    }
    // A partial return and a full one.
    for (const [n, quantity, line] of [[1, 1, '1'], [4, 1, '2']] as const) {
      const body = { returnId: `RET-${n}-${Date.now()}`, receiptId: bodies[n]!.receiptId, receiptStoreId: n % 2 ? 'S-02' : 'S-01', lines: [{ lineId: line, quantity }] };
      const r = await t.pos('POST', '/v1/returns', body);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      file.push(JSON.stringify({ type: 'return', customerId: customers[n % 3]!.customerId, storeId: 'S-01', ...body, at: r.body.at }));
    }

    const result = await simulateFile(file, { current: program, draft: program });
    expect(result.refusedLines).toBe(0);
    const sim = result.report.current.totals;
    const total = (k: keyof (typeof answers)[number]) => answers.reduce((s, a) => s + a[k], 0);
    expect(sim).toMatchObject({
      receipts: 13,
      returns: 2,
      revenue: total('amount'),
      paid: total('paid'),
      tierDiscount: total('tierDiscount'),
      pointsBurned: total('pointsBurned'),
      pointsIssued: total('pointsEarned') + total('bonus'),
      burnsCut: 0,
      refused: 0,
    });
    expect(total('bonus')).toBeGreaterThan(0);

    // The ledgers: what the till wrote per kind, over every customer.
    const ledger: Record<string, number> = {};
    const tiers: Record<string, number> = {};
    for (const c of customers) {
      const l = await t.staff('GET', `/v1/customers/${c.customerId}/ledger?limit=200`);
      for (const e of l.body.entries) ledger[e.kind] = (ledger[e.kind] ?? 0) + e.points;
      const tier = (await t.staff('GET', `/v1/customers/${c.customerId}`)).body.tier?.id ?? 'none';
      tiers[tier] = (tiers[tier] ?? 0) + 1;
    }
    expect(sim.pointsIssued).toBe((ledger.earn ?? 0) + (ledger.bonus ?? 0));
    expect(sim.pointsBurned).toBe(-(ledger.burn ?? 0));
    expect(sim.pointsReversed).toBe(-(ledger.earn_reversal ?? 0));
    expect(sim.pointsRefunded).toBe(ledger.burn_refund ?? 0);
    expect(sim.pointsReversed).toBeGreaterThan(0);
    expect(result.report.current.finalTiers).toEqual(tiers);
    expect(Object.keys(tiers).length).toBeGreaterThan(1);
  });
});
