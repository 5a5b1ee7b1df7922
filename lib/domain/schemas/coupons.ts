/** Coupon campaigns as the program document states them (coupons.ts prices them). */
import * as z from 'zod';
import { budgetSchema } from './budgets.ts';

const bps = z.int().min(0).max(10_000);

export const campaignSchema = z.strictObject({
  id: z.string().min(1).max(64),
  /** The prefix of every code of this campaign. */
  code: z.string().regex(/^[A-Z0-9]{2,12}$/, 'must be 2–12 capital letters or digits'),
  name: z.string().min(1).max(200),
  reward: z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('percent'), bps }),
    z.strictObject({ type: z.literal('amount'), /** Minor units, at most the receipt. */ amount: z.int().min(1) }),
    z.strictObject({ type: z.literal('points'), points: z.int().min(1).max(1_000_000) }),
  ]),
  validFrom: z.iso.datetime({ offset: true }).optional(),
  validTo: z.iso.datetime({ offset: true }).optional(),
  /** How many of this campaign's coupons one customer may use. */
  perCustomerLimit: z.int().min(1).max(1000).default(1),
  /** The receipt amount (minor units, before loyalty discounts) a coupon needs. */
  minAmount: z.int().min(0).default(0),
  /** A campaign budget: uses, money off (`amount`) or points given, all customers together, and per-customer limits per period. */
  budget: budgetSchema.optional(),
});
