/** Coupon issues (group `coupons`). */
import * as z from '#domain/zod-mini.ts';
import { id } from '../schemas.ts';

export const issueCouponsBody = z
  .strictObject({
    campaignId: z.string().check(z.minLength(1), z.maxLength(64)),
    /** Issue to one customer (only they can use the codes), or leave out for codes anyone may use. */
    customerId: z.optional(id),
    /** Or one code to every customer in a segment, each usable only by its customer. */
    segment: z.optional(id),
    count: z._default(z.int().check(z.gte(1), z.lte(1000)), 1),
    /** The client's id for this issue: a retry with it resumes or replays the issue, never issues twice. */
    issueId: z.optional(id),
  })
  .check(z.refine((b) => !(b.customerId && b.segment), { message: 'give customerId or segment, not both', path: ['segment'] }));
