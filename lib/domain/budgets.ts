/**
 * Campaign budgets: an earning rule, a custom-event rule or a coupon campaign may carry a global
 * budget (grants, points, or money for discount coupons) and per-customer limits per period
 * (program time). Pure: what is used so far comes in — the global counters as read from storage,
 * the customer's own use from their account — and the draws a receipt or event makes go out.
 *
 * Global counters are drawn in the commit's transaction with `used + n <= total` (storage), so
 * concurrent tills never overspend; a lost draw is re-priced without the rule. The customer's
 * use lives on their account item, which every commit already writes on its version, so it needs
 * no item of its own and a quote knows it without a read.
 *
 * Returns give nothing back: a budget counts what a campaign handed out, so it may end
 * under-spent by what returns reversed but never over-spent, and a return never writes the
 * (shared, busy) counter. The customer's per-period use is kept too: returning a purchase does not
 * reopen a once-per-week bonus.
 */
import type * as z from 'zod';
import type { budgetSchema } from './schemas/budgets.ts';
import type { Account } from './account.ts';
import { localTime } from './time.ts';

export const budgetPeriods = ['day', 'week', 'month', 'ever'] as const;
export type BudgetPeriod = (typeof budgetPeriods)[number];

/** Most budgets with a global limit a program has: each is a counter a commit may write (kept well inside a transaction's 100 items). */
export const MAX_GLOBAL_BUDGETS = 20;
/**
 * Most budgets with per-customer limits a program has (every custom-event rule has one): each
 * keeps one small counter (~130 bytes) on a customer's item, and `ever` ones are kept for good.
 */
export const MAX_CUSTOMER_BUDGETS = 100;

export type Budget = z.output<typeof budgetSchema>;

/** `rule:{id}` (earning rule), `event:{id}` (custom-event rule), `coupon:{id}` (coupon campaign). */
export type BudgetKey = string;
export const budgetKey = (kind: 'rule' | 'event' | 'coupon', id: string): BudgetKey => `${kind}:${id}`;

export interface Draw {
  readonly grants: number;
  readonly points: number;
  readonly amount: number;
}
export const noDraw: Draw = { grants: 0, points: 0, amount: 0 };
export const addDraws = (a: Draw, b: Draw): Draw => ({ grants: a.grants + b.grants, points: a.points + b.points, amount: a.amount + b.amount });

/**
 * What the global counters say is used so far: per budget key, what each shard of its counter has
 * used (a missing key or shard: nothing yet); and `seed`, which shard this caller tries first.
 */
export interface Counters {
  readonly used: Readonly<Record<BudgetKey, readonly Draw[]>>;
  readonly seed: number;
}
export const noCounters: Counters = { used: {}, seed: 0 };
/** A caller's stable seed (FNV-1a of the customer id): a customer's draws start at the same shard, different customers' at different ones. */
export function seedOf(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * A "first N" budget (grants only) is split over up to MAX_SHARDS counter items, so concurrent
 * tills draw on different items instead of queueing on one; shard i may take its share of the
 * total (the shares add up to it), and a till whose shard is full takes the next one with room,
 * so the whole total is still handed out. Budgets of points or money stay one counter: a share
 * smaller than a draw would strand what is left in it.
 */
export const MAX_SHARDS = 8;
export const shardsOf = (b: Budget): number => (b.grants !== undefined && b.points === undefined && b.amount === undefined ? Math.max(1, Math.min(MAX_SHARDS, b.grants)) : 1);
const shareOf = (total: number | undefined, shards: number, i: number): number | undefined =>
  total === undefined ? undefined : Math.floor(total / shards) + (i < total % shards ? 1 : 0);
/** The limits of shard i of a budget: what the storage's conditional update checks. */
export const shardLimits = (b: Budget, i: number) => {
  const n = shardsOf(b);
  return { grants: shareOf(b.grants, n, i), points: shareOf(b.points, n, i), amount: shareOf(b.amount, n, i) };
};
export const totalUsed = (shards: readonly Draw[] | undefined): Draw => (shards ?? []).reduce(addDraws, noDraw);

/**
 * The shard `draw` fits in (`used + n <= share` on every limit): the seed picks among those with
 * room, so tills that lost a shard spread over the others rather than all chase the next one; -1
 * when none has room.
 */
export function shardFor(budget: Budget, shards: readonly Draw[] | undefined, draw: Draw, seed: number): number {
  const over = (limit: number | undefined, u: number, d: number) => limit !== undefined && d > 0 && u + d > limit;
  const room = Array.from({ length: shardsOf(budget) }, (_, i) => i).filter((i) => {
    const used = shards?.[i] ?? noDraw;
    const l = shardLimits(budget, i);
    return !over(l.grants, used.grants, draw.grants) && !over(l.points, used.points, draw.points) && !over(l.amount, used.amount, draw.amount);
  });
  return room.length ? room[seed % room.length]! : -1;
}

/** A customer's use of one budget in its current period. */
export interface CustomerUse {
  readonly period: string;
  readonly grants: number;
  readonly points: number;
}

export const hasGlobalLimit = (b: Budget | undefined): b is Budget => b !== undefined && (b.grants !== undefined || b.points !== undefined || b.amount !== undefined);

/** The period a moment falls in, program time: `2026-11-20`, `2026-W47`, `2026-11`, `ever`. */
export function periodOf(per: BudgetPeriod, at: Date, timeZone: string): string {
  if (per === 'ever') return 'ever';
  const t = localTime(at, timeZone);
  const mm = String(t.month).padStart(2, '0');
  if (per === 'month') return `${t.year}-${mm}`;
  if (per === 'day') return `${t.year}-${mm}-${String(t.day).padStart(2, '0')}`;
  // ISO week: the week belongs to the year of its Thursday.
  const d = new Date(Date.UTC(t.year, t.month - 1, t.day));
  d.setUTCDate(d.getUTCDate() + 4 - t.isoWeekday);
  const jan1 = Date.UTC(d.getUTCFullYear(), 0, 1);
  const week = Math.floor((d.getTime() - jan1) / 86_400_000 / 7) + 1;
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

/** The customer's use of `key` in the period `at` falls in (zero when the period has moved on). */
export function customerUse(account: Account, key: BudgetKey, budget: Budget, at: Date, timeZone: string): CustomerUse {
  const period = budget.perCustomer ? periodOf(budget.perCustomer.per, at, timeZone) : 'ever';
  const u = account.budgetUses?.[key];
  return u && u.period === period ? u : { period, grants: 0, points: 0 };
}

/** Which limit a draw would break: the global budget, the customer's limit, or none. */
export type BudgetRefusal = { readonly reason: 'budget'; readonly scope: 'global' | 'customer' } | null;

/**
 * Whether `draw` still fits `budget`: `used + draw <= total` for each global limit, in a shard with
 * room (the same test the storage's conditional update makes), and the same for the customer's
 * period. `before` is what this same receipt already drew on the key (two codes of one campaign).
 */
export function budgetRefusal(
  budget: Budget | undefined,
  key: BudgetKey,
  draw: Draw,
  counters: Counters,
  account: Account,
  at: Date,
  timeZone: string,
  before: Draw = noDraw,
): BudgetRefusal {
  if (!budget) return null;
  const over = (limit: number | undefined, u: number, n: number) => limit !== undefined && n > 0 && u + n > limit;
  if (hasGlobalLimit(budget) && shardFor(budget, counters.used[key], addDraws(before, draw), counters.seed) < 0) return { reason: 'budget', scope: 'global' };
  const pc = budget.perCustomer;
  if (pc) {
    // A late receipt from a period before the one the account counts in: its use there is no
    // longer known, so it gets nothing rather than risk going over (and never moves the period back).
    const stored = account.budgetUses?.[key]?.period;
    if (stored !== undefined && stored > periodOf(pc.per, at, timeZone)) return { reason: 'budget', scope: 'customer' };
    const u = customerUse(account, key, budget, at, timeZone);
    if (over(pc.grants, u.grants + before.grants, draw.grants) || over(pc.points, u.points + before.points, draw.points)) return { reason: 'budget', scope: 'customer' };
  }
  return null;
}

/** The least a grant draws (one grant, one point where points are limited): when even this does not fit, nothing is left. */
export const leastDraw = (budget: Budget): Draw => ({ grants: 1, points: budget.points !== undefined || budget.perCustomer?.points !== undefined ? 1 : 0, amount: 0 });

/** The account with the customer's per-period use of each drawn budget that has per-customer limits. */
export function recordCustomerDraws(
  account: Account,
  draws: ReadonlyArray<{ readonly key: BudgetKey; readonly budget: Budget | undefined; readonly draw: Draw }>,
  at: Date,
  timeZone: string,
): Account {
  const limited = draws.filter((d) => d.budget?.perCustomer);
  if (limited.length === 0) return account;
  const uses: Record<BudgetKey, CustomerUse> = { ...(account.budgetUses ?? {}) };
  for (const d of limited) {
    const u = customerUse({ ...account, budgetUses: uses }, d.key, d.budget!, at, timeZone);
    uses[d.key] = { period: u.period, grants: u.grants + d.draw.grants, points: u.points + d.draw.points };
  }
  return { ...account, budgetUses: uses };
}

/** The customer's uses of budgets the program still has with per-customer limits (bounded by MAX_CUSTOMER_BUDGETS). */
export function pruneCustomerUses(account: Account, keys: ReadonlySet<BudgetKey>): Account {
  const uses = account.budgetUses ?? {};
  if (Object.keys(uses).every((k) => keys.has(k))) return account;
  return { ...account, budgetUses: Object.fromEntries(Object.entries(uses).filter(([k]) => keys.has(k))) };
}

/** What a program has budgets on (structurally, so the program's own schema can check itself with it). */
interface Budgeted {
  readonly earning: { readonly rules: ReadonlyArray<{ readonly id: string; readonly name: string; readonly type: string; readonly budget?: Budget | undefined }> };
  readonly coupons: ReadonlyArray<{ readonly id: string; readonly name: string; readonly reward: { readonly type: string }; readonly budget?: Budget | undefined }>;
  readonly customEvents: ReadonlyArray<{ readonly id: string; readonly name: string; readonly budget?: Budget | undefined; readonly limit: { readonly times: number; readonly per: BudgetPeriod } }>;
}

export interface ProgramBudget {
  readonly key: BudgetKey;
  readonly kind: 'rule' | 'event' | 'coupon';
  readonly id: string;
  readonly name: string;
  /** For an event rule: its global budget with its per-customer `limit`. */
  readonly budget: Budget;
  /** Path of the budget in the document, for errors. */
  readonly path: ReadonlyArray<string | number>;
}

/** The program in force is one object a process keeps: its budgets are listed once, not on every commit. */
const listed = new WeakMap<Budgeted, readonly ProgramBudget[]>();

/** Every budget of the program, in document order. */
export function programBudgets(p: Budgeted): readonly ProgramBudget[] {
  let out = listed.get(p);
  if (!out) listed.set(p, (out = listBudgets(p)));
  return out;
}

function listBudgets(p: Budgeted): ProgramBudget[] {
  return [
    ...p.earning.rules.flatMap((r, i) => (r.budget ? [{ key: budgetKey('rule', r.id), kind: 'rule' as const, id: r.id, name: r.name, budget: r.budget, path: ['earning', 'rules', i, 'budget'] }] : [])),
    ...p.customEvents.map((r, i) => ({
      key: budgetKey('event', r.id),
      kind: 'event' as const,
      id: r.id,
      name: r.name,
      budget: { ...(r.budget ?? {}), perCustomer: { per: r.limit.per, grants: r.limit.times } },
      path: ['customEvents', i, 'budget'],
    })),
    ...p.coupons.flatMap((c, i) => (c.budget ? [{ key: budgetKey('coupon', c.id), kind: 'coupon' as const, id: c.id, name: c.name, budget: c.budget, path: ['coupons', i, 'budget'] }] : [])),
  ];
}

/** The document-wide rules of budgets: what each kind may count, and how many a program may have. */
export function checkBudgets(p: Budgeted, ctx: z.RefinementCtx): void {
  const issue = (path: ReadonlyArray<string | number>, message: string) => ctx.addIssue({ code: 'custom', message, path: [...path] });
  p.earning.rules.forEach((r, i) => {
    const path = ['earning', 'rules', i, 'budget'];
    if (r.budget?.amount !== undefined) issue([...path, 'amount'], 'amount (money) budgets are for discount coupon campaigns; an earning rule counts grants or points');
    if (r.type === 'multiplier' && r.budget?.points !== undefined) issue([...path, 'points'], 'a multiplier rule gives no points of its own to count: limit it by grants');
    if (r.type === 'multiplier' && r.budget?.perCustomer?.points !== undefined) issue([...path, 'perCustomer', 'points'], 'a multiplier rule gives no points of its own to count: limit it by grants');
  });
  p.coupons.forEach((c, i) => {
    const path = ['coupons', i, 'budget'];
    const points = c.reward.type === 'points';
    if (points && c.budget?.amount !== undefined) issue([...path, 'amount'], 'a points campaign takes no money off: count grants or points');
    if (!points && c.budget?.points !== undefined) issue([...path, 'points'], 'a discount campaign gives no points: count grants or amount');
    if (!points && c.budget?.perCustomer?.points !== undefined) issue([...path, 'perCustomer', 'points'], 'a discount campaign gives no points: count grants');
  });
  const all = programBudgets(p);
  const global = all.filter((b) => hasGlobalLimit(b.budget));
  if (global.length > MAX_GLOBAL_BUDGETS) issue(global[MAX_GLOBAL_BUDGETS]!.path, `a program may have at most ${MAX_GLOBAL_BUDGETS} budgets with global limits (grants, points or amount)`);
  const perCustomer = all.filter((b) => b.budget.perCustomer);
  if (perCustomer.length > MAX_CUSTOMER_BUDGETS) issue(perCustomer[MAX_CUSTOMER_BUDGETS]!.path, `a program may have at most ${MAX_CUSTOMER_BUDGETS} per-customer limits (custom-event rules and budget.perCustomer together)`);
}
