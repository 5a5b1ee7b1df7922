/** `referral` in the program document (referral.ts settles referrals). */
import * as z from 'zod';

const bps = z.int().min(0).max(10_000);
const points = z.int().min(0).max(1_000_000);

export const referralSchema = z.strictObject({
  newcomer: z
    .strictObject({
      /** A discount the newcomer always gets, at least (scenario 3: 8 %). */
      guaranteedDiscountBps: bps.optional(),
      /** Points at enrolment (scenario 6: +100). */
      bonusPoints: points.optional(),
    })
    .default({}),
  referrer: z
    .strictObject({
      /** Percentage points added to the member's discount per friend who has bought (scenario 3: 5). */
      discountBpsPerFriend: bps.optional(),
      /** Points per friend who has bought (scenario 6: +200). */
      bonusPoints: points.optional(),
    })
    .default({}),
  /** The most discount anyone gets from tier and referral together (scenario 3: 15 %). */
  maxDiscountBps: bps.default(10_000),
});
