/** `refills` in the program document (refills.ts tracks refill dates). */
import * as z from 'zod';

const code = z.string().min(1).max(64);

export const refillRuleSchema = z
  .strictObject({
    id: code,
    /** What the reminder calls the product ("your blood-pressure tablets"). */
    name: z.string().min(1).max(100),
    skus: z.array(code).max(10_000).default([]),
    categories: z.array(code).max(1000).default([]),
    /** Days one unit lasts. */
    days: z.int().min(1).max(365),
    remindDaysBefore: z.int().min(0).max(30).default(3),
  })
  .refine((r) => r.skus.length + r.categories.length > 0, { message: 'name at least one sku or category', path: ['skus'] });
