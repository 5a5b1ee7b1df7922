/**
 * One-time rewards: progress towards them (items bought in a period, stamps on a card), the
 * rewards unlocked, and their use on a later receipt — consumed in the same transaction as that
 * receipt, and given back if it is fully returned. Scenario 2 (the eleventh item) and scenario 4
 * (stamp cards) are documents over these two mechanics.
 */
import type * as z from 'zod';
import type { rewardRuleSchema } from './schemas/rewards.ts';
import { allocate, mulDivFloor, sum } from './allocation.ts';
import { matchesProducts, type Products } from './rules.ts';
import type { LineAttributes } from './attribute-match.ts';
import { localTime } from './time.ts';

/**
 * Most unused rewards a customer holds, all rules together: past it a receipt unlocks nothing
 * more until some are used. It bounds the customer's item and what one receipt can use and
 * unlock (its answer names each), so a receipt at every other maximum still fits one item.
 */
export const MAX_HELD_REWARDS = 20;
/** The highest `maxPerReceipt` a milestone may set (no receipt could unlock more). */
export const MAX_UNLOCKS_PER_RECEIPT = MAX_HELD_REWARDS;

export type RewardRule = z.output<typeof rewardRuleSchema>;

/**
 * Unlocked rewards not yet used, as counted entries: equal rewards of a rule unlocked one after
 * another are one entry with a count, so holding many rewards does not mean many objects. An
 * entry keeps values, not texts: its name and gift are the program's (rewardText), so neither
 * the customer's item nor a receipt carries a copy of them per reward.
 */
export interface Reward {
  /** The entry's id (its first reward's); `rewards.asGift` names it once per reward handed over. */
  readonly rewardId: string;
  readonly ruleId: string;
  /** Percent of the receipt it is used on … */
  readonly discountBps?: number;
  /** … or a fixed amount (minor units), at most the receipt's amount. */
  readonly amountOff?: number;
  /** The stamp card's step (in order of stamps) it was given for; its gift is that step's. */
  readonly step?: number;
  /** When the entry's first reward was unlocked. */
  readonly unlockedAt: string;
  /** How many equal rewards the entry holds. */
  readonly count: number;
}

/**
 * A reward as stored: entries written before counts existed have none (one reward each), and
 * carry their rule's name and step's gift as they were then.
 */
export type StoredReward = Omit<Reward, 'count'> & {
  readonly count?: number | undefined;
  readonly name?: string | undefined;
  readonly gift?: string | undefined;
};

/** A reward's name and gift: its rule's now, or what an older entry kept, or (rule gone) the rule id. */
export function rewardText(rules: readonly RewardRule[], r: StoredReward): { name: string; gift?: string } {
  const rule = rules.find((x) => x.id === r.ruleId);
  const step = rule?.type === 'stampCard' && r.step !== undefined ? sortedSteps(rule)[r.step] : undefined;
  const gift = step ? step.gift : r.gift;
  return { name: rule?.name ?? r.name ?? r.ruleId, ...(gift ? { gift } : {}) };
}

/**
 * Whether a line counts towards a milestone with `products`: as for earning rules, except that
 * empty lists with no attributes select nothing (as they always have here).
 */
const countsFor = (p: Products, l: ProgressLine): boolean =>
  (p.skus.length > 0 || p.categories.length > 0 || p.attributes !== undefined) && matchesProducts(p, l);

const sortedSteps = (rule: Extract<RewardRule, { type: 'stampCard' }>) => [...rule.steps].sort((a, b) => a.stamps - b.stamps);

export const countOf = (r: StoredReward): number => r.count ?? 1;

/** Rewards read from storage, in today's shape (older items hold one object per reward). */
export const withCounts = (rewards: readonly StoredReward[]): Reward[] => rewards.map((r) => ({ ...r, count: countOf(r) }));

/** Unused rewards held, all entries together. */
export const heldRewards = (state: RewardState): number => state.rewards.reduce((n, r) => n + countOf(r), 0);

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
  readonly attributes?: LineAttributes | undefined;
  readonly quantityMilli: number;
  /** What the line costs before one-time rewards (after the tier discount). */
  readonly payable: number;
}

export interface RewardUse {
  /** The entry it came from, with the count this use took (1). */
  readonly reward: Reward;
  /** Money off, or 0 when handed over as a gift. */
  readonly discount: number;
  readonly asGift: boolean;
}

/**
 * Which unlocked rewards this receipt uses (oldest first, one per rule unless skipped) and the
 * discount per line. Each mention of an entry in `asGift` hands one of its rewards over as a gift.
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
  const giftsAsked = new Map<string, number>();
  for (const id of opts.asGift) giftsAsked.set(id, (giftsAsked.get(id) ?? 0) + 1);
  let remaining = lines.map((l) => l.payable);
  const left: Reward[] = [];
  for (const entry of withCounts(state.rewards)) {
    let count = entry.count;
    const one: Reward = { ...entry, count: 1 };
    const gifts = Math.min(count, giftsAsked.get(entry.rewardId) ?? 0);
    for (let g = 0; g < gifts; g++) uses.push({ reward: one, discount: 0, asGift: true });
    giftsAsked.set(entry.rewardId, (giftsAsked.get(entry.rewardId) ?? 0) - gifts);
    count -= gifts;
    const base = sum(remaining);
    if (count > 0 && !opts.skip && !usedRules.has(entry.ruleId) && base > 0) {
      const off = Math.min(base, entry.amountOff ?? mulDivFloor(base, entry.discountBps ?? 0, 10_000));
      const split = off === 0 ? remaining.map(() => 0) : allocate(off, remaining);
      split.forEach((d, i) => (perLine[i]! += d));
      remaining = remaining.map((r, i) => r - split[i]!);
      usedRules.add(entry.ruleId);
      uses.push({ reward: one, discount: off, asGift: false });
      count -= 1;
    }
    if (count > 0) left.push({ ...entry, count });
  }
  return { uses, perLine, state: { ...state, rewards: left } };
}

/** The rewards a receipt used, one counted entry per entry they came from (what a full return gives back). */
export function usedEntries(uses: readonly RewardUse[]): Reward[] {
  const out: Reward[] = [];
  for (const u of uses) {
    const i = out.findIndex((r) => r.rewardId === u.reward.rewardId);
    if (i >= 0) out[i] = { ...out[i]!, count: out[i]!.count + u.reward.count };
    else out.push(u.reward);
  }
  return out;
}

export interface ProgressLine {
  readonly sku: string;
  readonly category: string;
  readonly attributes?: LineAttributes | undefined;
  readonly quantityMilli: number;
  /** What the line cost the customer in money. */
  readonly paid: number;
}

/** Rewards a receipt unlocked into one entry. */
export interface UnlockedRef {
  readonly rewardId: string;
  readonly count: number;
}

/** What a receipt did to progress, so a full return can undo it. */
export interface ProgressEffect {
  readonly ruleId: string;
  readonly period: string;
  readonly itemsMilli: number;
  readonly amount: number;
  readonly stamped: readonly string[];
  readonly round: number;
  /** Entries the receipt unlocked rewards into (plain ids, one reward each, on receipts from before counts). */
  readonly unlocked: ReadonlyArray<UnlockedRef | string>;
}

const refsOf = (e: ProgressEffect): UnlockedRef[] => e.unlocked.map((u) => (typeof u === 'string' ? { rewardId: u, count: 1 } : u));
const unlockedBy = (e: ProgressEffect): number => refsOf(e).reduce((n, r) => n + r.count, 0);

type RewardValue = Pick<Reward, 'discountBps' | 'amountOff' | 'step'>;

/**
 * Adds a receipt's items and stamps to progress, unlocking the rewards they complete. The work
 * is per line and rule, not per unit: whole targets inside a line are counted in one step.
 */
export function advanceProgress(
  rules: readonly RewardRule[],
  state: RewardState,
  lines: readonly ProgressLine[],
  at: Date,
  timeZone: string,
  unlockedAt: string,
): { state: RewardState; unlocked: Reward[]; effects: ProgressEffect[] } {
  let s: RewardState = { ...state, rewards: withCounts(state.rewards) };
  const unlocked: Reward[] = [];
  const effects: ProgressEffect[] = [];
  const year = String(localTime(at, timeZone).year);
  let room = Math.max(0, MAX_HELD_REWARDS - heldRewards(s));

  /** Adds `count` equal rewards: onto the rule's newest entry when it is the same reward, else as a new entry. */
  const unlock = (rule: RewardRule, value: RewardValue, count: number): UnlockedRef => {
    const rewards = [...s.rewards];
    const i = rewards.findLastIndex((r) => r.ruleId === rule.id);
    const last = i >= 0 ? rewards[i] : undefined;
    let entry: Reward;
    if (last && last.discountBps === value.discountBps && last.amountOff === value.amountOff && last.step === value.step && (last as StoredReward).name === undefined) {
      entry = last;
      rewards[i] = { ...last, count: last.count + count };
      s = { ...s, rewards };
    } else {
      entry = { rewardId: `${rule.id}:${s.rewardSeq + 1}`, ruleId: rule.id, unlockedAt, ...value, count };
      s = { ...s, rewardSeq: s.rewardSeq + 1, rewards: [...rewards, entry] };
    }
    const prev = unlocked.at(-1);
    if (prev?.rewardId === entry.rewardId) unlocked[unlocked.length - 1] = { ...prev, count: prev.count + count };
    else unlocked.push({ ...entry, count });
    room -= count;
    return { rewardId: entry.rewardId, count };
  };

  for (const rule of rules) {
    if (rule.type === 'itemMilestone') {
      const period = rule.period === 'calendarYear' ? year : 'all';
      const prev = s.progress[rule.id];
      let items = prev && prev.period === period ? prev.itemsMilli : 0;
      let amount = prev && prev.period === period ? prev.amount : 0;
      const target = rule.items * 1000;
      const refs: UnlockedRef[] = [];
      let given = 0;
      let addedItems = 0;
      let addedAmount = 0;
      const allowed = () => Math.min(rule.maxPerReceipt - given, room);
      const count = (take: number, cost: number) => {
        items += take;
        amount += cost;
        addedItems += take;
        addedAmount += cost;
      };
      const reward = (cost: number, n: number) => {
        refs.push(unlock(rule, { amountOff: mulDivFloor(cost, rule.rewardShareBps, 10_000) }, n));
        given += n;
      };
      // Lines in order; within a line, units pro rata (the line's last units take what its
      // cost has left, so the line adds up); past the cap, items stop counting.
      for (const l of lines) {
        if (rule.products && !countsFor(rule.products, l)) continue;
        let left = l.quantityMilli;
        let costLeft = l.paid;
        const need = target - items;
        if (left < need) {
          count(left, costLeft);
          continue;
        }
        if (allowed() <= 0) break;
        // The first reward completes what earlier lines and receipts started.
        const first = need === left ? costLeft : mulDivFloor(l.paid, need, l.quantityMilli);
        count(need, first);
        reward(amount, 1);
        items = 0;
        amount = 0;
        left -= need;
        costLeft -= first;
        // Whole targets inside the line, counted at once: each costs the same share of the line,
        // except the line's last units when they end exactly on a target.
        const whole = Math.floor(left / target);
        const n = Math.min(whole, allowed());
        if (n > 0) {
          const endsOnTarget = left % target === 0 && n === whole;
          const plain = endsOnTarget ? n - 1 : n;
          const each = mulDivFloor(l.paid, target, l.quantityMilli);
          if (plain > 0) {
            addedItems += plain * target;
            addedAmount += plain * each;
            reward(each, plain);
            left -= plain * target;
            costLeft -= plain * each;
          }
          if (endsOnTarget) {
            addedItems += left;
            addedAmount += costLeft;
            reward(costLeft, 1);
            left = 0;
            costLeft = 0;
          }
        }
        if (n < whole) break;
        if (left > 0) count(left, costLeft);
      }
      s = { ...s, progress: { ...s.progress, [rule.id]: { period, itemsMilli: items, amount } } };
      if (addedItems > 0) effects.push({ ruleId: rule.id, period, itemsMilli: addedItems, amount: addedAmount, stamped: [], round: 0, unlocked: refs });
    } else {
      const card = s.stampCards[rule.id] ?? { round: 0, skus: [], stepsGiven: 0 };
      const fresh = [...new Set(lines.map((l) => l.sku))].filter((sku) => rule.skus.includes(sku) && !card.skus.includes(sku));
      if (fresh.length === 0) continue;
      let next = { ...card, skus: [...card.skus, ...fresh] };
      const refs: UnlockedRef[] = [];
      const steps = sortedSteps(rule);
      // A step waits (stamps kept) while the customer holds the most rewards allowed.
      while (room > 0 && next.stepsGiven < steps.length && next.skus.length >= steps[next.stepsGiven]!.stamps) {
        const step = steps[next.stepsGiven]!;
        refs.push(unlock(rule, { discountBps: step.discountBps, step: next.stepsGiven }, 1));
        next = { ...next, stepsGiven: next.stepsGiven + 1 };
      }
      const round = next.round;
      // After the last step the card starts again, empty.
      if (next.stepsGiven === steps.length) next = { round: next.round + 1, skus: [], stepsGiven: 0 };
      s = { ...s, stampCards: { ...s.stampCards, [rule.id]: next } };
      effects.push({ ruleId: rule.id, period: '', itemsMilli: 0, amount: 0, stamped: fresh, round, unlocked: refs });
    }
  }
  return { state: s, unlocked, effects };
}

/**
 * Undoes a fully returned receipt: rewards it used come back (up to the most a customer holds),
 * rewards it unlocked and that are still unused go away, and its items and stamps leave progress
 * that has not moved on since.
 */
export function undoRewards(state: RewardState, used: readonly StoredReward[], effects: readonly ProgressEffect[]): RewardState {
  const rewards = withCounts(state.rewards);
  /** Takes back up to `ref.count` rewards of an entry; true if all of them were still unused. */
  const revoke = (ref: UnlockedRef): boolean => {
    const i = rewards.findIndex((r) => r.rewardId === ref.rewardId);
    const n = i >= 0 ? Math.min(rewards[i]!.count, ref.count) : 0;
    if (n > 0) rewards[i] = { ...rewards[i]!, count: rewards[i]!.count - n };
    return n === ref.count;
  };
  const allUnused = effects.map((e) => refsOf(e).map(revoke).every(Boolean));
  const kept = rewards.filter((r) => r.count > 0);
  let room = Math.max(0, MAX_HELD_REWARDS - kept.reduce((n, r) => n + r.count, 0));
  for (const u of withCounts(used)) {
    const back = Math.min(u.count, room);
    if (back === 0) continue;
    room -= back;
    const i = kept.findIndex((r) => r.rewardId === u.rewardId);
    if (i >= 0) kept[i] = { ...kept[i]!, count: kept[i]!.count + back };
    else kept.push({ ...u, count: back });
  }
  let s: RewardState = { ...state, rewards: kept };
  effects.forEach((e, k) => {
    if (e.stamped.length > 0) {
      const card = s.stampCards[e.ruleId];
      if (card && card.round === e.round && allUnused[k]) {
        s = {
          ...s,
          stampCards: { ...s.stampCards, [e.ruleId]: { ...card, skus: card.skus.filter((x) => !e.stamped.includes(x)), stepsGiven: Math.max(0, card.stepsGiven - unlockedBy(e)) } },
        };
      }
    } else {
      const p = s.progress[e.ruleId];
      if (p && p.period === e.period && unlockedBy(e) === 0) {
        s = {
          ...s,
          progress: { ...s.progress, [e.ruleId]: { ...p, itemsMilli: Math.max(0, p.itemsMilli - e.itemsMilli), amount: Math.max(0, p.amount - e.amount) } },
        };
      }
    }
  });
  return s;
}

export const describeProgress = (rules: readonly RewardRule[], state: RewardState) =>
  rules.map((r) =>
    r.type === 'stampCard'
      ? { ruleId: r.id, name: r.name, type: r.type, stamps: state.stampCards[r.id]?.skus.length ?? 0, of: Math.max(...r.steps.map((s) => s.stamps)) }
      : { ruleId: r.id, name: r.name, type: r.type, items: (state.progress[r.id]?.itemsMilli ?? 0) / 1000, of: r.items },
  );
