/** `rfm` in the program document (rfm.ts classifies customers by it). */
import * as z from 'zod';
import { MAX_RFM_WINDOW_MONTHS } from '../rfm.ts';

const days = z.int().min(1).max(3650);

/**
 * The program's thresholds (`rfm` section). Checked in this order, the first that holds wins:
 * never bought → prospect; no purchase for `lapsedDays` → lapsed; for `atRiskDays` → at risk;
 * first purchase within `newDays` → new; in the last `windowMonths` (this one included) at least
 * `vip.minReceipts` receipts and `vip.minSpend` paid → VIP; at least `regular.minReceipts` →
 * regular; otherwise occasional. Recency goes first: a VIP who stopped coming is at risk, which is
 * the one a marketer must reach.
 */
export const rfmSchema = z
  .strictObject({
    windowMonths: z.int().min(1).max(MAX_RFM_WINDOW_MONTHS).default(12),
    newDays: days.default(30),
    atRiskDays: days.default(90),
    lapsedDays: days.default(180),
    regular: z.strictObject({ minReceipts: z.int().min(1).max(10_000).default(3) }).default({ minReceipts: 3 }),
    vip: z
      .strictObject({
        minReceipts: z.int().min(1).max(10_000).default(12),
        /** Money paid in the window, minor units of the program's currency. */
        minSpend: z.int().min(0).max(1_000_000_000_000).default(0),
      })
      .default({ minReceipts: 12, minSpend: 0 }),
  })
  .superRefine((r, ctx) => {
    if (r.atRiskDays >= r.lapsedDays) ctx.addIssue({ code: 'custom', message: 'must be fewer than lapsedDays', path: ['atRiskDays'] });
    if (r.newDays >= r.atRiskDays) ctx.addIssue({ code: 'custom', message: 'must be fewer than atRiskDays', path: ['newDays'] });
    if (r.regular.minReceipts > r.vip.minReceipts) ctx.addIssue({ code: 'custom', message: 'may not exceed vip.minReceipts', path: ['regular', 'minReceipts'] });
  });
