/** The customer's own page (group `me`). */
import * as z from '#domain/zod-mini.ts';

/** A page of the customer's own coupons. */
export const meCouponsQuery = z.strictObject({
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(50)), 20),
  cursor: z.optional(z.string().check(z.maxLength(512))),
});
