/**
 * One-time rewards: progress towards them (items bought in a period, stamps on a card), the
 * rewards unlocked, and their use on a later receipt — consumed in the same transaction as that
 * receipt, and given back if it is fully returned. Scenario 2 (the eleventh item) and scenario 4
 * (stamp cards) are documents over these two mechanics.
 */
import * as z from 'zod';
import { allocate, mulDivFloor, sum } from './allocation.ts';
import { productsSchema } from './rules.ts';
import { localTime } from './time.ts';

const code = z.string().min(1).max(64);
const bps = z.int().min(0).max(10_000);

export const rewardRuleSchema = z.discriminatedUnion('type', [
  z.strictObject({
    id: code,
    name: z.string().min(1).max(200),
    type: z.literal('itemMilestone'),
    /** Items (by quantity) to buy; the reward is a share of what exactly those items cost. */
    items: z.int().min(1).max(10_000),
    /** Progress is dropped when the period ends (program time). */
    period: z.enum(['calendarYear', 'lifetime']).default('calendarYear'),
    products: productsSchema.optional(),
    /** Share of what the counted items cost, as a one-time discount on the next receipt. */
    rewardShareBps: bps,
  }),
  z.strictObject({
    id: code,
    name: z.string().min(1).max(200),
    type: z.literal('stampCard'),
    /** Listed SKUs; each one bought stamps the card once, however many are bought. */
    skus: z.array(code).min(1).max(100),
    steps: z
      .array(
        z.strictObject({
          stamps: z.int().min(1).max(100),
          /** One-time discount on the next receipt. */
          discountBps: bps,
          /** What staff may hand over instead of the discount. */
          gift: z.string().max(200).optional(),
        }),
      )
      .min(1)
      .max(10),
  }),
]);

export type RewardRule = z.output<typeof rewardRuleSchema>;

/** A reward unlocked and not yet used. */
export interface Reward {
  readonly rewardId: string;
  readonly ruleId: string;
  readonly name: string;
  /** Percent of the receipt it is used on … */
  readonly discountBps?: number;
  /** … or a fixed amount (minor units), at most the receipt's amount. */
  readonly amountOff?: number;
  readonly gift?: string;
  readonly unlockedAt: string;
}

export interface RewardState {
  readonly rewards: readonly Reward[];
  /** itemMilestone progress by rule: the period it belongs to, items (thousandths) and their cost. */
  readonly progress: Readonly<Record<string, { readonly period: string; readonly itemsMilli: number; readonly amount: number }>>;
  /** Stamp cards by rule: the round (a card restarts after its last step), distinct SKUs stamped, steps given. */
  readonly stampCards: Readonly<Record<string, { readonly round: number; readonly skus: readonly string[]; readonly stepsGiven: number }>>;
  /** Sequence for reward ids. */
  readonly rewardSeq: number;
}

export const emptyRewardState = (): RewardState => ({ rewards: [], progress: {}, stampCards: {}, rewardSeq: 0 });

export interface RewardLine {
  readonly sku: string;
  readonly category: string;
  readonly quantityMilli: number;
  /** What the line costs before one-time rewards (after the tier discount). */
  readonly payable: number;
}

export interface RewardUse {
  readonly reward: Reward;
  /** Money off, or 0 when handed over as a gift. */
  readonly discount: number;
  readonly asGift: boolean;
}

/**
 * Which unlocked rewards this receipt uses (oldest first, one per rule unless skipped) and the
 * discount per line. Gifts named in `asGift` are consumed without a discount.
 */
export function useRewards(
  state: RewardState,
  lines: readonly RewardLine[],
  opts: { skip: boolean; asGift: readonly string[] },
): { uses: RewardUse[]; perLine: number[]; state: RewardState } {
  const perLine = lines.map(() => 0);
  if (opts.skip && opts.asGift.length === 0) return { uses: [], perLine, state };
  const uses: RewardUse[] = [];
  const usedRules = new Set<string>();
  let remaining = lines.map((l) => l.payable);
  for (const reward of state.rewards) {
    if (opts.asGift.includes(reward.rewardId)) {
      uses.push({ reward, discount: 0, asGift: true });
      continue;
    }
    if (opts.skip || usedRules.has(reward.ruleId)) continue;
    const base = sum(remaining);
    if (base === 0) break;
    const off = Math.min(base, reward.amountOff ?? mulDivFloor(base, reward.discountBps ?? 0, 10_000));
    const split = off === 0 ? remaining.map(() => 0) : allocate(off, remaining);
    split.forEach((d, i) => (perLine[i]! += d));
    remaining = remaining.map((r, i) => r - split[i]!);
    usedRules.add(reward.ruleId);
    uses.push({ reward, discount: off, asGift: false });
  }
  const used = new Set(uses.map((u) => u.reward.rewardId));
  return { uses, perLine, state: { ...state, rewards: state.rewards.filter((r) => !used.has(r.rewardId)) } };
}

export interface ProgressLine {
  readonly sku: string;
  readonly category: string;
  readonly quantityMilli: number;
  /** What the line cost the customer in money. */
  readonly paid: number;
}

/** What a receipt did to progress, so a full return can undo it. */
export interface ProgressEffect {
  readonly ruleId: string;
  readonly period: string;
  readonly itemsMilli: number;
  readonly amount: number;
  readonly stamped: readonly string[];
  readonly round: number;
  readonly unlocked: readonly string[];
}

/** Adds a receipt's items and stamps to progress, unlocking the rewards they complete. */
export function advanceProgress(
  rules: readonly RewardRule[],
  state: RewardState,
  lines: readonly ProgressLine[],
  at: Date,
  timeZone: string,
  unlockedAt: string,
): { state: RewardState; unlocked: Reward[]; effects: ProgressEffect[] } {
  let s = state;
  const unlocked: Reward[] = [];
  const effects: ProgressEffect[] = [];
  const year = String(localTime(at, timeZone).year);
  const unlock = (rule: RewardRule, r: Omit<Reward, 'rewardId' | 'ruleId' | 'name' | 'unlockedAt'>) => {
    const reward: Reward = { rewardId: `${rule.id}:${s.rewardSeq + 1}`, ruleId: rule.id, name: rule.name, unlockedAt, ...r };
    s = { ...s, rewardSeq: s.rewardSeq + 1, rewards: [...s.rewards, reward] };
    unlocked.push(reward);
    return reward.rewardId;
  };

  for (const rule of rules) {
    if (rule.type === 'itemMilestone') {
      const period = rule.period === 'calendarYear' ? year : 'all';
      const prev = s.progress[rule.id];
      let items = prev && prev.period === period ? prev.itemsMilli : 0;
      let amount = prev && prev.period === period ? prev.amount : 0;
      const target = rule.items * 1000;
      const ids: string[] = [];
      let addedItems = 0;
      let addedAmount = 0;
      // Lines in order; within a line, units pro rata — only the items up to the target count.
      for (const l of lines) {
        if (rule.products && !(rule.products.skus.includes(l.sku) || rule.products.categories.includes(l.category))) continue;
        let left = l.quantityMilli;
        let costLeft = l.paid;
        while (left > 0) {
          const take = Math.min(left, target - items);
          const cost = take === left ? costLeft : mulDivFloor(l.paid, take, l.quantityMilli);
          items += take;
          amount += cost;
          addedItems += take;
          addedAmount += cost;
          left -= take;
          costLeft -= cost;
          if (items === target) {
            ids.push(unlock(rule, { amountOff: mulDivFloor(amount, rule.rewardShareBps, 10_000) }));
            items = 0;
            amount = 0;
          }
        }
      }
      s = { ...s, progress: { ...s.progress, [rule.id]: { period, itemsMilli: items, amount } } };
      if (addedItems > 0) effects.push({ ruleId: rule.id, period, itemsMilli: addedItems, amount: addedAmount, stamped: [], round: 0, unlocked: ids });
    } else {
      const card = s.stampCards[rule.id] ?? { round: 0, skus: [], stepsGiven: 0 };
      const fresh = [...new Set(lines.map((l) => l.sku))].filter((sku) => rule.skus.includes(sku) && !card.skus.includes(sku));
      if (fresh.length === 0) continue;
      let next = { ...card, skus: [...card.skus, ...fresh] };
      const ids: string[] = [];
      const steps = [...rule.steps].sort((a, b) => a.stamps - b.stamps);
      while (next.stepsGiven < steps.length && next.skus.length >= steps[next.stepsGiven]!.stamps) {
        const step = steps[next.stepsGiven]!;
        ids.push(unlock(rule, { discountBps: step.discountBps, ...(step.gift ? { gift: step.gift } : {}) }));
        next = { ...next, stepsGiven: next.stepsGiven + 1 };
      }
      const round = next.round;
      // After the last step the card starts again, empty.
      if (next.stepsGiven === steps.length) next = { round: next.round + 1, skus: [], stepsGiven: 0 };
      s = { ...s, stampCards: { ...s.stampCards, [rule.id]: next } };
      effects.push({ ruleId: rule.id, period: '', itemsMilli: 0, amount: 0, stamped: fresh, round, unlocked: ids });
    }
  }
  return { state: s, unlocked, effects };
}

/**
 * Undoes a fully returned receipt: rewards it used come back, rewards it unlocked and that are
 * still unused go away, and its items and stamps leave progress that has not moved on since.
 */
export function undoRewards(state: RewardState, used: readonly Reward[], effects: readonly ProgressEffect[]): RewardState {
  const revoked = new Set(effects.flatMap((e) => e.unlocked));
  const unusedRevoked = state.rewards.filter((r) => revoked.has(r.rewardId)).map((r) => r.rewardId);
  let s: RewardState = { ...state, rewards: [...state.rewards.filter((r) => !revoked.has(r.rewardId)), ...used] };
  for (const e of effects) {
    if (e.stamped.length > 0) {
      const card = s.stampCards[e.ruleId];
      if (card && card.round === e.round && e.unlocked.every((id) => unusedRevoked.includes(id))) {
        s = {
          ...s,
          stampCards: { ...s.stampCards, [e.ruleId]: { ...card, skus: card.skus.filter((k) => !e.stamped.includes(k)), stepsGiven: Math.max(0, card.stepsGiven - e.unlocked.length) } },
        };
      }
    } else {
      const p = s.progress[e.ruleId];
      if (p && p.period === e.period && e.unlocked.length === 0) {
        s = {
          ...s,
          progress: { ...s.progress, [e.ruleId]: { ...p, itemsMilli: Math.max(0, p.itemsMilli - e.itemsMilli), amount: Math.max(0, p.amount - e.amount) } },
        };
      }
    }
  }
  return s;
}

export const describeProgress = (rules: readonly RewardRule[], state: RewardState) =>
  rules.map((r) =>
    r.type === 'stampCard'
      ? { ruleId: r.id, name: r.name, type: r.type, stamps: state.stampCards[r.id]?.skus.length ?? 0, of: Math.max(...r.steps.map((s) => s.stamps)) }
      : { ruleId: r.id, name: r.name, type: r.type, items: (state.progress[r.id]?.itemsMilli ?? 0) / 1000, of: r.items },
  );
