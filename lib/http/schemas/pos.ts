/** The till's bodies (group `pos`): identify, quote and commit a receipt, return lines. */
import * as z from 'zod';
import { currencyCode } from '#domain/currency.ts';
import { couponCodePattern } from '#domain/coupons.ts';
import { singleLine, singleLineMessage } from '#domain/text.ts';
import { lineAttributesSchema } from '#domain/attributes.ts';
import { id, LIMITS } from '../schemas.ts';

const code = z.string().min(1).max(64).refine(singleLine, singleLineMessage);
const money = z.int().min(0).max(LIMITS.amount);

const quantity = z
  .number()
  .positive()
  .max(LIMITS.quantity)
  .refine((q) => Math.abs(q * 1000 - Math.round(q * 1000)) < 1e-6, 'may have at most 3 decimals');

export const customerRef = z
  .strictObject({
    card: z.string().min(1).max(32).optional(),
    phone: z.string().min(3).max(32).optional(),
    customerId: id.optional(),
  })
  .refine((c) => [c.card, c.phone, c.customerId].filter((v) => v !== undefined).length === 1, {
    message: 'give exactly one of card, phone or customerId',
  });

export const identifyBody = z.strictObject({ customer: customerRef });

const receiptLine = z.strictObject({
  lineId: id,
  sku: code,
  /** May be left out when the SKU is in the tenant's catalog, which then gives it. */
  category: code.optional(),
  quantity,
  /** The catalog's price, or amount ÷ quantity, when left out. */
  unitPrice: money.optional(),
  amount: money,
  /** What rules may select the line by, e.g. `{ "brand": "acme", "rx": "true" }`. */
  attributes: lineAttributesSchema.optional(),
});

export const receiptBody = z
  .strictObject({
    receiptId: id,
    occurredAt: z.iso.datetime({ offset: true }),
    currency: currencyCode,
    customer: customerRef,
    lines: z.array(receiptLine).min(1).max(LIMITS.linesPerReceipt),
    /** The receipt's total before loyalty discounts; if given it must equal the sum of line amounts. */
    total: money.optional(),
    burn: z.strictObject({ points: z.int().min(0).max(LIMITS.points) }).optional(),
    coupons: z
      .array(z.string().transform((c) => c.trim().toUpperCase()).pipe(z.string().regex(couponCodePattern, 'must be a coupon code such as SPRING-7KQ2M9XP4D')))
      .max(5)
      .optional(),
    /** Unlocked one-time rewards apply automatically; `skip` keeps them, `asGift` hands some over as gifts. */
    rewards: z.strictObject({ skip: z.boolean().default(false), asGift: z.array(id).max(20).default([]) }).optional(),
    /** Quote only: also list each earning rule that did not apply and the first condition that failed. */
    explain: z.boolean().optional(),
  })
  .superRefine((r, ctx) => {
    const seen = new Set<string>();
    r.lines.forEach((l, i) => {
      if (seen.has(l.lineId)) ctx.addIssue({ code: 'custom', message: 'must be unique on the receipt', path: ['lines', i, 'lineId'] });
      seen.add(l.lineId);
    });
    if (r.total !== undefined && r.total !== r.lines.reduce((s, l) => s + l.amount, 0)) {
      ctx.addIssue({ code: 'custom', message: 'must equal the sum of the line amounts', path: ['total'] });
    }
  });

export const returnBody = z.strictObject({
  returnId: id,
  receiptId: id,
  /** The store the receipt was committed at, when the goods come back to another one. */
  receiptStoreId: id.optional(),
  lines: z
    .array(
      z
        .strictObject({
          lineId: id,
          /** Units coming back. */
          quantity: quantity.optional(),
          /** Or money back on the line without units coming back (a price adjustment), minor units. */
          amount: z.int().min(1).max(LIMITS.amount).optional(),
        })
        .refine((l) => (l.quantity === undefined) !== (l.amount === undefined), { message: 'give exactly one of quantity or amount' }),
    )
    .min(1)
    .max(LIMITS.linesPerReceipt),
});

export type ReceiptBody = z.output<typeof receiptBody>;
export type ReturnBody = z.output<typeof returnBody>;
export type CustomerRef = z.output<typeof customerRef>;
