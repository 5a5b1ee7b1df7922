/**
 * What the customer's item keeps between receipts is bounded: refill dates per SKU, coupon uses
 * per campaign and once-per-year grants must not grow with every product, campaign and year.
 */
import { describe, expect, it } from 'vitest';
import { emptyAccount, type Account } from '#domain/account.ts';
import { MAX_GRANT_YEARS, MAX_ONCE_RULES, MAX_STAMP_CARD_SKUS, boundAccount } from '#domain/account-bounds.ts';
import { priceReceipt, type ReceiptLine } from '#domain/pricing.ts';
import { parseProgram, type Program } from '#domain/program.ts';
import { MAX_REFILLS, MAX_REFILL_DAYS } from '#domain/refills.ts';

const parse = (doc: Record<string, unknown>): Program => {
  const r = parseProgram({ name: 'Bounds', currency: 'AMD', timeZone: 'Asia/Yerevan', earning: { base: { points: 1, per: 100 } }, ...doc });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.program;
};
const line = (sku: string, quantityMilli = 1000): ReceiptLine => ({ lineId: sku, sku, category: 'rx', quantityMilli, unitPrice: 1_000, amount: 1_000 });
const day = (d: number) => new Date(Date.UTC(2026, 0, 1 + d, 9));
const buy = (program: Program, account: Account, lines: ReceiptLine[], at: Date) => priceReceipt(program, account, { occurredAt: at, lines, burnPoints: 0 }, at).accountAfter;

describe('refill dates on the customer item', () => {
  const program = parse({ refills: [{ id: 'rx', name: 'your prescription', skus: [], categories: ['rx'], days: 30 }] });

  it('should keep the most recent purchases only, dropping the oldest, however many products were bought', () => {
    let account = emptyAccount();
    for (let i = 0; i < MAX_REFILLS + 20; i++) account = buy(program, account, [line(`SKU-${String(i).padStart(3, '0')}`)], day(i));
    const skus = Object.keys(account.refills).sort();
    expect(skus).toHaveLength(MAX_REFILLS);
    expect(skus[0]).toBe('SKU-020');
    expect(skus.at(-1)).toBe(`SKU-${String(MAX_REFILLS + 19).padStart(3, '0')}`);
  });

  it('should keep the most products one receipt can refill, not every line of it', () => {
    const lines = Array.from({ length: 500 }, (_, i) => line(`BIG-${i}`));
    expect(Object.keys(buy(program, emptyAccount(), lines, day(0)).refills)).toHaveLength(MAX_REFILLS);
  });

  it('should give a huge quantity a supply of at most ten years instead of failing', () => {
    const account = buy(parse({ refills: [{ id: 'rx', name: 'x', categories: ['rx'], days: 365 }] }), emptyAccount(), [line('TABS', 1_000_000_000)], day(0));
    expect(account.refills.TABS!.runsOutOn).toBe('2035-12-30');
    expect(MAX_REFILL_DAYS).toBe(3650);
  });
});

describe('coupon uses on the customer item', () => {
  it('should keep use counts only for campaigns the program still has', () => {
    const program = parse({ coupons: [{ id: 'spring', code: 'SPRING', name: 'Spring', reward: { type: 'percent', bps: 500 }, perCustomerLimit: 3 }] });
    const old = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`campaign-${i}`, 1]));
    const account = buy(program, { ...emptyAccount(), couponUses: { ...old, spring: 2 } }, [line('A')], day(0));
    expect(account.couponUses).toEqual({ spring: 2 });
  });
});

describe('once-per-customer grants on the customer item', () => {
  const program = parse({
    earning: {
      base: { points: 1, per: 100 },
      rules: [
        { id: 'yearly', name: 'Yearly', type: 'lifetimeSpend', threshold: 1_000_000, points: 100, period: 'calendarYear' },
        { id: 'ever', name: 'Ever', type: 'lifetimeSpend', threshold: 1_000_000, points: 100 },
      ],
    },
  });

  it('should keep per-year grants of this year and the last only, and no grant of a rule the program dropped', () => {
    const years = Array.from({ length: 30 }, (_, i) => `yearly@${2000 + i}`);
    const account = boundAccount(program, { ...emptyAccount(), grantedOnce: [...years, 'ever', 'dropped', 'dropped@2026'] }, day(0));
    // Last year's, this year's and (a receipt up to minutes ahead of the clock at New Year) next year's.
    expect(account.grantedOnce).toEqual(['yearly@2025', 'yearly@2026', 'yearly@2027', 'ever']);
    expect(MAX_GRANT_YEARS).toBe(3);
  });

  it('should prune them on every receipt', () => {
    const years = Array.from({ length: 30 }, (_, i) => `yearly@${2000 + i}`);
    const account = buy(program, { ...emptyAccount(), grantedOnce: years }, [line('A')], day(0));
    expect(account.grantedOnce.length).toBeLessThanOrEqual(MAX_GRANT_YEARS);
  });
});

describe('one-time reward progress on the customer item', () => {
  const card = (id: string, skus: string[]) => ({ id, name: id, type: 'stampCard', skus, steps: [{ stamps: 50, discountBps: 100 }] });

  it('should drop progress and stamps of rules the program no longer has, and stamps of SKUs a card no longer lists', () => {
    const program = parse({ rewards: [card('kept', ['A', 'B'])] });
    const rewards = {
      ...emptyAccount().rewards,
      progress: { gone: { period: 'all', itemsMilli: 5_000, amount: 100 } },
      stampCards: { kept: { round: 0, skus: ['A', 'OLD'], stepsGiven: 0 }, gone: { round: 3, skus: ['X'], stepsGiven: 1 } },
    };
    const account = boundAccount(program, { ...emptyAccount(), rewards }, day(0));
    expect(account.rewards.progress).toEqual({});
    expect(account.rewards.stampCards).toEqual({ kept: { round: 0, skus: ['A'], stepsGiven: 0 } });
  });

  it('should refuse stamp cards that together list more SKUs than a customer item can keep, naming the field', () => {
    const skus = (p: string, n: number) => Array.from({ length: n }, (_, i) => `${p}${i}`);
    const r = parseProgram({
      name: 'x', currency: 'AMD', timeZone: 'Asia/Yerevan', earning: { base: { points: 1, per: 100 } },
      rewards: [card('a', skus('A', 100)), card('b', skus('B', 100)), card('c', skus('C', 1))],
    });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues).toEqual([{ path: 'rewards.2.skus', message: `the stamp cards together may list at most ${MAX_STAMP_CARD_SKUS} SKUs` }]);
  });

  it('should refuse more once-only earning rules than a customer item can keep grants of, naming the field', () => {
    const rules = Array.from({ length: MAX_ONCE_RULES + 1 }, (_, i) => ({ id: `once-${i}`, name: 'x', type: 'lifetimeSpend', threshold: 100, points: 1 }));
    const r = parseProgram({ name: 'x', currency: 'AMD', timeZone: 'Asia/Yerevan', earning: { base: { points: 1, per: 100 }, rules } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues).toEqual([{ path: `earning.rules.${MAX_ONCE_RULES}.type`, message: `a program may have at most ${MAX_ONCE_RULES} lifetimeSpend rules` }]);
  });
});
