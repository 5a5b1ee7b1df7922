/**
 * The earning rules' part of the program document (rules.ts holds what they mean): built only
 * where a document is validated, never by the till's pricing (README, "Cold start").
 */
import * as z from 'zod';
import { attributeName, attributeValue } from '../attributes.ts';
import { attributeSelectorSchema } from './attributes.ts';
import { budgetSchema } from './budgets.ts';

const code = z.string().min(1).max(64);

/** A multiplier such as 3 or 1.5, kept as an integer number of ten-thousandths (×3 = 30000). */
export const multiplier = z
  .number()
  .positive()
  .max(100)
  .refine((m) => Math.abs(m * 10_000 - Math.round(m * 10_000)) < 1e-6, 'may have at most 4 decimals')
  .transform((m) => Math.round(m * 10_000));

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
