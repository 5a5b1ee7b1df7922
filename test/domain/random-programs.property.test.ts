import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { emptyAccount, type Account, type LedgerEntry } from '#domain/account.ts';
import { adjustPoints } from '#domain/adjustments.ts';
import { DomainError } from '#domain/errors.ts';
import { pendingTotal } from '#domain/pending.ts';
import { priceReceipt, type ReceiptLine } from '#domain/pricing.ts';
import { parseProgram, type Program } from '#domain/program.ts';
import { priceReturn, type CommittedReceipt, type ReturnLineRequest } from '#domain/returns.ts';

const skus = ['A', 'B', 'C', 'D', 'RX1'];
const cats = ['food', 'care', 'rx'];
const brands = ['acme', 'zen', 'own'];

const when = fc.option(
  fc.record({
    daysOfWeek: fc.option(fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 7 }), { nil: undefined }),
    stores: fc.option(fc.constant(['S-1']), { nil: undefined }),
    minimum: fc.option(fc.record({ amount: fc.integer({ min: 1, max: 300_000 }), of: fc.constantFrom('beforeDiscounts', 'afterDiscounts') }), { nil: undefined }),
  }),
  { nil: undefined },
);

/** Products by SKU, narrowed by brand, less a flag: every way a rule selects lines. */
const products = fc.record({
  skus: fc.subarray(skus),
  attributes: fc.option(fc.record({ brand: fc.subarray(brands, { minLength: 1 }) }), { nil: undefined }),
  exclude: fc.option(fc.record({ attributes: fc.constant({ promo: ['yes'] }) }), { nil: undefined }),
});

const rule = fc.oneof(
  fc.record({ type: fc.constant('multiplier'), multiplier: fc.constantFrom(0.5, 1.5, 2, 3, 1.1), products: fc.option(products, { nil: undefined }), when }),
  fc.record({
    type: fc.constant('attributeMultiplier'),
    attribute: fc.constant('brand'),
    multipliers: fc.record({ acme: fc.constantFrom(0, 0.5, 2, 3), zen: fc.constantFrom(0, 1.25, 4) }, { requiredKeys: ['acme'] }),
    products: fc.option(products, { nil: undefined }),
    when,
  }),
  fc.record({ type: fc.constant('pointsPerItem'), points: fc.integer({ min: 0, max: 50 }), products: fc.record({ skus: fc.subarray(skus, { minLength: 1 }) }), when }),
  fc.record({ type: fc.constant('itemCount'), minItems: fc.integer({ min: 1, max: 6 }), points: fc.integer({ min: 0, max: 100 }), when }),
  fc.record({ type: fc.constant('receiptAmount'), minAmount: fc.integer({ min: 1, max: 50_000 }), points: fc.integer({ min: 0, max: 100 }), when }),
  fc.record({ type: fc.constant('nthReceipt'), every: fc.integer({ min: 2, max: 4 }), points: fc.integer({ min: 0, max: 100 }) }),
  fc.record({ type: fc.constant('firstReceipt'), points: fc.integer({ min: 0, max: 100 }) }),
  fc.record({ type: fc.constant('lifetimeSpend'), threshold: fc.integer({ min: 1, max: 100_000 }), points: fc.integer({ min: 0, max: 500 }) }),
);

const programArb = fc
  .record({
    per: fc.integer({ min: 1, max: 1_000 }),
    points: fc.integer({ min: 0, max: 5 }),
    rounding: fc.constantFrom('receipt', 'line'),
    basis: fc.constantFrom('paid', 'beforePointsDiscount'),
    multipliers: fc.constantFrom('add', 'multiply'),
    rules: fc.array(fc.tuple(rule, fc.constantFrom('stack', 'exclusive'), fc.integer({ min: 0, max: 5 }), fc.boolean()), { maxLength: 6 }),
    baseRules: fc.array(
      fc.record({
        points: fc.integer({ min: 0, max: 5 }),
        per: fc.integer({ min: 1, max: 1_000 }),
        priority: fc.integer({ min: 0, max: 5 }),
        when,
        exclusions: fc.option(fc.record({ attributes: fc.record({ brand: fc.subarray(brands, { minLength: 1 }) }) }), { nil: undefined }),
      }),
      { maxLength: 3 },
    ),
    excludeRx: fc.boolean(),
    pending: fc.option(fc.integer({ min: 1, max: 20 }), { nil: undefined }),
    capPerReceipt: fc.option(fc.integer({ min: 0, max: 2_000 }), { nil: undefined }),
    share: fc.integer({ min: 0, max: 10_000 }),
    value: fc.integer({ min: 1, max: 50 }),
    expiry: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
    keepOneTime: fc.boolean(),
  })
  .map((p): Program => {
    const r = parseProgram({
      name: 'random',
      currency: 'EUR',
      timeZone: 'Europe/Budapest',
      earning: {
        base: { points: p.points, per: p.per },
        rounding: p.rounding,
        basis: p.basis,
        multipliers: p.multipliers,
        rules: p.rules.map(([r, stacking, priority, stop], i) => ({ id: `r${i}`, name: `r${i}`, stacking, priority, ...(stop ? { stop } : {}), ...r })),
        baseRules: p.baseRules.map((b, i) => ({ id: `b${i}`, name: `b${i}`, ...b })),
        ...(p.capPerReceipt !== undefined ? { caps: { perReceipt: p.capPerReceipt } } : {}),
      },
      exclusions: { categories: ['rx'], skus: [], ...(p.excludeRx ? { attributes: { rx: ['true'] } } : {}) },
      redemption: { pointValue: p.value, maxShareBps: p.share, excludedCategories: ['rx'] },
      ...(p.expiry !== undefined ? { expiry: { afterMonths: p.expiry } } : {}),
      ...(p.pending !== undefined ? { pending: { days: p.pending } } : {}),
      ...(p.keepOneTime ? { receipts: { oneTimeBonusesOnReturn: 'keep' } } : {}),
    });
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    return r.program;
  });

const lineArb = fc.record(
  {
    sku: fc.constantFrom(...skus),
    category: fc.constantFrom(...cats),
    quantityMilli: fc.integer({ min: 1, max: 5_000 }),
    amount: fc.integer({ min: 0, max: 200_000 }),
    attributes: fc.record({ brand: fc.constantFrom(...brands), rx: fc.constant('true'), promo: fc.constant('yes') }, { requiredKeys: [] }),
  },
  { requiredKeys: ['sku', 'category', 'quantityMilli', 'amount'] },
);

const op = fc.oneof(
  fc.record({ kind: fc.constant('buy' as const), lines: fc.array(lineArb, { minLength: 1, maxLength: 6 }), burnShare: fc.integer({ min: 0, max: 100 }), store: fc.constantFrom('S-1', 'S-2') }),
  fc.record({ kind: fc.constant('return' as const), pick: fc.nat(), share: fc.integer({ min: 1, max: 100 }), byAmount: fc.boolean() }),
  fc.record({ kind: fc.constant('adjust' as const), points: fc.integer({ min: -300, max: 300 }) }),
  fc.record({ kind: fc.constant('wait' as const), days: fc.integer({ min: 1, max: 45 }) }),
);

const sumOf = (r: Readonly<Record<string, number>>) => Object.values(r).reduce((s, n) => s + n, 0);

describe('Property: random programs', () => {
  it('should keep balance = Σ ledger, lots − debt = balance, pending = Σ pending entries, and never a negative line', () => {
    fc.assert(
      fc.property(programArb, fc.array(op, { maxLength: 25 }), (program, ops) => {
        let account: Account = emptyAccount();
        let now = new Date('2026-01-05T10:00:00Z');
        const ledger: LedgerEntry[] = [];
        const receipts: Array<{ receipt: CommittedReceipt; earned: number; reversed: Map<string, number> }> = [];
        for (const o of ops) {
          try {
            if (o.kind === 'buy') {
              const lines: ReceiptLine[] = o.lines.map((l, i) => ({ lineId: String(i), unitPrice: l.amount, ...l }));
              const draft = { occurredAt: now, storeId: o.store, lines, burnPoints: 0 };
              const quote = priceReceipt(program, account, draft, now);
              const p = priceReceipt(program, account, { ...draft, burnPoints: Math.floor((quote.burn.maxPoints * o.burnShare) / 100) }, now);
              for (const l of p.lines) {
                expect(l.pointsEarned).toBeGreaterThanOrEqual(0);
                expect(l.paid).toBeGreaterThanOrEqual(0);
                expect(l.amount).toBe(l.tierDiscount + l.rewardDiscount + l.couponDiscount + l.pointsDiscount + l.paid);
              }
              expect(p.lines.reduce((s, l) => s + l.pointsEarned, 0)).toBe(p.totals.pointsEarned);
              // Why: each line's sources add up to its points, the sources to the receipt's, and
              // a rule that applied is never also told as not applying (unless a cap took all).
              p.lines.forEach((l, i) => expect(p.earn.lineSources[i]!.reduce((s, e) => s + e.points, 0)).toBe(l.pointsEarned));
              expect(p.earn.sources.reduce((s, e) => s + e.points, 0)).toBe(p.totals.pointsEarned);
              for (const m of p.earn.misses) if (m.kind === 'rule' && m.reason !== 'cap') expect(p.earn.rules).not.toContain(m.id);
              expect(new Set(p.earn.misses.map((m) => `${m.kind}:${m.id}`)).size).toBe(p.earn.misses.length);
              // Quote = commit: the same inputs price the same.
              expect(priceReceipt(program, account, { ...draft, burnPoints: p.burn.requested }, now)).toEqual(p);
              account = p.accountAfter;
              ledger.push(...p.entries);
              receipts.push({
                receipt: { lines: p.lines.map((l) => ({ ...l, returnedMilli: 0 })), earnLot: p.earn.lot, pendingKey: p.earn.pendingKey, burnLotsRemaining: p.burnLots },
                earned: p.totals.pointsEarned,
                reversed: new Map(),
              });
            } else if (o.kind === 'return' && receipts.length > 0) {
              const target = receipts[o.pick % receipts.length]!;
              // By units, or by amount (a price adjustment): a share of the line's paid money, more than is left at times (refused).
              const request: ReturnLineRequest[] = target.receipt.lines
                .map((l): ReturnLineRequest => (o.byAmount ? { lineId: l.lineId, amount: Math.ceil((l.paid * o.share) / 100) } : { lineId: l.lineId, quantityMilli: Math.ceil(((l.quantityMilli - l.returnedMilli) * o.share) / 100) }))
                .filter((r) => (r.amount ?? r.quantityMilli!) > 0);
              if (request.length === 0) continue;
              const r = priceReturn(program, account, target.receipt, request, now);
              account = r.accountAfter;
              ledger.push(...r.entries);
              target.receipt = r.receiptAfter;
              // No line ever gives back more than it earned, less what the program keeps.
              for (const l of r.lines) target.reversed.set(l.lineId, (target.reversed.get(l.lineId) ?? 0) + l.pointsReversed);
              for (const l of target.receipt.lines) expect(target.reversed.get(l.lineId) ?? 0).toBeLessThanOrEqual(l.pointsEarned - (l.pointsKept ?? 0));
            } else if (o.kind === 'adjust') {
              const a = adjustPoints(program, account, o.points, now);
              account = a.accountAfter;
              ledger.push(...a.entries);
            } else if (o.kind === 'wait') {
              now = new Date(now.getTime() + o.days * 86_400_000);
            }
          } catch (e) {
            if (!(e instanceof DomainError)) throw e;
          }
          expect(account.available).toBe(ledger.reduce((s, e) => s + e.points, 0));
          expect(account.available).toBe(sumOf(account.lots) - account.debt);
          expect(pendingTotal(account)).toBe(ledger.reduce((s, e) => s + sumOf(e.pending ?? {}), 0));
          expect(Object.values(account.lots).every((n) => n > 0)).toBe(true);
          expect(Object.values(account.pendingLots).every((n) => n > 0)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
