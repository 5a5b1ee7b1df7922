/**
 * Returns by amount (price adjustments) beside returns of units: points follow money exactly, by
 * the same cumulative floors as units, and no sequence of refunds — by amount, by units, mixed —
 * ever gives back more than a line was given; all of it back gives back exactly all of it.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { emptyAccount } from '#domain/account.ts';
import { adjustPoints } from '#domain/adjustments.ts';
import { ReturnExceedsPurchaseError } from '#domain/errors.ts';
import { priceReceipt } from '#domain/pricing.ts';
import { priceReturn, type CommittedReceipt, type ReturnLineRequest } from '#domain/returns.ts';
import { line, program } from './fixtures.ts';

const base = {
  earning: {
    base: { points: 3, per: 700 },
    rounding: 'receipt' as const,
    rules: [{ id: 'first', name: 'First purchase', type: 'firstReceipt' as const, points: 77 }],
  },
  exclusions: { categories: ['rx'], skus: [] },
  redemption: { pointValue: 10, maxShareBps: 5_000, excludedCategories: ['rx'] },
};
const reverse = program(base);
const keep = program({ ...base, receipts: { maxAgeDays: 3, crossStoreReturns: false, oneTimeBonusesOnReturn: 'keep' } });

const lineArb = fc.record({
  amount: fc.integer({ min: 0, max: 500_000 }),
  quantityMilli: fc.integer({ min: 1, max: 7_000 }),
  category: fc.constantFrom('general', 'rx', 'food'),
});

/** One step: per line, a share (percent) of what is left, by amount or by units. */
const stepArb = fc.array(fc.record({ byAmount: fc.boolean(), pct: fc.integer({ min: 0, max: 100 }) }), { minLength: 10, maxLength: 10 });

const now = new Date('2026-03-15T10:00:00Z');

function bought(prog: typeof reverse, ls: Array<{ amount: number; quantityMilli: number; category: string }>, burnShare: number) {
  const start = adjustPoints(prog, emptyAccount(), 1_000_000, now).accountAfter;
  const lines = ls.map((l, i) => line(String(i), l.amount, { quantityMilli: l.quantityMilli, category: l.category }));
  const maxPoints = priceReceipt(prog, start, { occurredAt: now, lines, burnPoints: 0 }, now).burn.maxPoints;
  const p = priceReceipt(prog, start, { occurredAt: now, lines, burnPoints: Math.floor((maxPoints * burnShare) / 100) }, now);
  const receipt: CommittedReceipt = { lines: p.lines.map((l) => ({ ...l, returnedMilli: 0 })), earnLot: p.earn.lot, burnLotsRemaining: p.burnLots };
  return { start, p, receipt };
}

/** Money of a line not refunded yet, from the line's own record. */
const moneyLeft = (receipt: CommittedReceipt, lineId: string, refunded: Map<string, number>) => receipt.lines.find((l) => l.lineId === lineId)!.paid - (refunded.get(lineId) ?? 0);

describe('Property: returns by amount', () => {
  it('should give back exactly the amount asked, with points in proportion to money (floor of the cumulative share)', () => {
    fc.assert(
      fc.property(fc.array(lineArb, { minLength: 1, maxLength: 8 }), fc.integer({ min: 0, max: 100 }), fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 6 }), (ls, burnShare, pcts) => {
        let { receipt, p } = bought(reverse, ls, burnShare);
        let account = p.accountAfter;
        const refunded = new Map<string, number>();
        const reversed = new Map<string, number>();
        const burnedBack = new Map<string, number>();
        for (const pct of pcts) {
          const request = receipt.lines
            .map((l) => ({ lineId: l.lineId, amount: Math.floor((moneyLeft(receipt, l.lineId, refunded) * pct) / 100) }))
            .filter((r) => r.amount > 0);
          if (request.length === 0) continue;
          const r = priceReturn(reverse, account, receipt, request, now);
          for (const l of r.lines) {
            expect(l.refund).toBe(l.amount);
            expect(l.quantityMilli).toBe(0);
            refunded.set(l.lineId, (refunded.get(l.lineId) ?? 0) + l.refund);
            reversed.set(l.lineId, (reversed.get(l.lineId) ?? 0) + l.pointsReversed);
            burnedBack.set(l.lineId, (burnedBack.get(l.lineId) ?? 0) + l.pointsRefunded);
          }
          receipt = r.receiptAfter;
          account = r.accountAfter;
        }
        // After R of P refunded, a line has given back floor(x·R/P) of every x: exactly proportional to money.
        for (const l of p.lines) {
          const R = refunded.get(l.lineId) ?? 0;
          if (l.paid === 0) continue;
          expect(reversed.get(l.lineId) ?? 0).toBe(Math.floor((l.pointsEarned * R) / l.paid));
          expect(burnedBack.get(l.lineId) ?? 0).toBe(Math.floor((l.pointsBurned * R) / l.paid));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('should never give back more than a line was given through any mix of amounts and units, and exactly all of it at the end', () => {
    fc.assert(
      fc.property(
        fc.array(lineArb, { minLength: 1, maxLength: 10 }),
        fc.integer({ min: 0, max: 100 }),
        fc.array(stepArb, { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        (ls, burnShare, steps, keepBonuses) => {
          const prog = keepBonuses ? keep : reverse;
          let { receipt, p, start } = bought(prog, ls, burnShare);
          let account = p.accountAfter;
          const back = new Map(p.lines.map((l) => [l.lineId, { refund: 0, reversed: 0, burned: 0 }]));
          const refunded = new Map<string, number>();
          const apply = (request: ReturnLineRequest[]) => {
            const r = priceReturn(prog, account, receipt, request, now);
            for (const l of r.lines) {
              const b = back.get(l.lineId)!;
              b.refund += l.refund;
              b.reversed += l.pointsReversed;
              b.burned += l.pointsRefunded;
              refunded.set(l.lineId, (refunded.get(l.lineId) ?? 0) + l.refund);
            }
            receipt = r.receiptAfter;
            account = r.accountAfter;
            return r;
          };
          for (const step of steps) {
            const request: ReturnLineRequest[] = [];
            receipt.lines.forEach((l, i) => {
              const s = step[i]!;
              if (s.byAmount) {
                const amount = Math.floor((moneyLeft(receipt, l.lineId, refunded) * s.pct) / 100);
                if (amount > 0) request.push({ lineId: l.lineId, amount });
              } else {
                const quantityMilli = Math.floor(((l.quantityMilli - l.returnedMilli) * s.pct) / 100);
                if (quantityMilli > 0) request.push({ lineId: l.lineId, quantityMilli });
              }
            });
            if (request.length) apply(request);
            for (const l of p.lines) {
              const b = back.get(l.lineId)!;
              expect(b.refund).toBeLessThanOrEqual(l.paid);
              expect(b.reversed).toBeLessThanOrEqual(l.pointsEarned - (l.pointsKept ?? 0));
              expect(b.burned).toBeLessThanOrEqual(l.pointsBurned);
            }
          }
          // Asking for one more unit or one more minor unit than is left is refused, and changes nothing.
          const l0 = receipt.lines[0]!;
          const over = moneyLeft(receipt, l0.lineId, refunded) + 1;
          expect(() => priceReturn(prog, account, receipt, [{ lineId: l0.lineId, amount: over }], now)).toThrow(ReturnExceedsPurchaseError);
          expect(() => priceReturn(prog, account, receipt, [{ lineId: l0.lineId, quantityMilli: l0.quantityMilli - l0.returnedMilli + 1 }], now)).toThrow(ReturnExceedsPurchaseError);
          // The rest comes back: the money left by amount where any is left, the units left otherwise.
          const rest: ReturnLineRequest[] = receipt.lines.flatMap((l): ReturnLineRequest[] => {
            const money = moneyLeft(receipt, l.lineId, refunded);
            if (money > 0) return [{ lineId: l.lineId, amount: money }];
            const units = l.quantityMilli - l.returnedMilli;
            return units > 0 ? [{ lineId: l.lineId, quantityMilli: units }] : [];
          });
          if (rest.length) apply(rest);
          for (const l of p.lines) {
            const b = back.get(l.lineId)!;
            expect(b.refund).toBe(l.paid);
            expect(b.reversed).toBe(l.pointsEarned - (l.pointsKept ?? 0));
            expect(b.burned).toBe(l.pointsBurned);
          }
          // The customer keeps exactly the one-time bonus where the program says so, and nothing else.
          const kept = p.lines.reduce((s, l) => s + (l.pointsKept ?? 0), 0);
          expect(account.available).toBe(start.available + kept);
          if (!keepBonuses) expect(kept).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('should give back by units exactly what the unit formula gives when no amount was refunded', () => {
    fc.assert(
      fc.property(lineArb, fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 5 }), (l, pcts) => {
        let { receipt, p } = bought(reverse, [{ ...l, category: 'general' }], 50);
        let account = p.accountAfter;
        const x = p.lines[0]!;
        for (const pct of pcts) {
          const r0 = receipt.lines[0]!.returnedMilli;
          const k = Math.floor(((x.quantityMilli - r0) * pct) / 100);
          if (k === 0) continue;
          const r = priceReturn(reverse, account, receipt, [{ lineId: '0', quantityMilli: k }], now);
          const share = (v: number) => Math.floor((v * (r0 + k)) / x.quantityMilli) - Math.floor((v * r0) / x.quantityMilli);
          expect(r.lines[0]).toMatchObject({ refund: share(x.paid), pointsReversed: share(x.pointsEarned), pointsRefunded: share(x.pointsBurned) });
          receipt = r.receiptAfter;
          account = r.accountAfter;
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('Units after a full refund by amount', () => {
  it('should give back nothing more and not undo the receipt’s coupons or rewards a second time', () => {
    const prog = program({ ...base, coupons: [{ id: 'c', code: 'C10', name: '10 %', reward: { type: 'percent', bps: 1_000 } }] });
    const p = priceReceipt(prog, emptyAccount(), { occurredAt: now, lines: [line('1', 10_000, { quantityMilli: 2000 })], burnPoints: 0, coupons: ['C10-AAAA'] }, now);
    const receipt: CommittedReceipt = { lines: p.lines.map((l) => ({ ...l, returnedMilli: 0 })), earnLot: p.earn.lot, burnLotsRemaining: p.burnLots, coupons: [{ code: 'C10-AAAA', campaignId: 'c' }] };
    const money = priceReturn(prog, p.accountAfter, receipt, [{ lineId: '1', amount: p.lines[0]!.paid }], now);
    expect(money.restoreCoupons).toEqual(['C10-AAAA']);
    expect(money.totals.pointsReversed).toBe(p.totals.pointsEarned);
    const units = priceReturn(prog, money.accountAfter, money.receiptAfter, [{ lineId: '1', quantityMilli: 2000 }], now);
    expect(units.totals).toEqual({ refund: 0, pointsReversed: 0, pointsRefunded: 0 });
    expect(units.restoreCoupons).toEqual([]);
    expect(units.entries).toEqual([]);
    expect(units.accountAfter).toEqual(money.accountAfter);
  });
});

describe('One-time bonuses on a full return', () => {
  const lines = [line('1', 60_000, { category: 'general' }), line('2', 40_000, { category: 'food' })];
  it.each([
    ['reverse', reverse, 0],
    ['keep', keep, 77],
  ] as const)('should leave %s: the first-purchase bonus after the whole receipt comes back', (_name, prog, left) => {
    const p = priceReceipt(prog, emptyAccount(), { occurredAt: now, lines, burnPoints: 0 }, now);
    expect(p.earn.rules).toContain('first');
    // 100,000 at 3 per 700 = 428 base points, + 77 for the first purchase.
    expect(p.totals.pointsEarned).toBe(428 + 77);
    const receipt: CommittedReceipt = { lines: p.lines.map((l) => ({ ...l, returnedMilli: 0 })), earnLot: p.earn.lot, burnLotsRemaining: p.burnLots };
    const half = priceReturn(prog, p.accountAfter, receipt, [{ lineId: '1', amount: 30_000 }], now);
    const all = priceReturn(prog, half.accountAfter, half.receiptAfter, [{ lineId: '1', amount: 30_000 }, { lineId: '2', quantityMilli: 1000 }], now);
    expect(half.totals.pointsReversed + all.totals.pointsReversed).toBe(428 + 77 - left);
    expect(all.accountAfter.available).toBe(left);
  });
});
