import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { emptyAccount } from '#domain/account.ts';
import {
  addDraws,
  budgetRefusal,
  hasGlobalLimit,
  noCounters,
  noDraw,
  periodOf,
  programBudgets,
  recordCustomerDraws,
  shardFor,
  shardLimits,
  totalUsed,
  type Budget,
  type Draw,
} from '#domain/budgets.ts';
import { priceReceipt } from '#domain/pricing.ts';
import { parseProgram } from '#domain/program.ts';

const tz = 'Asia/Yerevan';
const at = (iso: string) => new Date(iso);

describe('Budget periods (program time)', () => {
  it('should name days, ISO weeks and months in the program time zone', () => {
    // 21:00 UTC on 30 November is already 1 December in Yerevan (UTC+4).
    expect(periodOf('day', at('2026-11-30T21:00:00Z'), tz)).toBe('2026-12-01');
    expect(periodOf('month', at('2026-11-30T21:00:00Z'), tz)).toBe('2026-12');
    expect(periodOf('ever', at('2026-11-30T21:00:00Z'), tz)).toBe('ever');
    expect(periodOf('week', at('2026-11-16T00:00:00+04:00'), tz)).toBe('2026-W47');
    expect(periodOf('week', at('2026-11-22T23:59:00+04:00'), tz)).toBe('2026-W47');
    expect(periodOf('week', at('2026-11-23T00:00:00+04:00'), tz)).toBe('2026-W48');
  });

  it('should give days around New Year the ISO week of their Thursday', () => {
    expect(periodOf('week', at('2026-12-31T12:00:00+04:00'), tz)).toBe('2026-W53');
    expect(periodOf('week', at('2027-01-03T12:00:00+04:00'), tz)).toBe('2026-W53');
    expect(periodOf('week', at('2027-01-04T12:00:00+04:00'), tz)).toBe('2027-W01');
    expect(periodOf('week', at('2024-12-30T12:00:00+04:00'), tz)).toBe('2025-W01');
  });
});

describe('Budget refusals', () => {
  const budget: Budget = { grants: 3, points: 100, perCustomer: { per: 'week', grants: 1 } };
  const draw = { grants: 1, points: 40, amount: 0 };
  const now = at('2026-11-18T12:00:00+04:00');

  it('should hold used + n <= total on every global limit', () => {
    expect(budgetRefusal(budget, 'rule:r', draw, { used: { 'rule:r': [{ grants: 2, points: 60, amount: 0 }] }, seed: 0 }, emptyAccount(), now, tz)).toBeNull();
    expect(budgetRefusal(budget, 'rule:r', draw, { used: { 'rule:r': [{ grants: 2, points: 61, amount: 0 }] }, seed: 0 }, emptyAccount(), now, tz)).toEqual({ reason: 'budget', scope: 'global' });
    expect(budgetRefusal(budget, 'rule:r', draw, { used: { 'rule:r': [{ grants: 3, points: 0, amount: 0 }] }, seed: 0 }, emptyAccount(), now, tz)).toEqual({ reason: 'budget', scope: 'global' });
    // What the same receipt already drew on the key counts too (two codes of one campaign).
    expect(budgetRefusal(budget, 'rule:r', draw, noCounters, emptyAccount(), now, tz, { grants: 0, points: 70, amount: 0 })).toEqual({ reason: 'budget', scope: 'global' });
  });

  it('should count the customer per period, start afresh in the next, and refuse a receipt from an earlier one', () => {
    const used = recordCustomerDraws(emptyAccount(), [{ key: 'rule:r', budget, draw }], now, tz);
    expect(used.budgetUses).toEqual({ 'rule:r': { period: '2026-W47', grants: 1, points: 40 } });
    expect(budgetRefusal(budget, 'rule:r', draw, noCounters, used, now, tz)).toEqual({ reason: 'budget', scope: 'customer' });
    const nextWeek = at('2026-11-23T09:00:00+04:00');
    expect(budgetRefusal(budget, 'rule:r', draw, noCounters, used, nextWeek, tz)).toBeNull();
    const moved = recordCustomerDraws(used, [{ key: 'rule:r', budget, draw }], nextWeek, tz);
    expect(moved.budgetUses['rule:r']).toEqual({ period: '2026-W48', grants: 1, points: 40 });
    // A till that was offline posts last week's receipt: its week's use is no longer known.
    expect(budgetRefusal(budget, 'rule:r', draw, noCounters, moved, at('2026-11-20T12:00:00+04:00'), tz)).toEqual({ reason: 'budget', scope: 'customer' });
  });
});

describe('Budget shards', () => {
  it('should split a "first N" budget over up to 8 shards whose shares add up to N, and keep points budgets whole', () => {
    const ten: Budget = { grants: 10 };
    expect(Array.from({ length: 8 }, (_, i) => shardLimits(ten, i).grants)).toEqual([2, 2, 1, 1, 1, 1, 1, 1]);
    expect(shardLimits({ grants: 3 }, 2).grants).toBe(1);
    expect(shardLimits({ grants: 10, points: 500 }, 0)).toEqual({ grants: 10, points: 500, amount: undefined });
  });

  it('should let the seed pick among the shards with room, until every share is taken', () => {
    const ten: Budget = { grants: 10 };
    const one = { grants: 1, points: 0, amount: 0 };
    expect(shardFor(ten, [], one, 13)).toBe(5);
    const used = [2, 2, 1, 1, 1, 1, 1, 0].map((g) => ({ grants: g, points: 0, amount: 0 }));
    expect(shardFor(ten, used, one, 3)).toBe(7);
    expect(shardFor(ten, [...used.slice(0, 6), { grants: 0, points: 0, amount: 0 }, used[7]!], one, 3)).toBe(7);
    expect(shardFor(ten, [...used.slice(0, 6), { grants: 0, points: 0, amount: 0 }, used[7]!], one, 4)).toBe(6);
    used[7] = one;
    expect(shardFor(ten, used, one, 3)).toBe(-1);
    expect(budgetRefusal(ten, 'rule:r', one, { used: { 'rule:r': used }, seed: 3 }, emptyAccount(), new Date(), tz)).toEqual({ reason: 'budget', scope: 'global' });
  });
});

describe('Budgets over random receipts (property)', () => {
  const budgetArb = fc.oneof(
    fc.record({ grants: fc.integer({ min: 1, max: 12 }) }),
    fc.record({ points: fc.integer({ min: 1, max: 400 }) }),
    fc.record({ grants: fc.integer({ min: 1, max: 12 }), perCustomer: fc.record({ per: fc.constantFrom('day', 'week', 'ever'), grants: fc.integer({ min: 1, max: 3 }) }) }),
    fc.record({ perCustomer: fc.record({ per: fc.constantFrom('day', 'month'), points: fc.integer({ min: 1, max: 200 }) }) }),
  );
  const ruleArb = fc.oneof(
    fc.record({ type: fc.constant('receiptAmount'), minAmount: fc.integer({ min: 1, max: 5_000 }), points: fc.integer({ min: 1, max: 120 }) }),
    fc.record({ type: fc.constant('pointsPerItem'), points: fc.integer({ min: 1, max: 40 }), products: fc.constant({ skus: ['A', 'B'] }) }),
    fc.record({ type: fc.constant('firstReceipt'), points: fc.integer({ min: 1, max: 100 }) }),
  );
  const programArb = fc.array(fc.tuple(ruleArb, budgetArb, fc.constantFrom('stack', 'exclusive')), { minLength: 1, maxLength: 4 }).map((rules) => {
    const r = parseProgram({
      name: 'budgets',
      currency: 'EUR',
      timeZone: 'Europe/Budapest',
      earning: { base: { points: 1, per: 100 }, rules: rules.map(([rule, budget, stacking], i) => ({ id: `r${i}`, name: `r${i}`, stacking, ...rule, budget })) },
    });
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    return r.program;
  });
  const receiptsArb = fc.array(
    fc.record({ customer: fc.integer({ min: 0, max: 3 }), day: fc.integer({ min: 0, max: 20 }), amount: fc.integer({ min: 100, max: 9_000 }), sku: fc.constantFrom('A', 'B', 'C'), quantity: fc.integer({ min: 1, max: 3 }) }),
    { maxLength: 40 },
  );

  it('should never draw past a global limit or a customer’s limit, and keep every counter = Σ its ledger draws', () => {
    fc.assert(
      fc.property(programArb, receiptsArb, (program, receipts) => {
        const shards: Record<string, Draw[]> = {};
        const fromLedger: Record<string, Draw> = {};
        const accounts = [0, 1, 2, 3].map(() => emptyAccount());
        const perPeriod: Record<string, Draw> = {};
        for (const [n, r] of receipts.map((x, i) => [i, x] as const).sort((a, b) => a[1].day - b[1].day || a[0] - b[0])) {
          const at = new Date(Date.UTC(2026, 10, 2 + r.day, 10, n));
          const pricing = priceReceipt(
            program,
            accounts[r.customer]!,
            {
              occurredAt: at,
              burnPoints: 0,
              lines: [{ lineId: '1', sku: r.sku, category: 'food', quantityMilli: r.quantity * 1000, unitPrice: r.amount, amount: r.amount * r.quantity }],
              budgets: { used: shards, seed: r.customer * 7 + n },
            },
            at,
          );
          // What the commit's conditional updates do: each draw on the shard its seed picks.
          for (const d of pricing.budgets.draws) {
            if (hasGlobalLimit(d.budget)) {
              const i = shardFor(d.budget, shards[d.key], d.draw, r.customer * 7 + n);
              expect(i).toBeGreaterThanOrEqual(0);
              const list = (shards[d.key] ??= []);
              list[i] = addDraws(list[i] ?? noDraw, d.draw);
            }
            if (d.budget.perCustomer) {
              const k = `${r.customer}|${d.key}|${periodOf(d.budget.perCustomer.per, at, program.timeZone)}`;
              perPeriod[k] = addDraws(perPeriod[k] ?? noDraw, d.draw);
              expect(perPeriod[k]!.grants).toBeLessThanOrEqual(d.budget.perCustomer.grants ?? Infinity);
              expect(perPeriod[k]!.points).toBeLessThanOrEqual(d.budget.perCustomer.points ?? Infinity);
            }
          }
          for (const e of pricing.entries) for (const [k, d] of Object.entries(e.budgets ?? {})) fromLedger[k] = addDraws(fromLedger[k] ?? noDraw, d);
          accounts[r.customer] = pricing.accountAfter;
        }
        for (const b of programBudgets(program)) {
          const used = totalUsed(shards[b.key]);
          expect(used.grants).toBeLessThanOrEqual(b.budget.grants ?? Infinity);
          expect(used.points).toBeLessThanOrEqual(b.budget.points ?? Infinity);
          if (hasGlobalLimit(b.budget)) expect(used).toEqual(fromLedger[b.key] ?? noDraw);
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe('Why a budgeted rule did not apply', () => {
  it('should name the budget as the first reason, in the rules’ priority order, once a campaign is spent', () => {
    const r = parseProgram({
      name: 'explain budgets',
      currency: 'EUR',
      timeZone: tz,
      earning: {
        base: { points: 1, per: 100 },
        rules: [
          { id: 'launch', name: 'Launch', type: 'firstReceipt', points: 50, priority: 200, budget: { grants: 1 } },
          { id: 'weekend', name: 'Weekend', type: 'multiplier', multiplier: 2, priority: 100, when: { daysOfWeek: [6, 7] } },
        ],
      },
    });
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    const draft = (used: Draw[]) => ({
      occurredAt: at('2026-11-18T12:00:00+04:00'), // a Wednesday
      burnPoints: 0,
      lines: [{ lineId: '1', sku: 'A', category: 'food', quantityMilli: 1000, unitPrice: 1000, amount: 1000 }],
      budgets: { used: { 'rule:launch': used }, seed: 0 },
    });
    const now = at('2026-11-18T12:00:00+04:00');
    // Budget left: the rule applies; only the weekend rule misses, on its day.
    expect(priceReceipt(r.program, emptyAccount(), draft([]), now).earn.misses).toEqual([{ kind: 'rule', id: 'weekend', reason: 'dayOfWeek' }]);
    // Spent: the launch bonus is out for its budget, listed first (higher priority).
    const spent = priceReceipt(r.program, emptyAccount(), draft([{ grants: 1, points: 50, amount: 0 }]), now);
    expect(spent.earn.rules).not.toContain('launch');
    expect(spent.earn.misses).toEqual([
      { kind: 'rule', id: 'launch', reason: 'budget' },
      { kind: 'rule', id: 'weekend', reason: 'dayOfWeek' },
    ]);
  });
});
