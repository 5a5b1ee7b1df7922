/** One-time reward rules as the program document states them (rewards.ts keeps progress and rewards). */
import * as z from 'zod';
import { MAX_UNLOCKS_PER_RECEIPT } from '../rewards.ts';
import { productsSchema } from './rules.ts';

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
    /**
     * Most rewards one receipt unlocks; items past the last one it unlocks do not count (a
     * wholesale line of 40,000 units must not make thousands of rewards).
     */
    maxPerReceipt: z.int().min(1).max(MAX_UNLOCKS_PER_RECEIPT).default(10),
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
