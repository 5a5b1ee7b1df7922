/**
 * Journeys: what a marketer defines instead of Pinpoint's (ended) journeys. A trigger — a domain
 * event, a list of customers or a segment now, or the same at a date — enters customers; then
 * steps run in order: waits, conditions that end the journey for a customer, and messages (with
 * the program's channels, consent and quiet hours, and a frequency cap across journeys). Pure:
 * the definition and a customer's facts in, the next action out.
 */
import { eventTypeSchema } from './custom-events.ts';
import { channels } from './notifications.ts';
import * as z from './zod-mini.ts';

const id = z.string().check(z.regex(/^[A-Za-z0-9._:-]{1,64}$/, 'must be 1–64 letters, digits or . _ : -'));
const template = z.strictObject({ subject: z.optional(z.string().check(z.minLength(1), z.maxLength(200))), text: z.string().check(z.minLength(1), z.maxLength(2000)) });

export const journeyStepSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('wait'), hours: z.int().check(z.gte(1), z.lte(24 * 365)) }),
  z.strictObject({
    kind: z.literal('condition'),
    /** All given tests must hold, or the journey ends for this customer here. */
    balanceAtLeast: z.optional(z.int().check(z.gte(0))),
    balanceBelow: z.optional(z.int().check(z.gte(0))),
    tierIn: z.optional(z.array(id).check(z.minLength(1), z.maxLength(50))),
    inSegment: z.optional(id),
    notInSegment: z.optional(id),
  }),
  z.strictObject({
    kind: z.literal('message'),
    /** Tried in order; the first the customer consented to and can be reached on is used. */
    channels: z.array(z.enum(channels)).check(z.minLength(1), z.maxLength(3)),
    /** By language; `{{name}}` and `{{balance}}` may be used. The program's default language is the fallback. */
    templates: z.record(z.string().check(z.minLength(2), z.maxLength(10)), template).check(z.refine((t) => Object.keys(t).length > 0, 'give at least one language')),
  }),
]);
export type JourneyStep = z.output<typeof journeyStepSchema>;

export const journeyTriggerSchema = z.discriminatedUnion('kind', [
  /** Every customer a domain event of this type is about enters (once per journey). */
  z.strictObject({
    kind: z.literal('event'),
    eventType: z.string().check(z.regex(/^[a-z]+\.[a-z]+$/)),
    /** With `customer.event`: only custom events of this type (e.g. `app.installed`). */
    customEventType: z.optional(eventTypeSchema),
  }),
  /** These customers, or a segment's members, when the journey starts — or at `at`, if given. */
  z
    .strictObject({
      kind: z.literal('audience'),
      customerIds: z.optional(z.array(id).check(z.maxLength(10_000))),
      segment: z.optional(id),
      at: z.optional(z.iso.datetime({ offset: true })),
    })
    .check(z.refine((t) => (t.customerIds === undefined) !== (t.segment === undefined), { message: 'give exactly one of customerIds or segment', path: ['customerIds'] })),
]);

/** On zod's mini build (lib/domain/zod-mini.ts): the journeys function builds it at import. */
export const journeySchema = z.strictObject({
  name: z.string().check(z.minLength(1), z.maxLength(200)),
  trigger: journeyTriggerSchema,
  steps: z
    .array(journeyStepSchema)
    .check(z.minLength(1), z.maxLength(50), z.refine((s) => s.some((x) => x.kind === 'message'), 'a journey needs at least one message step')),
  /** At most `messages` journey messages per customer in any `days` days, across all journeys. */
  frequencyCap: z._default(z.strictObject({ messages: z.int().check(z.gte(1), z.lte(100)), days: z.int().check(z.gte(1), z.lte(365)) }), { messages: 3, days: 7 }),
});
export type JourneyDefinition = z.output<typeof journeySchema>;

/** Whether a domain event of this type enters customers into the journey. */
export const triggeredBy = (j: JourneyDefinition, eventType: string): boolean => j.trigger.kind === 'event' && j.trigger.eventType === eventType;

export interface CustomerFacts {
  readonly balance: number;
  readonly tierId: string | null;
  readonly segments: readonly string[];
}

/** Whether a condition step lets the customer go on. */
export function passes(step: Extract<JourneyStep, { kind: 'condition' }>, c: CustomerFacts): boolean {
  if (step.balanceAtLeast !== undefined && c.balance < step.balanceAtLeast) return false;
  if (step.balanceBelow !== undefined && c.balance >= step.balanceBelow) return false;
  if (step.tierIn && !step.tierIn.includes(c.tierId ?? '')) return false;
  if (step.inSegment && !c.segments.includes(step.inSegment)) return false;
  if (step.notInSegment && c.segments.includes(step.notInSegment)) return false;
  return true;
}

export type JourneyAction =
  | { readonly kind: 'wait'; readonly until: Date; readonly next: number }
  | { readonly kind: 'message'; readonly step: Extract<JourneyStep, { kind: 'message' }>; readonly next: number }
  | { readonly kind: 'end'; readonly reason: 'done' | 'condition' };

/**
 * What happens at step `index` for this customer: conditions are decided on the spot (so a
 * journey moves through them without a queue round trip); a wait or a message stops the walk.
 */
export function actionAt(journey: JourneyDefinition, index: number, c: CustomerFacts, now: Date): JourneyAction {
  for (let i = index; i < journey.steps.length; i++) {
    const step = journey.steps[i]!;
    if (step.kind === 'condition') {
      if (!passes(step, c)) return { kind: 'end', reason: 'condition' };
      continue;
    }
    if (step.kind === 'wait') return { kind: 'wait', until: new Date(now.getTime() + step.hours * 3_600_000), next: i + 1 };
    return { kind: 'message', step, next: i + 1 };
  }
  return { kind: 'end', reason: 'done' };
}

/** Whether one more journey message fits the cap, given when the earlier ones were sent. */
export function underCap(cap: JourneyDefinition['frequencyCap'], sentAt: readonly string[], now: Date): boolean {
  const since = now.getTime() - cap.days * 86_400_000;
  return sentAt.filter((t) => Date.parse(t) > since).length < cap.messages;
}
