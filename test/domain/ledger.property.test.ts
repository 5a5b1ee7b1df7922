import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { emptyAccount, type Account, type LedgerEntry } from '#domain/account.ts';
import { adjustPoints } from '#domain/adjustments.ts';
import { DomainError } from '#domain/errors.ts';
import { priceReceipt } from '#domain/pricing.ts';
import { priceReturn, type CommittedReceipt } from '#domain/returns.ts';
import { line, program } from './fixtures.ts';

const prog = program({
  earning: { base: { points: 3, per: 700 }, rounding: 'receipt' },
  exclusions: { categories: ['rx'], skus: [] },
  redemption: { pointValue: 10, maxShareBps: 5_000, excludedCategories: ['rx'] },
  expiry: { afterMonths: 2 },
  tiers: { levels: [{ id: 'a', name: 'A', threshold: 0, discountBps: 0 }, { id: 'b', name: 'B', threshold: 100_000, discountBps: 300 }] },
});

const lineArb = fc.record({
  amount: fc.integer({ min: 0, max: 500_000 }),
  quantityMilli: fc.integer({ min: 1, max: 7_000 }),
  category: fc.constantFrom('general', 'rx', 'food'),
});

const op = fc.oneof(
  fc.record({ kind: fc.constant('buy' as const), lines: fc.array(lineArb, { minLength: 1, maxLength: 8 }), burnShare: fc.integer({ min: 0, max: 100 }) }),
  fc.record({ kind: fc.constant('return' as const), pick: fc.nat(), fractions: fc.array(fc.integer({ min: 0, max: 100 }), { maxLength: 8 }) }),
  fc.record({ kind: fc.constant('adjust' as const), points: fc.integer({ min: -500, max: 500 }) }),
  fc.record({ kind: fc.constant('wait' as const), days: fc.integer({ min: 1, max: 80 }) }),
);

const lotSum = (a: Account) => Object.values(a.lots).reduce((s, n) => s + n, 0);

describe('Property: ledger', () => {
  it('should keep balance = Σ ledger = Σ lots − debt through any commits, returns, adjustments and expiries', () => {
    // Refusals (a burn that no longer fits, an adjustment below zero) are part of the property,
    // but a run where nearly everything is refused would prove nothing: count both, and require
    // that most operations of each kind went through.
    const tried = { buy: 0, return: 0, adjust: 0 };
    const accepted = { buy: 0, return: 0, adjust: 0 };
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        let account = emptyAccount();
        let now = new Date('2026-01-10T09:00:00Z');
        const ledger: LedgerEntry[] = [];
        const receipts: Array<{ receipt: CommittedReceipt; earned: number; burned: number }> = [];
        const record = (entries: readonly LedgerEntry[]) => ledger.push(...entries);

        for (const o of ops) {
          const counted = o.kind !== 'wait' && !(o.kind === 'return' && receipts.length === 0);
          if (counted) tried[o.kind as keyof typeof tried]++;
          try {
            if (o.kind === 'buy') {
              const lines = o.lines.map((l, i) => line(String(i), l.amount, { quantityMilli: l.quantityMilli, category: l.category }));
              const quote = priceReceipt(prog, account, { occurredAt: now, lines, burnPoints: 0 }, now);
              const burnPoints = Math.floor((quote.burn.maxPoints * o.burnShare) / 100);
              const p = priceReceipt(prog, account, { occurredAt: now, lines, burnPoints }, now);
              expect(p.totals.pointsEarned).toBe(p.lines.reduce((s, l) => s + l.pointsEarned, 0));
              expect(p.lines.every((l) => l.paid >= 0 && l.pointsEarned >= 0)).toBe(true);
              account = p.accountAfter;
              record(p.entries);
              receipts.push({
                receipt: { lines: p.lines.map((l) => ({ ...l, returnedMilli: 0 })), earnLot: p.earn.lot, burnLotsRemaining: p.burnLots },
                earned: p.totals.pointsEarned,
                burned: burnPoints,
              });
            } else if (o.kind === 'return' && receipts.length > 0) {
              const target = receipts[o.pick % receipts.length]!;
              const request = target.receipt.lines
                .map((l, i) => ({ lineId: l.lineId, quantityMilli: Math.floor(((l.quantityMilli - l.returnedMilli) * (o.fractions[i] ?? 0)) / 100) }))
                .filter((r) => r.quantityMilli > 0);
              const r = priceReturn(prog, account, target.receipt, request, now);
              account = r.accountAfter;
              record(r.entries);
              target.receipt = r.receiptAfter;
            } else if (o.kind === 'adjust') {
              const a = adjustPoints(prog, account, o.points, now);
              account = a.accountAfter;
              record(a.entries);
            } else if (o.kind === 'wait') {
              now = new Date(now.getTime() + o.days * 86_400_000);
            }
            if (counted) accepted[o.kind as keyof typeof accepted]++;
          } catch (e) {
            if (!(e instanceof DomainError)) throw e;
          }
          const ledgerSum = ledger.reduce((s, e) => s + e.points, 0);
          expect(account.available).toBe(ledgerSum);
          expect(account.available).toBe(lotSum(account) - account.debt);
          expect(Object.values(account.lots).every((n) => n > 0)).toBe(true);
          expect(account.debt).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 300 },
    );
    console.log('ledger property: operations tried / accepted', JSON.stringify({ tried, accepted }));
    for (const kind of ['buy', 'return', 'adjust'] as const) {
      expect(tried[kind], kind).toBeGreaterThan(100);
      expect(accepted[kind] / tried[kind], `share of ${kind} operations accepted`).toBeGreaterThan(0.5);
    }
  });

  it('should reverse exactly what a receipt earned and burned when all of it comes back, in any number of steps', () => {
    fc.assert(
      fc.property(
        fc.array(lineArb, { minLength: 1, maxLength: 10 }),
        fc.integer({ min: 0, max: 100 }),
        fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 5 }),
        (ls, burnShare, steps) => {
          const now = new Date('2026-03-15T10:00:00Z');
          const start = adjustPoints(prog, emptyAccount(), 1_000_000, now).accountAfter;
          const lines = ls.map((l, i) => line(String(i), l.amount, { quantityMilli: l.quantityMilli, category: l.category }));
          const maxPoints = priceReceipt(prog, start, { occurredAt: now, lines, burnPoints: 0 }, now).burn.maxPoints;
          const p = priceReceipt(prog, start, { occurredAt: now, lines, burnPoints: Math.floor((maxPoints * burnShare) / 100) }, now);
          let receipt: CommittedReceipt = { lines: p.lines.map((l) => ({ ...l, returnedMilli: 0 })), earnLot: p.earn.lot, burnLotsRemaining: p.burnLots };
          let account = p.accountAfter;
          let reversed = 0;
          let refunded = 0;
          let refund = 0;
          for (const [i, pct] of [...steps, 100].entries()) {
            const request = receipt.lines
              .map((l) => ({ lineId: l.lineId, quantityMilli: i === steps.length ? l.quantityMilli - l.returnedMilli : Math.floor(((l.quantityMilli - l.returnedMilli) * pct) / 100) }))
              .filter((r) => r.quantityMilli > 0);
            const r = priceReturn(prog, account, receipt, request, now);
            receipt = r.receiptAfter;
            account = r.accountAfter;
            reversed += r.totals.pointsReversed;
            refunded += r.totals.pointsRefunded;
            refund += r.totals.refund;
          }
          expect(reversed).toBe(p.totals.pointsEarned);
          expect(refunded).toBe(p.totals.pointsBurned);
          expect(refund).toBe(p.totals.paid);
          expect(account.available).toBe(start.available);
        },
      ),
      { numRuns: 300 },
    );
  });
});
