/** Staff on a customer (group `customers`): enrol, look up, adjust, tier, segments, reviews, custom events, erase. */
import * as z from 'zod';
import { MAX_SEGMENTS } from '#domain/account-bounds.ts';
import { memberFields, noConsents, referralCodeSchema } from '#domain/members.ts';
import { attributeNameSchema, attributeValueSchema, eventTypeSchema, MAX_EVENT_ATTRIBUTES } from '#domain/custom-events.ts';
import { singleLine, singleLineMessage } from '#domain/text.ts';
import { id, LIMITS } from '../schemas.ts';

export const enrolBody = z.strictObject({
  /** Client-chosen id that makes a retried enrolment return the first answer (recommended for tills). */
  enrolmentId: z.optional(id),
  card: memberFields.card.optional(),
  phone: memberFields.phone.optional(),
  name: memberFields.name.optional(),
  email: memberFields.email.optional(),
  birthDate: memberFields.birthDate.optional(),
  locale: memberFields.locale.optional(),
  consents: memberFields.consents.default(noConsents),
  /** A member's referral code: links the two for the program's referral terms. */
  referralCode: referralCodeSchema.optional(),
});

export const adjustmentBody = z.strictObject({
  /** Client-chosen id that makes a retried adjustment count once. */
  adjustmentId: id,
  points: z
    .int()
    .min(-LIMITS.points)
    .max(LIMITS.points)
    .refine((p) => p !== 0, 'must not be 0'),
  reason: z.string().trim().min(3).max(500),
});

export const tierBody = z.strictObject({
  /** A staff-assigned tier id, or null to return the customer to automatic evaluation. */
  tierId: z.nullable(id),
  reason: z.string().trim().min(3).max(500),
});

/** Staff look a customer up by exactly one identifier (the console's search box). */
export const customerLookupQuery = z
  .strictObject({ card: z.string().max(64).optional(), phone: z.string().max(64).optional() })
  .check((ctx) => {
    const given = [ctx.value.card, ctx.value.phone].filter((v) => v !== undefined).length;
    if (given !== 1) ctx.issues.push({ code: 'custom', message: 'give exactly one of card or phone', path: ['card'], input: ctx.value });
  });

/** A customer's export comes a page at a time; `cursor` is the `next` of the page before. */
export const exportQuery = z.strictObject({ cursor: z.string().max(1024).optional() });

export type EnrolBody = z.output<typeof enrolBody>;
export type AdjustmentBody = z.output<typeof adjustmentBody>;
export type TierBody = z.output<typeof tierBody>;

export const reviewBody = z.strictObject({
  sku: id,
  kind: z.enum(['review', 'survey']).default('review'),
  rating: z.int().min(1).max(5).optional(),
  text: z.string().max(2000).optional(),
});

export const segmentsBody = z.strictObject({ segments: z.array(id).max(MAX_SEGMENTS, `may hold at most ${MAX_SEGMENTS} segments per customer`) });

export type ReviewBody = z.output<typeof reviewBody>;

/** A custom event for a customer (README "Custom events"): idempotent on eventId, earning by the program's `customEvents` rules. */
export const customEventBody = z.strictObject({
  /** Client-chosen id: a retry with the same body replays the first answer; another body under it is refused (422). */
  eventId: id,
  type: eventTypeSchema,
  /** When it happened (default: now); bounded like a receipt's by the program's `receipts.maxAgeDays`. */
  occurredAt: z.iso.datetime({ offset: true }).optional(),
  /** The store it happened at (a check-in), for rules limited to stores or store tags. */
  storeId: z.optional(id),
  /** Scalars only; they travel on the `customer.event` catalog event, so never personal data. */
  attributes: z
    .record(attributeNameSchema, attributeValueSchema)
    .refine((a) => Object.keys(a).length <= MAX_EVENT_ATTRIBUTES, `may have at most ${MAX_EVENT_ATTRIBUTES} attributes`)
    .meta({ maxProperties: MAX_EVENT_ATTRIBUTES })
    .default({}),
});
export type CustomEventBody = z.output<typeof customEventBody>;

export const appKeyBody = z.strictObject({ rateLimit: z.int().min(1).max(1000).optional() });

export const eraseBody = z.strictObject({ reason: z.string().trim().min(3).max(500) });

/** Staff find customers by the start of their name (GET /v1/customers/search). */
export const customerSearchQuery = z.strictObject({
  name: z.string().trim().min(1).max(100).refine(singleLine, singleLineMessage),
  limit: z.coerce.number().int().min(1).max(50).default(20),
  cursor: z.string().max(512).optional(),
});
