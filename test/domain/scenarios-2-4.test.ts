import { describe, expect, it } from 'vitest';
import { emptyAccount, type Account } from '#domain/account.ts';
import { priceReceipt, type Pricing, type ReceiptLine } from '#domain/pricing.ts';
import { parseProgram, type Program } from '#domain/program.ts';
import { priceReturn, type CommittedReceipt } from '#domain/returns.ts';
import { rewardText } from '#domain/rewards.ts';
import { scenario2Program, scenario4Program } from './fixtures-scenarios.ts';

const parse = (doc: unknown): Program => {
  const r = parseProgram(doc);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.program;
};
const at = new Date('2026-06-10T12:00:00+02:00');
const items = (n: number, amount: number, sku = 'SHIRT'): ReceiptLine => ({ lineId: sku, sku, category: 'clothes', quantityMilli: n * 1000, unitPrice: amount / n, amount });
const committed = (p: Pricing): CommittedReceipt => ({
  lines: p.lines.map((l) => ({ ...l, returnedMilli: 0 })),
  earnLot: p.earn.lot,
  burnLotsRemaining: p.burnLots,
  rewardsUsed: p.rewards.used.map((u) => u.reward),
  progressEffects: p.rewards.effects,
});

describe('Scenario 2: the eleventh item', () => {
  const program = parse(scenario2Program);

  it('should give 270.00 off the receipt after ten items that cost 2700.00, once', () => {
    let account: Account = emptyAccount();
    const buy = (lines: ReceiptLine[]) => {
      const p = priceReceipt(program, account, { occurredAt: at, lines, burnPoints: 0 }, at);
      account = p.accountAfter;
      return p;
    };
    buy([items(4, 120_000)]);
    buy([items(3, 60_000)]);
    const third = buy([items(3, 90_000)]);
    expect(third.rewards.unlocked).toMatchObject([{ amountOff: 27_000 }]);
    const fourth = buy([items(1, 50_000)]);
    expect(fourth.totals.rewardDiscount).toBe(27_000);
    expect(fourth.totals.paid).toBe(23_000);
    expect(buy([items(1, 50_000)]).totals.rewardDiscount).toBe(0);
  });

  it('should count only the first ten items of a receipt, pro rata within a line, and never more than the receipt', () => {
    const start = { ...emptyAccount(), rewards: { ...emptyAccount().rewards, progress: { eleventh: { period: '2026', itemsMilli: 8_000, amount: 100_000 } } } };
    // 4 items for 400.00: two of them (200.00) complete the ten.
    const p = priceReceipt(program, start, { occurredAt: at, lines: [items(4, 40_000)], burnPoints: 0 }, at);
    expect(p.rewards.unlocked).toMatchObject([{ amountOff: 12_000 }]);
    expect(p.accountAfter.rewards.progress.eleventh).toEqual({ period: '2026', itemsMilli: 2_000, amount: 20_000 });
    const next = priceReceipt(program, p.accountAfter, { occurredAt: at, lines: [items(1, 5_000)], burnPoints: 0 }, at);
    expect(next.totals.rewardDiscount).toBe(5_000);
  });

  it('should drop unused progress when the year ends', () => {
    const start = { ...emptyAccount(), rewards: { ...emptyAccount().rewards, progress: { eleventh: { period: '2025', itemsMilli: 9_000, amount: 100_000 } } } };
    const p = priceReceipt(program, start, { occurredAt: at, lines: [items(1, 10_000)], burnPoints: 0 }, at);
    expect(p.rewards.unlocked).toEqual([]);
    expect(p.accountAfter.rewards.progress.eleventh).toMatchObject({ period: '2026', itemsMilli: 1_000 });
  });

  it('should give the reward back when the receipt that used it is fully returned', () => {
    const withReward = priceReceipt(program, { ...emptyAccount(), rewards: { ...emptyAccount().rewards, progress: { eleventh: { period: '2026', itemsMilli: 9_000, amount: 90_000 } } } }, { occurredAt: at, lines: [items(1, 10_000)], burnPoints: 0 }, at);
    const using = priceReceipt(program, withReward.accountAfter, { occurredAt: at, lines: [items(1, 50_000, 'COAT')], burnPoints: 0 }, at);
    expect(using.totals.rewardDiscount).toBe(10_000);
    const r = priceReturn(program, using.accountAfter, committed(using), [{ lineId: 'COAT', quantityMilli: 1000 }], at);
    expect(r.accountAfter.rewards.rewards.map((x) => x.amountOff)).toEqual([10_000]);
    expect(r.totals.refund).toBe(40_000);
  });
});

describe('Scenario 4: stamp card', () => {
  const program = parse(scenario4Program);
  const line = (sku: string, qty = 1): ReceiptLine => ({ lineId: sku, sku, category: 'household', quantityMilli: qty * 1000, unitPrice: 10_000, amount: qty * 10_000 });

  it('should stamp once per listed product, give 3 % after 5 and 5 % after 7, then start again', () => {
    let account: Account = emptyAccount();
    const buy = (lines: ReceiptLine[]) => {
      const p = priceReceipt(program, account, { occurredAt: at, lines, burnPoints: 0 }, at);
      account = p.accountAfter;
      return p;
    };
    buy([line('P1', 2), line('P2'), line('OTHER')]);
    buy([line('P1'), line('P3')]);
    expect(account.rewards.stampCards['household-card']?.skus).toEqual(['P1', 'P2', 'P3']);
    const fifth = buy([line('P4'), line('P5')]);
    expect(fifth.rewards.unlocked).toMatchObject([{ discountBps: 300, step: 0 }]);
    expect(rewardText(program.rewards, fifth.rewards.unlocked[0]!)).toMatchObject({ gift: 'kitchen towel' });
    const next = buy([line('P6'), line('X', 9)]);
    expect(next.totals.rewardDiscount).toBe(3_000);
    const seventh = buy([line('P7')]);
    expect(seventh.rewards.unlocked).toMatchObject([{ discountBps: 500 }]);
    expect(account.rewards.stampCards['household-card']).toEqual({ round: 1, skus: [], stepsGiven: 0 });
    expect(buy([line('X', 2)]).totals.rewardDiscount).toBe(1_000);
  });

  it('should let staff hand over the gift instead, and keep a reward for later when told to skip', () => {
    const start = priceReceipt(program, emptyAccount(), { occurredAt: at, lines: ['P1', 'P2', 'P3', 'P4', 'P5'].map((s) => line(s)), burnPoints: 0 }, at);
    const rewardId = start.rewards.unlocked[0]!.rewardId;
    const skipped = priceReceipt(program, start.accountAfter, { occurredAt: at, lines: [line('X')], burnPoints: 0, rewards: { skip: true, asGift: [] } }, at);
    expect(skipped.totals.rewardDiscount).toBe(0);
    expect(skipped.accountAfter.rewards.rewards).toHaveLength(1);
    const gift = priceReceipt(program, skipped.accountAfter, { occurredAt: at, lines: [line('X')], burnPoints: 0, rewards: { skip: false, asGift: [rewardId] } }, at);
    expect(gift.totals.rewardDiscount).toBe(0);
    expect(gift.rewards.used).toMatchObject([{ asGift: true }]);
    expect(gift.accountAfter.rewards.rewards).toEqual([]);
  });
});
