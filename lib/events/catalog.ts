/**
 * Tally's domain events: one schema per event type and version, published on the EventBridge bus
 * as `detail-type` = type and `detail` = the envelope below. `npm run openapi` writes them as JSON
 * Schemas to events/schemas/ for consumers. Events carry ids and amounts, never personal data
 * (no names, phones or e-mails): whoever needs those reads the profile with its own rights.
 *
 * Versioning: a new optional field keeps the version; anything else is a new version, published
 * next to the old one until its consumers move.
 */
import * as z from '../domain/zod-mini.ts';

const int = z.int();
const nonNeg = z.int().check(z.gte(0));
const id = z.string().check(z.minLength(1), z.maxLength(128));
const consents = () => z.strictObject({ sms: z.boolean(), email: z.boolean(), push: z.boolean() });

/** What every ledger event says about the change. */
const ledgerChange = () => ({
  seq: nonNeg.check(z.describe('The ledger entry this event is about.')),
  points: int.check(z.describe('Signed change of the available balance.')),
  pendingPoints: int.check(z.describe('Signed change of points not usable yet (pending).')),
  balanceAfter: int,
  storeId: z.optional(id),
  receiptId: z.optional(id),
  returnId: z.optional(id),
  reason: z.optional(z.string().check(z.maxLength(500))),
});

/**
 * Each event type's data schema, built when first asked for (payloadSchema): a function that only
 * names event types (the webhooks routes) builds none of them at a cold start (README, "Cold start").
 */
const payloads = {
  'customer.enrolled': () => z.strictObject({ locale: z.optional(z.string()), referred: z.boolean(), consents: consents() }),
  /** A member brought over from the chain's old system by a migration import (instead of `customer.enrolled`: nobody new joined). */
  'customer.imported': () =>
    z.strictObject({
      importId: id,
      locale: z.optional(z.string()),
      consents: consents(),
      balance: int.check(z.describe('The opening balance the member brought.')),
    }),
  'receipt.committed': () =>
    z.strictObject({
      storeId: id,
      receiptId: id,
      amount: nonNeg,
      paid: nonNeg,
      pointsEarned: nonNeg,
      pointsBurned: nonNeg,
      balanceAfter: int,
      occurredAt: z.string(),
    }),
  'receipt.returned': () => z.strictObject({ storeId: id, returnId: id, receiptId: id, receiptStoreId: id, refund: nonNeg, pointsReversed: nonNeg, pointsRefunded: nonNeg, balanceAfter: int }),
  'points.earned': () => z.strictObject(ledgerChange()),
  'points.burned': () => z.strictObject(ledgerChange()),
  'points.reversed': () => z.strictObject(ledgerChange()),
  'points.refunded': () => z.strictObject(ledgerChange()),
  'points.released': () => z.strictObject(ledgerChange()),
  'points.adjusted': () => z.strictObject({ ...ledgerChange(), actor: z.optional(z.string()), adjustmentId: z.optional(id) }),
  'points.expired': () => z.strictObject(ledgerChange()),
  'points.expiring': () => z.strictObject({ lot: z.string(), points: nonNeg, expiresOn: z.iso.date(), balance: int }),
  'bonus.granted': () => z.strictObject(ledgerChange()),
  'birthday.granted': () => z.strictObject({ year: z.string(), day: z.iso.date(), points: nonNeg }),
  'tier.changed': () => z.strictObject({ from: z.nullable(z.string()), to: z.nullable(z.string()), by: z.enum(['program', 'staff']) }),
  'reward.unlocked': () =>
    z.strictObject({
      rewardId: id,
      ruleId: id,
      name: z.string(),
      /** Equal rewards unlocked into this entry by the receipt (rewards are kept as counted entries). */
      count: z.int().check(z.gte(1)),
      storeId: id,
      receiptId: id,
    }),
  'coupon.issued': () => z.strictObject({ code: id, campaignId: id }),
  /** A custom event posted for the customer (POST /v1/customers/{id}/events), once per eventId, whatever it earned. */
  'customer.event': () =>
    z.strictObject({
      eventId: id,
      eventType: z.string().check(z.maxLength(64)),
      attributes: z
        .record(z.string().check(z.maxLength(64)), z.union([z.string().check(z.maxLength(200)), z.number(), z.boolean()]))
        .check(z.describe('At most 20 scalars, as posted.')),
      points: nonNeg.check(z.describe('Points it earned (their ledger entry, kind `event`, is also a `points.earned`).')),
      storeId: z.optional(id),
      occurredAt: z.string(),
    }),
  'refill.due': () => z.strictObject({ sku: id, ruleId: id, name: z.string(), runsOutOn: z.iso.date() }),
  /** The customer entered a segment (a definition now matches, or staff set it by hand): a journey trigger. */
  'segment.entered': () => z.strictObject({ segmentId: id }),
  'segment.left': () => z.strictObject({ segmentId: id }),
} as const;

type Payload<T extends EventType> = ReturnType<(typeof payloads)[T]>;
export type EventType = keyof typeof payloads;
/** Every event type, in the catalog's order. */
export const eventTypes = Object.keys(payloads) as [EventType, ...EventType[]];

const built = new Map<EventType, z.ZodMiniType>();
/** The data schema of an event type, built once. */
export const payloadSchema = <T extends EventType>(type: T): Payload<T> => {
  if (!built.has(type)) built.set(type, payloads[type]());
  return built.get(type) as Payload<T>;
};

/**
 * Events after which a customer's defined segments may differ: the account worker re-evaluates
 * that customer (a bus rule feeds it these). Everything the calendar moves, the nightly job does.
 */
export const segmentEvents = [
  'customer.enrolled',
  'customer.imported',
  'receipt.committed',
  'receipt.returned',
  'tier.changed',
  'points.adjusted',
  'points.expired',
  'points.released',
  'bonus.granted',
  'customer.event',
] as const satisfies readonly EventType[];
export const EVENT_VERSION = 1;
export const EVENT_SOURCE = 'tally';

export interface DomainEvent<T extends EventType = EventType> {
  /** Stable across redeliveries of the same change: consumers deduplicate on it. */
  readonly id: string;
  readonly type: T;
  readonly version: typeof EVENT_VERSION;
  readonly tenantId: string;
  readonly customerId: string | null;
  readonly occurredAt: string;
  readonly data: z.output<Payload<T>>;
}

const envelope = <T extends EventType>(type: T) =>
  z.strictObject({
    id: z.string(),
    type: z.literal(type),
    version: z.literal(EVENT_VERSION),
    tenantId: id,
    customerId: z.nullable(id),
    occurredAt: z.string(),
    data: payloadSchema(type),
  });
const envelopes = new Map<EventType, z.ZodMiniType>();
/** The schema of an event of this type as published, built once (the outbox relay checks every event by it). */
export const envelopeSchema = <T extends EventType>(type: T): ReturnType<typeof envelope<T>> => {
  if (!envelopes.has(type)) envelopes.set(type, envelope(type));
  return envelopes.get(type) as ReturnType<typeof envelope<T>>;
};

/** JSON Schemas of every event, for events/schemas/ (`npm run openapi`). */
export function eventJsonSchemas(): Record<string, unknown> {
  return Object.fromEntries(
    eventTypes.map((type) => [
      `${type}.v${EVENT_VERSION}.json`,
      { $id: `https://tally.dev/events/${type}.v${EVENT_VERSION}.json`, title: `${type} v${EVENT_VERSION}`, ...z.toJSONSchema(envelopeSchema(type), { target: 'draft-2020-12' }) },
    ]),
  );
}

/**
 * What the notify queue carries: EventBridge's envelope around an event (a rule's SQS target),
 * or the same shape re-sent by the notifications job. The data is checked by the type's schema.
 */
export const busMessageSchema = z.pipe(
  z.looseObject({
    detail: z.looseObject({
      id: z.string().check(z.minLength(1)),
      type: z.enum(eventTypes),
      version: z.literal(EVENT_VERSION),
      tenantId: id,
      customerId: z.nullable(id),
      occurredAt: z.string(),
      data: z.record(z.string(), z.unknown()),
    }),
  }),
  z.transform((m, ctx) => {
    const parsed = envelopeSchema(m.detail.type).safeParse(m.detail);
    if (!parsed.success) {
      ctx.issues.push({ code: 'custom', message: `detail does not match ${m.detail.type} v${EVENT_VERSION}: ${parsed.error.issues[0]?.message}`, input: m, path: [] });
      return z.NEVER;
    }
    return parsed.data as DomainEvent;
  }),
);

/** The bus envelope for an event (what a rule's SQS target receives). */
export const busMessage = (e: DomainEvent) => ({ source: EVENT_SOURCE, 'detail-type': e.type, detail: e });
