/** Staff on a customer (group `customers`): enrol, look up, adjust, tier, segments, reviews, custom events, erase. */
import * as z from '#domain/zod-mini.ts';
import { MAX_SEGMENTS } from '#domain/account-bounds.ts';
import { memberFields, optionalMemberFields, referralCodeSchema } from '#domain/members.ts';
import { attributeNameSchema, attributeValueSchema, eventTypeSchema, MAX_EVENT_ATTRIBUTES } from '#domain/custom-events.ts';
import { singleLine, singleLineMessage } from '#domain/text.ts';
import { id, LIMITS } from '../schemas.ts';

export const enrolBody = z.strictObject({
  /** Client-chosen id that makes a retried enrolment return the first answer (recommended for tills). */
  enrolmentId: z.optional(id),
  card: z.optional(memberFields.card),
  ...optionalMemberFields,
  /** A member's referral code: links the two for the program's referral terms. */
  referralCode: z.optional(referralCodeSchema),
});

const reason = z.string().check(z.trim(), z.minLength(3), z.maxLength(500));

export const adjustmentBody = z.strictObject({
  /** Client-chosen id that makes a retried adjustment count once. */
  adjustmentId: id,
  points: z.int().check(
    z.gte(-LIMITS.points),
    z.lte(LIMITS.points),
    z.refine((p) => p !== 0, 'must not be 0'),
  ),
  reason,
});

export const tierBody = z.strictObject({
  /** A staff-assigned tier id, or null to return the customer to automatic evaluation. */
  tierId: z.nullable(id),
  reason,
});

/** Staff look a customer up by exactly one identifier (the console's search box). */
export const customerLookupQuery = z
  .strictObject({ card: z.optional(z.string().check(z.maxLength(64))), phone: z.optional(z.string().check(z.maxLength(64))) })
  .check((ctx) => {
    const given = [ctx.value.card, ctx.value.phone].filter((v) => v !== undefined).length;
    if (given !== 1) ctx.issues.push({ code: 'custom', message: 'give exactly one of card or phone', path: ['card'], input: ctx.value });
  });

/** A customer's export comes a page at a time; `cursor` is the `next` of the page before. */
export const exportQuery = z.strictObject({ cursor: z.optional(z.string().check(z.maxLength(1024))) });

export type EnrolBody = z.output<typeof enrolBody>;
export type AdjustmentBody = z.output<typeof adjustmentBody>;
export type TierBody = z.output<typeof tierBody>;

export const reviewBody = z.strictObject({
  sku: id,
  kind: z._default(z.enum(['review', 'survey']), 'review'),
  rating: z.optional(z.int().check(z.gte(1), z.lte(5))),
  text: z.optional(z.string().check(z.maxLength(2000))),
});

export const segmentsBody = z.strictObject({ segments: z.array(id).check(z.maxLength(MAX_SEGMENTS, `may hold at most ${MAX_SEGMENTS} segments per customer`)) });

export type ReviewBody = z.output<typeof reviewBody>;

/** A custom event for a customer (README "Custom events"): idempotent on eventId, earning by the program's `customEvents` rules. */
export const customEventBody = z.strictObject({
  /** Client-chosen id: a retry with the same body replays the first answer; another body under it is refused (422). */
  eventId: id,
  type: eventTypeSchema,
  /** When it happened (default: now); bounded like a receipt's by the program's `receipts.maxAgeDays`. */
  occurredAt: z.optional(z.iso.datetime({ offset: true })),
  /** The store it happened at (a check-in), for rules limited to stores or store tags. */
  storeId: z.optional(id),
  /** Scalars only; they travel on the `customer.event` catalog event, so never personal data. */
  attributes: z._default(
    z
      .record(attributeNameSchema, attributeValueSchema)
      .check(z.refine((a) => Object.keys(a).length <= MAX_EVENT_ATTRIBUTES, `may have at most ${MAX_EVENT_ATTRIBUTES} attributes`), z.meta({ maxProperties: MAX_EVENT_ATTRIBUTES })),
    {},
  ),
});
export type CustomEventBody = z.output<typeof customEventBody>;

export const appKeyBody = z.strictObject({ rateLimit: z.optional(z.int().check(z.gte(1), z.lte(1000))) });

export const eraseBody = z.strictObject({ reason });

/** Staff find customers by the start of their name (GET /v1/customers/search). */
export const customerSearchQuery = z.strictObject({
  name: z.string().check(z.trim(), z.minLength(1), z.maxLength(100), z.refine(singleLine, singleLineMessage)),
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(50)), 20),
  cursor: z.optional(z.string().check(z.maxLength(512))),
});
