/**
 * The program document: a chain's loyalty rules as data. Version 0 covers base earning,
 * exclusions, redemption, expiry and discount tiers; the full rules engine extends it by adding
 * sections, so every section is optional or defaulted and unknown keys are refused (a typo in a
 * rule name must not silently switch a rule off).
 */
import * as z from 'zod';
import { MAX_ONCE_RULES, MAX_STAMP_CARD_SKUS } from './account-bounds.ts';
import { checkBudgets } from './budgets.ts';
import { currencyCode } from './currency.ts';
import { DEFAULT_BASE_ID } from './rules.ts';
import { attributeSelectorSchema } from './schemas/attributes.ts';
import { campaignSchema } from './schemas/coupons.ts';
import { eventRuleSchema } from './schemas/custom-events.ts';
import { notificationsSchema } from './schemas/notifications.ts';
import { purchaseSummarySchema } from './schemas/purchases.ts';
import { referralSchema } from './schemas/referral.ts';
import { refillRuleSchema } from './schemas/refills.ts';
import { rewardRuleSchema } from './schemas/rewards.ts';
import { rfmSchema } from './schemas/rfm.ts';
import { baseRuleSchema, earningRuleSchema, multiplier } from './schemas/rules.ts';
import { isValidTimeZone } from './time.ts';
import { singleLine, singleLineMessage } from './text.ts';

const code = z.string().min(1).max(64).refine(singleLine, singleLineMessage);
const basisPoints = z.int().min(0).max(10_000);

const tierLevel = z.strictObject({
  id: code,
  name: z.string().min(1).max(100),
  /** Cumulative amount paid (minor units) from which this level applies to later purchases. */
  threshold: z.int().min(0),
  discountBps: basisPoints,
  /** Multiplies the base points of every eligible line for customers on this level. */
  earnMultiplier: multiplier.optional(),
});

const staffLevel = z.strictObject({
  id: code,
  name: z.string().min(1).max(100),
  discountBps: basisPoints,
  earnMultiplier: multiplier.optional(),
});

export const programSchema = z.strictObject({
  format: z.literal(0).default(0),
  name: z.string().min(1).max(200),
  currency: currencyCode,
  timeZone: z.string().max(64).refine(isValidTimeZone, 'must be an IANA time zone such as "Asia/Yerevan"'),
  earning: z.strictObject({
    /** `points` for every full `per` minor units of the earning basis. */
    base: z.strictObject({ points: z.int().min(0).max(1_000_000), per: z.int().min(1).max(1_000_000_000) }),
    /** Earn on what was paid in money (after a points discount) or on the amount before it. */
    basis: z.enum(['paid', 'beforePointsDiscount']).default('paid'),
    /** Round once per receipt and spread by largest remainder, or floor each line on its own. */
    rounding: z.enum(['receipt', 'line']).default('receipt'),
    /** Several multipliers on one line: `add` their extras (×3 and ×2 → ×4) or `multiply` them (→ ×6). */
    multipliers: z.enum(['add', 'multiply']).default('add'),
    rules: z
      .array(earningRuleSchema)
      .max(500)
      .default([])
      .superRefine((rules, ctx) => {
        const ids = new Set<string>();
        let once = 0;
        rules.forEach((r, i) => {
          if (ids.has(r.id)) ctx.addIssue({ code: 'custom', message: `duplicate rule id "${r.id}"`, path: [i, 'id'] });
          ids.add(r.id);
          // Each leaves a grant on every customer's item that crosses it.
          if (r.type === 'lifetimeSpend' && ++once === MAX_ONCE_RULES + 1) {
            ctx.addIssue({ code: 'custom', message: `a program may have at most ${MAX_ONCE_RULES} lifetimeSpend rules`, path: [i, 'type'] });
          }
        });
      }),
    /**
     * Targeted base rates (by tier, segment, store, store tags, days, hours, minimum), each with
     * its own exclusions: the highest-priority one whose conditions hold replaces `base` for the
     * receipt; `base` stays the rate when none does.
     */
    baseRules: z
      .array(baseRuleSchema)
      .max(50)
      .default([])
      .superRefine((rules, ctx) => {
        const ids = new Set<string>();
        rules.forEach((r, i) => {
          if (r.id === DEFAULT_BASE_ID) ctx.addIssue({ code: 'custom', message: `"${DEFAULT_BASE_ID}" names earning.base; choose another id`, path: [i, 'id'] });
          if (ids.has(r.id)) ctx.addIssue({ code: 'custom', message: `duplicate base rule id "${r.id}"`, path: [i, 'id'] });
          ids.add(r.id);
        });
      }),
    /** Most points one receipt, or one customer in one day (program time), may earn. */
    caps: z.strictObject({ perReceipt: z.int().min(0).optional(), perDay: z.int().min(0).optional() }).optional(),
  }),
  /** One-time rewards: item milestones (the eleventh item) and stamp cards. */
  rewards: z
    .array(rewardRuleSchema)
    .max(50)
    .default([])
    .superRefine((rules, ctx) => {
      const ids = new Set<string>();
      let stampSkus = 0;
      rules.forEach((r, i) => {
        if (ids.has(r.id)) ctx.addIssue({ code: 'custom', message: `duplicate reward id "${r.id}"`, path: [i, 'id'] });
        ids.add(r.id);
        // A customer's item keeps the SKUs stamped on each card.
        if (r.type !== 'stampCard') return;
        const before = stampSkus;
        stampSkus += r.skus.length;
        if (before <= MAX_STAMP_CARD_SKUS && stampSkus > MAX_STAMP_CARD_SKUS) {
          ctx.addIssue({ code: 'custom', message: `the stamp cards together may list at most ${MAX_STAMP_CARD_SKUS} SKUs`, path: [i, 'skus'] });
        }
      });
    }),
  /** Coupon campaigns; codes are issued through the API. */
  coupons: z
    .array(campaignSchema)
    .max(200)
    .default([])
    .superRefine((cs, ctx) => {
      const ids = new Set<string>();
      const codes = new Set<string>();
      cs.forEach((c, i) => {
        if (ids.has(c.id)) ctx.addIssue({ code: 'custom', message: `duplicate campaign id "${c.id}"`, path: [i, 'id'] });
        if (codes.has(c.code)) ctx.addIssue({ code: 'custom', message: `duplicate campaign code "${c.code}"`, path: [i, 'code'] });
        ids.add(c.id);
        codes.add(c.code);
      });
    }),
  /** Points for the chain's own events posted through the API (custom-events.ts), each rule with a per-customer limit. */
  customEvents: z
    .array(eventRuleSchema)
    .max(50)
    .default([])
    .superRefine((rules, ctx) => {
      const ids = new Set<string>();
      rules.forEach((r, i) => {
        if (ids.has(r.id)) ctx.addIssue({ code: 'custom', message: `duplicate event rule id "${r.id}"`, path: [i, 'id'] });
        ids.add(r.id);
      });
    }),
  /** Referral terms for both sides (scenarios 3 and 6). */
  referral: referralSchema.optional(),
  /** Points granted outside receipts. */
  bonuses: z
    .strictObject({
      registration: z.int().min(0).max(1_000_000).optional(),
      /** Granted on the receipt that takes the customer to a higher program level. */
      tierUpgrade: z.int().min(0).max(1_000_000).optional(),
      /** Granted once a year by the birthday job (29 February → 28 February in other years). */
      birthday: z.int().min(0).max(1_000_000).optional(),
      /** Granted once per product for a review or survey answer. */
      review: z.int().min(0).max(1_000_000).optional(),
    })
    .default({}),
  /**
   * What a till may post. `maxAgeDays`: how old `occurredAt` may be (a till that was offline
   * posts late; a year-old receipt is a mistake or an abuse). The receipt's own time decides
   * rule windows, campaign validity and tier periods, so this bound is what keeps an expired
   * campaign from applying to a back-dated receipt. `crossStoreReturns`: whether a till may
   * return a receipt from another store; where it may not, that receipt is simply not found.
   * `oneTimeBonusesOnReturn`: whether a return takes back, in proportion, the points of one-time
   * bonuses the receipt earned (first purchase, lifetime spend) — `reverse` — or leaves them with
   * the customer even when the whole receipt comes back — `keep`; decided when the receipt is committed.
   */
  receipts: z
    .strictObject({
      maxAgeDays: z.int().min(0).max(3650).default(3),
      crossStoreReturns: z.boolean().default(false),
      oneTimeBonusesOnReturn: z.enum(['reverse', 'keep']).default('reverse'),
    })
    .default({ maxAgeDays: 3, crossStoreReturns: false, oneTimeBonusesOnReturn: 'reverse' }),
  /** Lines that earn no points. */
  exclusions: z
    .strictObject({
      categories: z.array(code).max(1000).default([]),
      skus: z.array(code).max(10_000).default([]),
      /** Lines with one of the listed values of any named attribute, e.g. `{ "rx": ["true"] }`. */
      attributes: attributeSelectorSchema.optional(),
    })
    .default({ categories: [], skus: [] }),
  redemption: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** Money value of one point, in minor units. */
      pointValue: z.int().min(1).max(1_000_000),
      /** Share of each line's payable amount that points may pay. */
      maxShareBps: basisPoints.default(10_000),
      excludedCategories: z.array(code).max(1000).default([]),
      excludedSkus: z.array(code).max(10_000).default([]),
    })
    .optional(),
  /** Products with a refill period: a reminder before they run out (scenario 6). */
  refills: z.array(refillRuleSchema).max(1000).default([]),
  /** What staff roles may do without an admin. */
  staff: z
    .strictObject({
      /** The most points one adjustment by a support key may add or take. */
      supportAdjustmentLimit: z.int().min(0).max(1_000_000).default(1000),
    })
    .default({ supportAdjustmentLimit: 1000 }),
  /** What customers are told, on which channel, in which language, and when not. */
  notifications: notificationsSchema.optional(),
  /** Thresholds of the customer classes by recency, frequency and money (rfm.ts); defaults apply without it. */
  rfm: rfmSchema.optional(),
  /**
   * How many of the categories, SKUs and stores each customer bought most recently their item
   * keeps (the latest month of each), for segments on what and where customers bought. Without it
   * nothing is kept.
   */
  purchaseSummary: purchaseSummarySchema.optional(),
  /** Points a receipt earns become usable only this many days after the purchase (the return window). */
  pending: z.strictObject({ days: z.int().min(1).max(365) }).optional(),
  /** Publishing: with `requiredBeforePublish`, `POST /v1/program` takes only a draft simulated (finished) first. */
  simulation: z.strictObject({ requiredBeforePublish: z.boolean().default(false) }).optional(),
  /** Points expire at the end of the Nth month after the month they were earned in. */
  expiry: z
    .strictObject({
      afterMonths: z.int().min(0).max(240),
      /**
       * Days before a lot expires that the customer is reminded (scenario 7: 14). At most 27, so
       * the reminder for a month always falls after the previous month's lots have expired.
       */
      remindDaysBefore: z.int().min(1).max(27).optional(),
    })
    .optional(),
  tiers: z
    .strictObject({
      /** What levels are measured by: money paid (after discounts) or points earned. */
      basis: z.enum(['cumulativePaid', 'points']).default('cumulativePaid'),
      /**
       * Over which period: all time (default), the last N months including the current one, or
       * the calendar year. Upgrades happen on the receipt that crosses a threshold; downgrades only
       * when the period is reviewed (`reviewTier`, run by the tier job), never at the till.
       */
      window: z
        .discriminatedUnion('kind', [
          z.strictObject({ kind: z.literal('lifetime') }),
          z.strictObject({ kind: z.literal('rollingMonths'), months: z.int().min(1).max(60) }),
          z.strictObject({ kind: z.literal('calendarYear') }),
        ])
        .default({ kind: 'lifetime' }),
      levels: z.array(tierLevel).min(1).max(50),
      /** Levels only staff assign (a VIP card); automatic evaluation leaves them alone. */
      staffLevels: z.array(staffLevel).max(50).default([]),
      /** Categories that never get a tier discount. */
      excludedCategories: z.array(code).max(1000).default([]),
    })
    .superRefine((t, ctx) => {
      const ids = new Set<string>();
      [...t.levels, ...t.staffLevels].forEach((l) => {
        if (ids.has(l.id)) ctx.addIssue({ code: 'custom', message: `duplicate tier id "${l.id}"`, path: ['levels'] });
        ids.add(l.id);
      });
      t.levels.forEach((l, i) => {
        if (i > 0 && l.threshold <= t.levels[i - 1]!.threshold)
          ctx.addIssue({ code: 'custom', message: 'thresholds must increase', path: ['levels', i, 'threshold'] });
      });
      if (t.levels[0]!.threshold !== 0)
        ctx.addIssue({ code: 'custom', message: 'the first level must start at 0', path: ['levels', 0, 'threshold'] });
    })
    .optional(),
}).superRefine(checkBudgets);

export type ProgramInput = z.input<typeof programSchema>;
export type Program = z.output<typeof programSchema>;

export interface ProgramIssue {
  /** JSON path in the document, e.g. `tiers.levels.1.threshold`. */
  readonly path: string;
  readonly message: string;
}

export type ProgramParseResult = { ok: true; program: Program } | { ok: false; issues: ProgramIssue[] };

export function parseProgram(input: unknown): ProgramParseResult {
  const r = programSchema.safeParse(input);
  if (r.success) return { ok: true, program: r.data };
  return { ok: false, issues: r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) };
}
