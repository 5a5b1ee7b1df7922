/**
 * Earning rules: what a program document may say beyond the base rate, and when a rule applies.
 * Every rule has an id, a name, a validity window, optional stores, tiers, days of week and
 * hours (program time), a priority, and whether it stacks with others.
 */
import * as z from 'zod';
import { localTime } from './time.ts';
import { attributeName, attributeSelectorSchema, attributeValue, hasAllAttributes, hasAnyAttribute, type LineAttributes } from './attributes.ts';

const code = z.string().min(1).max(64);

/** A multiplier such as 3 or 1.5, kept as an integer number of ten-thousandths (×3 = 30000). */
export const multiplier = z
  .number()
  .positive()
  .max(100)
  .refine((m) => Math.abs(m * 10_000 - Math.round(m * 10_000)) < 1e-6, 'may have at most 4 decimals')
  .transform((m) => Math.round(m * 10_000));
export const ONE = 10_000;

/** A multiplier that may also be 0: the line earns nothing at all (no base points, no bonus share). */
const multiplierOrZero = z
  .number()
  .min(0)
  .max(100)
  .refine((m) => Math.abs(m * 10_000 - Math.round(m * 10_000)) < 1e-6, 'may have at most 4 decimals')
  .transform((m) => Math.round(m * 10_000));

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24-hour)');

export const conditionsSchema = z
  .strictObject({
    validFrom: z.iso.datetime({ offset: true }).optional(),
    validTo: z.iso.datetime({ offset: true }).optional(),
    stores: z.array(code).min(1).max(10_000).optional(),
    /**
     * Store tags (set on the store through /v1/stores): each named tag must have one of the
     * listed values, e.g. `{ "region": ["north"], "format": ["pharmacy", "mini"] }`.
     */
    storeTags: z
      .record(code, z.array(code).min(1).max(50))
      .refine((t) => Object.keys(t).length >= 1 && Object.keys(t).length <= 20, 'must name 1 to 20 tags')
      .meta({ minProperties: 1, maxProperties: 20 })
      .optional(),
    tiers: z.array(code).min(1).max(50).optional(),
    /** Customer segments (any of them); segments are set on the customer by staff or jobs. */
    segments: z.array(code).min(1).max(50).optional(),
    /** ISO weekdays in the program's time zone: 1 = Monday … 7 = Sunday. */
    daysOfWeek: z.array(z.int().min(1).max(7)).min(1).max(7).optional(),
    /** A daily window in the program's time zone, `from` inclusive, `to` exclusive. */
    hours: z.strictObject({ from: hhmm, to: hhmm }).optional(),
    /**
     * The receipt must come to at least `amount` (minor units): its lines' amounts before the
     * loyalty discounts, or what is left to pay in money after them (tier, rewards, coupons, points).
     */
    minimum: z
      .strictObject({ amount: z.int().min(1).max(1_000_000_000_000), of: z.enum(['beforeDiscounts', 'afterDiscounts']).default('beforeDiscounts') })
      .optional(),
  })
  .default({});

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
] as const;
export type RuleMissReason = (typeof ruleMissReasons)[number];

/** A rule that did not apply, and why. */
export interface RuleMiss {
  readonly kind: 'rule' | 'base';
  readonly id: string;
  readonly reason: RuleMissReason;
}

/** Lines that earn nothing: in one of the categories, one of the SKUs, or with one of the listed values of any named attribute. */
export const lineExclusionsSchema = z.strictObject({
  categories: z.array(code).max(1000).default([]),
  skus: z.array(code).max(10_000).default([]),
  /** E.g. `{ "rx": ["true"] }`: prescription lines earn nothing. */
  attributes: attributeSelectorSchema.optional(),
});

/**
 * Which lines a rule is about: one of the SKUs or categories (any line when both are empty),
 * narrowed to lines that have every named attribute with one of its values, less `exclude`.
 */
export const productsSchema = z.strictObject({
  skus: z.array(code).max(10_000).default([]),
  categories: z.array(code).max(1_000).default([]),
  /** E.g. `{ "brand": ["acme"] }`: only Acme lines (of the SKUs/categories, if any are listed). */
  attributes: attributeSelectorSchema.optional(),
  exclude: lineExclusionsSchema.optional(),
});

const common = {
  id: code,
  name: z.string().min(1).max(200),
  when: conditionsSchema,
  /** Higher runs first; among exclusive rules that apply, only the highest-priority one counts. */
  priority: z.int().min(0).max(1_000_000).default(100),
  /** `stack`: adds to the others. `exclusive`: when it applies, no other earning rule does. */
  stacking: z.enum(['stack', 'exclusive']).default('stack'),
  /** When this rule applies (changes the points), the rules after it in priority order do not; those before it still do. */
  stop: z.boolean().optional(),
};

const points = z.int().min(0).max(10_000_000);

export const earningRuleSchema = z.discriminatedUnion('type', [
  z.strictObject({
    ...common,
    type: z.literal('multiplier'),
    /** Multiplies the base points of matching lines (all eligible lines if `products` is absent). */
    multiplier,
    products: productsSchema.optional(),
  }),
  z.strictObject({
    ...common,
    type: z.literal('attributeMultiplier'),
    /** The line attribute whose value picks the multiplier, e.g. `brand`. */
    attribute: attributeName,
    /** Multiplier per value, e.g. `{ "acme": 2, "budget": 0 }`; 0 = lines with that value earn nothing. Other values: unchanged. */
    multipliers: z
      .record(attributeValue, multiplierOrZero)
      .refine((m) => Object.keys(m).length >= 1 && Object.keys(m).length <= 100, 'must list 1 to 100 values')
      .meta({ minProperties: 1, maxProperties: 100 }),
    products: productsSchema.optional(),
  }),
  z.strictObject({ ...common, type: z.literal('pointsPerItem'), points, products: productsSchema }),
  z.strictObject({
    ...common,
    type: z.literal('itemCount'),
    /** Eligible items (by quantity) the receipt must have. */
    minItems: z.int().min(1).max(1_000_000),
    points,
    products: productsSchema.optional(),
  }),
  z.strictObject({ ...common, type: z.literal('receiptAmount'), /** Eligible amount, minor units. */ minAmount: z.int().min(1), points }),
  z.strictObject({ ...common, type: z.literal('nthReceipt'), /** Every Nth receipt of the customer. */ every: z.int().min(2).max(1000), points }),
  z.strictObject({ ...common, type: z.literal('firstReceipt'), points }),
  z.strictObject({
    ...common,
    type: z.literal('lifetimeSpend'),
    /** Once, on the receipt whose eligible spend carries the total to this amount … */
    threshold: z.int().min(1),
    points,
    /** … over the customer's lifetime, or within each calendar year (program time). */
    period: z.enum(['lifetime', 'calendarYear']).default('lifetime'),
  }),
]);

/**
 * A targeted base rate: when its conditions hold it replaces `earning.base` for the receipt (the
 * highest-priority one that holds), and the lines its `exclusions` name earn nothing on it.
 */
export const baseRuleSchema = z.strictObject({
  id: code,
  name: z.string().min(1).max(200),
  when: conditionsSchema,
  priority: z.int().min(0).max(1_000_000).default(100),
  /** `points` for every full `per` minor units of the earning basis. */
  points: z.int().min(0).max(1_000_000),
  per: z.int().min(1).max(1_000_000_000),
  exclusions: lineExclusionsSchema.optional(),
});
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
