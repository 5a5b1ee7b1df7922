import { describe, expect, it } from 'vitest';
import { emptyAccount } from '#domain/account.ts';
import { priceReceipt, type ReceiptLine } from '#domain/pricing.ts';
import { parseProgram, type Program } from '#domain/program.ts';
import { priceReturn } from '#domain/returns.ts';
import { scenario5Lines, scenario5Program } from './fixtures-scenarios.ts';

const program = (): Program => {
  const r = parseProgram(scenario5Program);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.program;
};
const lines: ReceiptLine[] = scenario5Lines.map((l) => ({ ...l, quantityMilli: l.quantity * 1000 }));
const saturday = new Date('2026-11-21T12:00:00+04:00');
const mondayMorning = new Date('2026-11-23T09:30:00+04:00');
const secondReceipt = { ...emptyAccount(), receiptCount: 1 };

describe('Scenario 5: bonus mechanics', () => {
  it('should earn 900 / 200 / 0 / 50 plus 20 for five items split 11 / 7 / 0 / 2: 1170', () => {
    const p = priceReceipt(program(), secondReceipt, { occurredAt: saturday, storeId: 'S-01', lines, burnPoints: 0 }, saturday);
    expect(p.lines.map((l) => l.pointsEarned)).toEqual([911, 207, 0, 52]);
    expect(p.totals.pointsEarned).toBe(1170);
    expect(p.earn.rules).toEqual(['five-items', 'vitc-x3']);
  });

  it('should take back exactly 207 points when the SHAMPOO line is returned', () => {
    const at = saturday;
    const p = priceReceipt(program(), secondReceipt, { occurredAt: at, storeId: 'S-01', lines, burnPoints: 0 }, at);
    const r = priceReturn(
      program(),
      p.accountAfter,
      { lines: p.lines.map((l) => ({ ...l, returnedMilli: 0 })), earnLot: p.earn.lot, burnLotsRemaining: p.burnLots },
      [{ lineId: '2', quantityMilli: 1000 }],
      at,
    );
    expect(r.totals.pointsReversed).toBe(207);
  });

  it('should add the ×2 morning and +10 % store multipliers to the ×3 (additive by default)', () => {
    const p = priceReceipt(program(), secondReceipt, { occurredAt: mondayMorning, storeId: 'S-07', lines, burnPoints: 0 }, mondayMorning);
    // VITC: 300 × (1 + 2 + 1 + 0.1) = 1230; SHAMPOO 200 × 2.1 = 420; GUM 50 × 2.1 = 105; +20 items.
    expect(p.lines.map((l) => l.pointsEarned)).toEqual([1230 + 11, 420 + 7, 0, 105 + 2]);
  });

  it('should multiply them when the program says so', () => {
    const doc = { ...scenario5Program, earning: { ...scenario5Program.earning, multipliers: 'multiply' } };
    const r = parseProgram(doc);
    if (!r.ok) throw new Error('invalid');
    const p = priceReceipt(r.program, secondReceipt, { occurredAt: mondayMorning, storeId: 'S-07', lines, burnPoints: 0 }, mondayMorning);
    // VITC: 300 × 3 × 2 × 1.1 = 1980; SHAMPOO 200 × 2.2 = 440; GUM 50 × 2.2 = 110.
    expect(p.lines.map((l) => l.pointsEarned)).toEqual([1980 + 11, 440 + 7, 0, 110 + 2]);
  });

  it('should add 100 for an eligible amount of 1000.00, 50 on every 5th receipt, and 500 once when lifetime spend crosses 10000.00', () => {
    const big: ReceiptLine[] = [{ lineId: '1', sku: 'SHAMPOO', category: 'care', quantityMilli: 1000, unitPrice: 100_000, amount: 100_000 }];
    const fifth = { ...emptyAccount(), receiptCount: 4, eligibleSpend: 950_000 };
    const p = priceReceipt(program(), fifth, { occurredAt: saturday, lines: big, burnPoints: 0 }, saturday);
    expect(p.totals.pointsEarned).toBe(1000 + 100 + 50 + 500);
    expect(p.accountAfter.grantedOnce).toEqual(['spend-10000']);
    const again = priceReceipt(program(), { ...p.accountAfter, receiptCount: 5 }, { occurredAt: saturday, lines: big, burnPoints: 0 }, saturday);
    expect(again.totals.pointsEarned).toBe(1000 + 100);
  });
});

describe('Spend crossing a threshold within a calendar year', () => {
  it('should grant once per year, and again the next year', () => {
    const r = parseProgram({
      name: 'yearly',
      currency: 'AMD',
      timeZone: 'Asia/Yerevan',
      earning: { base: { points: 0, per: 100 }, rules: [{ id: 'y', name: 'yearly', type: 'lifetimeSpend', threshold: 10_000, points: 50, period: 'calendarYear' }] },
    });
    if (!r.ok) throw new Error('invalid');
    const big: ReceiptLine[] = [{ lineId: '1', sku: 'A', category: 'a', quantityMilli: 1000, unitPrice: 6_000, amount: 6_000 }];
    const jan = new Date('2026-01-10T10:00:00+04:00');
    let acc = emptyAccount();
    const earned: number[] = [];
    for (const at of [jan, jan, jan, new Date('2027-01-10T10:00:00+04:00'), new Date('2027-01-11T10:00:00+04:00')]) {
      const p = priceReceipt(r.program, acc, { occurredAt: at, lines: big, burnPoints: 0 }, at);
      earned.push(p.totals.pointsEarned);
      acc = p.accountAfter;
    }
    expect(earned).toEqual([0, 50, 0, 0, 50]);
  });
});
