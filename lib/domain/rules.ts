/**
 * Earning rules: what a program document may say beyond the base rate, and when a rule applies.
 * Every rule has an id, a name, a validity window, optional stores, tiers, days of week and
 * hours (program time), a priority, and whether it stacks with others.
 */
import * as z from 'zod';
import { localTime } from './time.ts';
import { budgetSchema } from './budgets.ts';

const code = z.string().min(1).max(64);

/** A multiplier such as 3 or 1.5, kept as an integer number of ten-thousandths (×3 = 30000). */
export const multiplier = z
  .number()
  .positive()
  .max(100)
  .refine((m) => Math.abs(m * 10_000 - Math.round(m * 10_000)) < 1e-6, 'may have at most 4 decimals')
  .transform((m) => Math.round(m * 10_000));
export const ONE = 10_000;

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
  })
  .default({});

export const productsSchema = z.strictObject({
  skus: z.array(code).max(10_000).default([]),
  categories: z.array(code).max(1_000).default([]),
});

const common = {
  id: code,
  name: z.string().min(1).max(200),
  when: conditionsSchema,
  /** Higher runs first; among exclusive rules that apply, only the highest-priority one counts. */
  priority: z.int().min(0).max(1_000_000).default(100),
  /** `stack`: adds to the others. `exclusive`: when it applies, no other earning rule does. */
  stacking: z.enum(['stack', 'exclusive']).default('stack'),
  /** A campaign budget: global grants/points and per-customer limits per period (budgets.ts). */
  budget: budgetSchema.optional(),
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

export type EarningRule = z.output<typeof earningRuleSchema>;
export type Conditions = z.output<typeof conditionsSchema>;
export type Products = z.output<typeof productsSchema>;

export interface RuleContext {
  readonly at: Date;
  readonly timeZone: string;
  readonly storeId: string | undefined;
  /** The store's tags, as its till's key carries them. */
  readonly storeTags?: Readonly<Record<string, string>> | undefined;
  readonly tierId: string | undefined;
  readonly segments?: readonly string[] | undefined;
}

export function conditionsHold(c: Conditions, ctx: RuleContext): boolean {
  if (c.validFrom && ctx.at < new Date(c.validFrom)) return false;
  if (c.validTo && ctx.at >= new Date(c.validTo)) return false;
  if (c.stores && (!ctx.storeId || !c.stores.includes(ctx.storeId))) return false;
  if (c.storeTags && !Object.entries(c.storeTags).every(([tag, values]) => ctx.storeTags?.[tag] !== undefined && values.includes(ctx.storeTags[tag]))) return false;
  if (c.tiers && (!ctx.tierId || !c.tiers.includes(ctx.tierId))) return false;
  if (c.segments && !c.segments.some((s) => ctx.segments?.includes(s))) return false;
  if (c.daysOfWeek || c.hours) {
    const t = localTime(ctx.at, ctx.timeZone);
    if (c.daysOfWeek && !c.daysOfWeek.includes(t.isoWeekday)) return false;
    if (c.hours) {
      const now = t.hour * 60 + t.minute;
      const [fh, fm] = c.hours.from.split(':').map(Number) as [number, number];
      const [th, tm] = c.hours.to.split(':').map(Number) as [number, number];
      const from = fh * 60 + fm;
      const to = th * 60 + tm;
      // A window like 22:00–02:00 wraps past midnight.
      const inside = from <= to ? now >= from && now < to : now >= from || now < to;
      if (!inside) return false;
    }
  }
  return true;
}

export const matchesProducts = (p: Products | undefined, line: { sku: string; category: string }): boolean =>
  !p || (p.skus.length === 0 && p.categories.length === 0) || p.skus.includes(line.sku) || p.categories.includes(line.category);

/** The rules that apply to this receipt: conditions hold, then exclusivity by priority. */
export function activeRules(rules: readonly EarningRule[], ctx: RuleContext): EarningRule[] {
  const applying = rules.filter((r) => conditionsHold(r.when, ctx)).sort((a, b) => b.priority - a.priority || (a.id < b.id ? -1 : 1));
  const exclusive = applying.find((r) => r.stacking === 'exclusive');
  return exclusive ? [exclusive] : applying;
}
