import { describe, expect, it } from 'vitest';
import { emptyAccount, type Account } from '#domain/account.ts';
import { priceReceipt } from '#domain/pricing.ts';
import { parseProgram, type Program } from '#domain/program.ts';
import { reviewTier } from '#domain/tiers.ts';
import { line } from './fixtures.ts';
import { scenario6Program } from './fixtures-scenarios.ts';

const program = (): Program => {
  const r = parseProgram(scenario6Program);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.program;
};

describe('Scenario 6: tiers by spend in the last 12 months', () => {
  it('should earn 1 point per 10.00 times 1 / 1.5 / 2, upgrade on the crossing receipt and give gold 3 %', () => {
    const p = program();
    let account: Account = emptyAccount();
    const at = new Date('2026-03-10T12:00:00+02:00');
    const buy = (amount: number) => {
      const r = priceReceipt(p, account, { occurredAt: at, lines: [line('1', amount)], burnPoints: 0 }, at);
      account = r.accountAfter;
      return r;
    };
    const first = buy(2_500_000);
    expect(first.totals.pointsEarned).toBe(2_500);
    expect(first.tierUpgrade).toEqual({ to: 'silver', bonusPoints: 0 });
    expect(buy(1_000_000).totals.pointsEarned).toBe(1_500);
    const third = buy(2_000_000);
    expect(third.totals.pointsEarned).toBe(3_000);
    expect(third.tierAfter?.id).toBe('gold');
    const fourth = buy(1_000_000);
    expect(fourth.totals).toMatchObject({ tierDiscount: 30_000, paid: 970_000, pointsEarned: 1_940 });
  });

  it('should keep the level between reviews and lower it only when a review finds the window below it', () => {
    const p = program();
    const at = new Date('2026-03-10T12:00:00+02:00');
    const r = priceReceipt(p, emptyAccount(), { occurredAt: at, lines: [line('1', 6_000_000)], burnPoints: 0 }, at);
    expect(r.accountAfter.tierId).toBe('gold');
    expect(reviewTier(p, r.accountAfter, new Date('2027-02-28T12:00:00+02:00')).changed).toBe(false);
    const later = reviewTier(p, r.accountAfter, new Date('2027-03-01T12:00:00+02:00'));
    expect(later.account.tierId).toBe('bronze');
    // At the till, a purchase a year later still gets gold until the review has run.
    const year = new Date('2027-03-05T12:00:00+02:00');
    expect(priceReceipt(p, r.accountAfter, { occurredAt: year, lines: [line('1', 100_000)], burnPoints: 0 }, year).tier?.id).toBe('gold');
  });
});
