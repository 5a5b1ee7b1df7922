/** The till's bodies (group `pos`): identify, quote and commit a receipt, return lines. */
import * as z from '#domain/zod-mini.ts';
import { currencyCode } from '#domain/currency.ts';
import { couponCodePattern } from '#domain/coupons.ts';
import { singleLine, singleLineMessage } from '#domain/text.ts';
import { lineAttributesSchema } from '#domain/attributes.ts';
import { id, LIMITS } from '../schemas.ts';

const code = z.string().check(z.minLength(1), z.maxLength(64), z.refine(singleLine, singleLineMessage));
const money = z.int().check(z.gte(0), z.lte(LIMITS.amount));

const quantity = z
  .number()
  .check(
    z.positive(),
    z.lte(LIMITS.quantity),
    z.refine((q) => Math.abs(q * 1000 - Math.round(q * 1000)) < 1e-6, 'may have at most 3 decimals'),
  );

export const customerRef = z
  .strictObject({
    card: z.optional(z.string().check(z.minLength(1), z.maxLength(32))),
    phone: z.optional(z.string().check(z.minLength(3), z.maxLength(32))),
    customerId: z.optional(id),
  })
  .check(
    z.refine((c) => [c.card, c.phone, c.customerId].filter((v) => v !== undefined).length === 1, {
      message: 'give exactly one of card, phone or customerId',
    }),
  );

export const identifyBody = z.strictObject({ customer: customerRef });

const receiptLine = z.strictObject({
  lineId: id,
  sku: code,
  /** May be left out when the SKU is in the tenant's catalog, which then gives it. */
  category: z.optional(code),
  quantity,
  /** The catalog's price, or amount ÷ quantity, when left out. */
  unitPrice: z.optional(money),
  amount: money,
  /** What rules may select the line by, e.g. `{ "brand": "acme", "rx": "true" }`. */
  attributes: z.optional(lineAttributesSchema),
});

export const receiptBody = z
  .strictObject({
    receiptId: id,
    occurredAt: z.iso.datetime({ offset: true }),
    currency: currencyCode,
    customer: customerRef,
    lines: z.array(receiptLine).check(z.minLength(1), z.maxLength(LIMITS.linesPerReceipt)),
    /** The receipt's total before loyalty discounts; if given it must equal the sum of line amounts. */
    total: z.optional(money),
    burn: z.optional(z.strictObject({ points: z.int().check(z.gte(0), z.lte(LIMITS.points)) })),
    coupons: z.optional(
      z
        .array(
          z.pipe(
            z.pipe(z.string(), z.transform((c: string) => c.trim().toUpperCase())),
            z.string().check(z.regex(couponCodePattern, 'must be a coupon code such as SPRING-7KQ2M9XP4D')),
          ),
        )
        .check(z.maxLength(5)),
    ),
    /** Unlocked one-time rewards apply automatically; `skip` keeps them, `asGift` hands some over as gifts. */
    rewards: z.optional(z.strictObject({ skip: z._default(z.boolean(), false), asGift: z._default(z.array(id).check(z.maxLength(20)), []) })),
    /** Quote only: also list each earning rule that did not apply and the first condition that failed. */
    explain: z.optional(z.boolean()),
  })
  .check(
    z.superRefine((r, ctx) => {
      const seen = new Set<string>();
      r.lines.forEach((l, i) => {
        if (seen.has(l.lineId)) ctx.addIssue({ code: 'custom', message: 'must be unique on the receipt', path: ['lines', i, 'lineId'] });
        seen.add(l.lineId);
      });
      if (r.total !== undefined && r.total !== r.lines.reduce((s, l) => s + l.amount, 0)) {
        ctx.addIssue({ code: 'custom', message: 'must equal the sum of the line amounts', path: ['total'] });
      }
    }),
  );

export const returnBody = z.strictObject({
  returnId: id,
  receiptId: id,
  /** The store the receipt was committed at, when the goods come back to another one. */
  receiptStoreId: z.optional(id),
  lines: z
    .array(
      z
        .strictObject({
          lineId: id,
          /** Units coming back. */
          quantity: z.optional(quantity),
          /** Or money back on the line without units coming back (a price adjustment), minor units. */
          amount: z.optional(z.int().check(z.gte(1), z.lte(LIMITS.amount))),
        })
        .check(z.refine((l) => (l.quantity === undefined) !== (l.amount === undefined), { message: 'give exactly one of quantity or amount' })),
    )
    .check(z.minLength(1), z.maxLength(LIMITS.linesPerReceipt)),
});

export type ReceiptBody = z.output<typeof receiptBody>;
export type ReturnBody = z.output<typeof returnBody>;
export type CustomerRef = z.output<typeof customerRef>;
