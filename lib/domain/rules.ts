/**
 * Earning rules: what a program document may say beyond the base rate, and when a rule applies.
 * Every rule has an id, a name, a validity window, optional stores, tiers, days of week and
 * hours (program time), a priority, and whether it stacks with others.
 */
import type * as z from 'zod';
import { localTime } from './time.ts';
import { hasAllAttributes, hasAnyAttribute, type LineAttributes } from './attribute-match.ts';
import type { baseRuleSchema, conditionsSchema, earningRuleSchema, lineExclusionsSchema, productsSchema } from './schemas/rules.ts';

export const ONE = 10_000;

/**
 * Why a rule did not apply to a receipt: the first condition that failed, in the order they are
 * checked (conditions, then selection, then what the rule needs, then what drops it). One list,
 * so a new reason (a spent budget) is one more entry here.
 */
export const ruleMissReasons = [
  'window',
  'store',
  'storeTags',
  'tier',
  'segment',
  'dayOfWeek',
  'hours',
  'minimum',
  /** A higher-priority base rule applies (one base rate per receipt). */
  'outranked',
  /** An exclusive rule applies. */
  'exclusive',
  /** A higher-priority rule that applies says stop. */
  'stop',
  /** No line of the receipt is one the rule is about. */
  'products',
  /** The lines it is about earn nothing here (excluded, by the program, the base rule or a 0 multiplier, or free). */
  'exclusion',
  /** What the rule counts is not reached: items, amount, Nth receipt, first receipt, spend threshold. */
  'threshold',
  /** A cap left this receipt no points. */
  'cap',
  /** The rule's campaign budget is spent, or the customer reached its limit (budgets.ts). */
  'budget',
] as const;
export type RuleMissReason = (typeof ruleMissReasons)[number];

/** A rule that did not apply, and why. */
export interface RuleMiss {
  readonly kind: 'rule' | 'base';
  readonly id: string;
  readonly reason: RuleMissReason;
}

export type BaseRule = z.output<typeof baseRuleSchema>;
/** The id that names `earning.base` (the default rate) where rules are listed; no base rule may take it. */
export const DEFAULT_BASE_ID = 'default';

export type EarningRule = z.output<typeof earningRuleSchema>;
export type Conditions = z.output<typeof conditionsSchema>;
export type Products = z.output<typeof productsSchema>;
export type LineExclusions = z.output<typeof lineExclusionsSchema>;

/** What rules read of a receipt line to select it. */
export interface SelectableLine {
  readonly sku: string;
  readonly category: string;
  readonly attributes?: LineAttributes | undefined;
}

export interface RuleContext {
  readonly at: Date;
  readonly timeZone: string;
  readonly storeId: string | undefined;
  /** The store's tags, as its till's key carries them. */
  readonly storeTags?: Readonly<Record<string, string>> | undefined;
  readonly tierId: string | undefined;
  readonly segments?: readonly string[] | undefined;
  /** The receipt's amount before the loyalty discounts and what is paid in money after them, for `minimum`. */
  readonly amounts?: { readonly beforeDiscounts: number; readonly afterDiscounts: number } | undefined;
  /** Rules the caller already knows do not apply here, and why (e.g. a spent budget). */
  readonly unavailable?: ReadonlyMap<string, RuleMissReason> | undefined;
}

/** The first condition that does not hold for this receipt, or null when all do. */
export function conditionFailure(c: Conditions, ctx: RuleContext): RuleMissReason | null {
  if (c.validFrom && ctx.at < new Date(c.validFrom)) return 'window';
  if (c.validTo && ctx.at >= new Date(c.validTo)) return 'window';
  if (c.stores && (!ctx.storeId || !c.stores.includes(ctx.storeId))) return 'store';
  if (c.storeTags && !Object.entries(c.storeTags).every(([tag, values]) => ctx.storeTags?.[tag] !== undefined && values.includes(ctx.storeTags[tag]))) return 'storeTags';
  if (c.tiers && (!ctx.tierId || !c.tiers.includes(ctx.tierId))) return 'tier';
  if (c.segments && !c.segments.some((s) => ctx.segments?.includes(s))) return 'segment';
  if (c.daysOfWeek || c.hours) {
    const t = localTime(ctx.at, ctx.timeZone);
    if (c.daysOfWeek && !c.daysOfWeek.includes(t.isoWeekday)) return 'dayOfWeek';
    if (c.hours) {
      const now = t.hour * 60 + t.minute;
      const [fh, fm] = c.hours.from.split(':').map(Number) as [number, number];
      const [th, tm] = c.hours.to.split(':').map(Number) as [number, number];
      const from = fh * 60 + fm;
      const to = th * 60 + tm;
      // A window like 22:00–02:00 wraps past midnight.
      const inside = from <= to ? now >= from && now < to : now >= from || now < to;
      if (!inside) return 'hours';
    }
  }
  if (c.minimum && (ctx.amounts?.[c.minimum.of] ?? 0) < c.minimum.amount) return 'minimum';
  return null;
}

export const conditionsHold = (c: Conditions, ctx: RuleContext): boolean => conditionFailure(c, ctx) === null;

/** Rules highest priority first (ties by id), once per rule list: a program is priced many times. */
const sortedCache = new WeakMap<readonly { priority: number; id: string }[], readonly unknown[]>();
export function byPriority<R extends { priority: number; id: string }>(rules: readonly R[]): readonly R[] {
  let sorted = sortedCache.get(rules) as readonly R[] | undefined;
  if (!sorted) {
    sorted = [...rules].sort((a, b) => b.priority - a.priority || (a.id < b.id ? -1 : 1));
    sortedCache.set(rules, sorted);
  }
  return sorted;
}

/** The base rule this receipt earns by (null: `earning.base`), and the base rules that did not apply. */
export function chooseBase(rules: readonly BaseRule[], ctx: RuleContext, misses: RuleMiss[]): BaseRule | null {
  let chosen: BaseRule | null = null;
  for (const r of byPriority(rules)) {
    const reason = ctx.unavailable?.get(r.id) ?? conditionFailure(r.when, ctx);
    if (reason) misses.push({ kind: 'base', id: r.id, reason });
    else if (chosen) misses.push({ kind: 'base', id: r.id, reason: 'outranked' });
    else chosen = r;
  }
  return chosen;
}

export const isExcluded = (x: LineExclusions, line: SelectableLine): boolean =>
  x.categories.includes(line.category) || x.skus.includes(line.sku) || (x.attributes !== undefined && hasAnyAttribute(x.attributes, line.attributes));

/**
 * Which lines a rule is about, as flags (`eligibleOnly`: and that may earn). One call per rule,
 * not per line: the engine asks this for every rule of every receipt.
 */
export function selectLines(p: Products | undefined, lines: readonly (SelectableLine & { readonly eligible: boolean })[], eligibleOnly: boolean): boolean[] {
  const out = new Array<boolean>(lines.length);
  const all = !p || (p.skus.length === 0 && p.categories.length === 0 && !p.attributes && !p.exclude);
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    out[i] = (!eligibleOnly || l.eligible) && (all || matchesProducts(p, l));
  }
  return out;
}

export function matchesProducts(p: Products | undefined, line: SelectableLine): boolean {
  if (!p) return true;
  const listed = (p.skus.length === 0 && p.categories.length === 0) || p.skus.includes(line.sku) || p.categories.includes(line.category);
  if (!listed) return false;
  if (p.attributes && !hasAllAttributes(p.attributes, line.attributes)) return false;
  return !p.exclude || !isExcluded(p.exclude, line);
}

/**
 * The rules that may apply to this receipt, highest priority first: conditions hold, then
 * exclusivity by priority. The others go to `misses` with the reason.
 */
export function activeRules(rules: readonly EarningRule[], ctx: RuleContext, misses: RuleMiss[] = []): EarningRule[] {
  const applying: EarningRule[] = [];
  for (const r of byPriority(rules)) {
    const reason = ctx.unavailable?.get(r.id) ?? conditionFailure(r.when, ctx);
    if (reason) misses.push({ kind: 'rule', id: r.id, reason });
    else applying.push(r);
  }
  const exclusive = applying.find((r) => r.stacking === 'exclusive');
  if (!exclusive) return applying;
  for (const r of applying) if (r !== exclusive) misses.push({ kind: 'rule', id: r.id, reason: 'exclusive' });
  return [exclusive];
}
