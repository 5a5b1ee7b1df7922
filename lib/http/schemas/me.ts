/** The customer's own page (group `me`). */
import * as z from 'zod';

/** A page of the customer's own coupons. */
export const meCouponsQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(50).default(20), cursor: z.string().max(512).optional() });
