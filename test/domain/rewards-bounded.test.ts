/**
 * One-time rewards stay bounded however large a receipt: an "every 10th item" milestone and a
 * line of 200,000 units must neither take work in proportion to the units nor grow the
 * customer's item by one object per reward.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { emptyAccount, type Account } from '#domain/account.ts';
import { priceReceipt, type ReceiptLine } from '#domain/pricing.ts';
import { parseProgram, type Program } from '#domain/program.ts';
import { MAX_HELD_REWARDS, rewardText, undoRewards, useRewards } from '#domain/rewards.ts';
import { priceReturn } from '#domain/returns.ts';
import { customerItem, type CustomerRecord } from '#lib/storage/customers.ts';
import { itemSizeBytes } from '#lib/storage/item-size.ts';

// Every integer step of the reward arithmetic goes through allocation.ts; counting its calls
// measures the work pricing does without timing anything.
const calls = vi.hoisted(() => ({ n: 0 }));
vi.mock('#domain/allocation.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('#domain/allocation.ts')>();
  return {
    ...real,
    mulDivFloor: (...a: Parameters<typeof real.mulDivFloor>) => (calls.n++, real.mulDivFloor(...a)),
    allocate: (...a: Parameters<typeof real.allocate>) => (calls.n++, real.allocate(...a)),
  };
});

const program = (extra: Record<string, unknown> = {}): Program => {
  const r = parseProgram({
    name: 'Every tenth',
    currency: 'AMD',
    timeZone: 'Asia/Yerevan',
    earning: { base: { points: 1, per: 100 } },
    rewards: [{ id: 'tenth', name: 'Every tenth item', type: 'itemMilestone', items: 10, period: 'lifetime', rewardShareBps: 1_000, ...extra }],
  });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.program;
};
const at = new Date('2026-06-10T12:00:00+04:00');
const units = (n: number): ReceiptLine => ({ lineId: '1', sku: 'SOCKS', category: 'clothes', quantityMilli: n * 1000, unitPrice: 100, amount: n * 100 });
const price = (p: Program, account: Account, n: number) => priceReceipt(p, account, { occurredAt: at, lines: [units(n)], burnPoints: 0 }, at);
const record = (account: Account): CustomerRecord => ({
  tenantId: 't',
  profile: { customerId: 'c_1', card: '1234567890', consents: { sms: false, email: false, push: false }, createdAt: at.toISOString() },
  account,
  ledgerSeq: 1,
  version: 1,
  pendingReferrals: [],
});

describe('one-time rewards on a very large receipt', () => {
  beforeEach(() => void (calls.n = 0));

  it('should price 200,000 units with no more work than 20,000 units', () => {
    price(program(), emptyAccount(), 20_000);
    const small = calls.n;
    calls.n = 0;
    price(program(), emptyAccount(), 200_000);
    const large = calls.n;
    // Work per line, not per unit: ten times the units is not ten times the steps.
    expect(large).toBeLessThanOrEqual(small);
    expect(large).toBeLessThan(200);
  });

  it('should unlock at most the rule’s maxPerReceipt rewards, kept as one counted entry', () => {
    const p = price(program(), emptyAccount(), 200_000);
    const held = p.accountAfter.rewards.rewards;
    expect(held).toEqual([expect.objectContaining({ ruleId: 'tenth', amountOff: 100, count: 10 })]);
    expect(p.rewards.unlocked.reduce((s, r) => s + r.count, 0)).toBe(10);
    // Units beyond the cap do not carry over into progress.
    expect(p.accountAfter.rewards.progress.tenth).toMatchObject({ itemsMilli: 0, amount: 0 });
    expect(price(program({ maxPerReceipt: 3 }), emptyAccount(), 200_000).accountAfter.rewards.rewards[0]!.count).toBe(3);
  });

  it('should keep the customer item small after a 200,000-unit receipt', () => {
    const before = itemSizeBytes(customerItem(record(emptyAccount())));
    const after = itemSizeBytes(customerItem(record(price(program(), emptyAccount(), 200_000).accountAfter)));
    expect(after - before).toBeLessThan(1_024);
  });

  it('should stop unlocking once the customer holds the most unused rewards allowed', () => {
    let account = emptyAccount();
    for (let i = 0; i < 5; i++) account = priceReceipt(program({ maxPerReceipt: 20 }), account, { occurredAt: at, lines: [units(10_000)], burnPoints: 0, rewards: { skip: true, asGift: [] } }, at).accountAfter;
    const held = account.rewards.rewards.reduce((s, r) => s + r.count, 0);
    expect(held).toBe(MAX_HELD_REWARDS);
  });

  it('should refuse a maxPerReceipt outside 1–20, naming the field', () => {
    for (const bad of [0, 21]) {
      const r = parseProgram({
        name: 'x',
        currency: 'AMD',
        timeZone: 'Asia/Yerevan',
        earning: { base: { points: 1, per: 100 } },
        rewards: [{ id: 'tenth', name: 'x', type: 'itemMilestone', items: 10, rewardShareBps: 1_000, maxPerReceipt: bad }],
      });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.issues[0]!.path).toBe('rewards.0.maxPerReceipt');
    }
  });

  it('should still use rewards stored one object each, before counts existed', () => {
    const old = [
      { rewardId: 'tenth:1', ruleId: 'tenth', name: 'Every tenth item', amountOff: 100, unlockedAt: at.toISOString() },
      { rewardId: 'tenth:2', ruleId: 'tenth', name: 'Every tenth item', amountOff: 100, unlockedAt: at.toISOString() },
    ];
    const state = { ...emptyAccount().rewards, rewards: old as never, rewardSeq: 2 };
    const u = useRewards(state, [{ sku: 'A', category: 'c', quantityMilli: 1000, payable: 1_000 }], { skip: false, asGift: ['tenth:2'] });
    expect(u.uses.map((x) => [x.reward.rewardId, x.asGift, x.discount])).toEqual([
      ['tenth:1', false, 100],
      ['tenth:2', true, 0],
    ]);
    expect(u.state.rewards).toEqual([]);
  });

  it('should take back every counted reward a fully returned receipt unlocked, and give back what it used', () => {
    const p = price(program(), emptyAccount(), 200_000);
    const receipt = {
      lines: p.lines.map((l) => ({ ...l, returnedMilli: 0 })),
      earnLot: p.earn.lot,
      burnLotsRemaining: p.burnLots,
      rewardsUsed: p.rewards.used.map((u) => u.reward),
      progressEffects: p.rewards.effects,
    };
    const using = price(program(), p.accountAfter, 1);
    expect(using.totals.rewardDiscount).toBe(100);
    expect(using.accountAfter.rewards.rewards[0]!.count).toBe(9);
    const back = priceReturn(program(), using.accountAfter, receipt, [{ lineId: '1', quantityMilli: 200_000_000 }], at);
    // Nine were still unused and go; the one used elsewhere cannot come back.
    expect(back.accountAfter.rewards.rewards).toEqual([]);
  });

  it('should undo a receipt committed before counts, whose effects list one id per reward', () => {
    const state = {
      ...emptyAccount().rewards,
      rewards: [{ rewardId: 'tenth:1', ruleId: 'tenth', name: 'Every tenth item', amountOff: 100, unlockedAt: at.toISOString() }] as never,
      rewardSeq: 1,
    };
    const s = undoRewards(state, [], [{ ruleId: 'tenth', period: 'all', itemsMilli: 10_000, amount: 1_000, stamped: [], round: 0, unlocked: ['tenth:1'] }]);
    expect(s.rewards).toEqual([]);
  });

  it('should keep values, not texts, on an entry: its name is the rule’s, or what an older entry kept', () => {
    const p = price(program(), emptyAccount(), 10);
    const entry = p.accountAfter.rewards.rewards[0]!;
    expect(entry).not.toHaveProperty('name');
    expect(rewardText(program().rewards, entry)).toEqual({ name: 'Every tenth item' });
    expect(rewardText([], { rewardId: 'gone:1', ruleId: 'gone', name: 'Old name', gift: 'mug', unlockedAt: at.toISOString() })).toEqual({ name: 'Old name', gift: 'mug' });
    expect(rewardText([], { rewardId: 'gone:1', ruleId: 'gone', unlockedAt: at.toISOString() })).toEqual({ name: 'gone' });
  });
});
