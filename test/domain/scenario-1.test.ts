import { describe, expect, it } from 'vitest';
import { emptyAccount, type Account } from '#domain/account.ts';
import { priceReceipt } from '#domain/pricing.ts';
import { line, progressiveCard } from './fixtures.ts';

describe('Scenario 1: progressive discount card', () => {
  it('should give the rate earned by earlier purchases, counting what was paid after discount', () => {
    const program = progressiveCard();
    const now = new Date('2026-11-24T10:00:00Z');
    let account: Account = emptyAccount();
    const buy = (amount: number) => {
      const p = priceReceipt(program, account, { occurredAt: now, lines: [line('1', amount)], burnPoints: 0 }, now);
      account = p.accountAfter;
      return p;
    };

    expect(buy(30_000).totals.tierDiscount).toBe(0);
    const second = buy(25_000);
    expect(second.totals.tierDiscount).toBe(0);
    expect(second.tierAfter?.discountBps).toBe(100);
    const third = buy(40_000);
    expect(third.totals).toMatchObject({ tierDiscount: 400, paid: 39_600 });
    expect(account.paidTotal).toBe(94_600);
    expect(third.tierAfter?.discountBps).toBe(200);
    expect(buy(10_000).totals.tierDiscount).toBe(200);

    account = { ...account, staffTierId: 'vip' };
    expect(buy(20_000).totals.tierDiscount).toBe(1_000);
  });
});
