/**
 * A segment definition as a marketer writes it (README, "Segments"), as a zod schema: validated
 * by the segments routes and documented in openapi.json. Apart from the evaluator in segments.ts,
 * which needs only the types, so that functions that evaluate segments but never take a
 * definition (the till's, a customer's) do not build these schemas at a cold start.
 */
import * as z from './zod-mini.ts';
import { attributeName } from './attributes.ts';
import { eventTypeSchema } from './custom-events.ts';
import { id } from './ids.ts';
import { MAX_CONDITIONS, MAX_WINDOW_MONTHS } from './segments.ts';
import { rfmClasses } from './rfm.ts';
import { singleLine, singleLineMessage } from './text.ts';

function build() {
  const code = z.string().check(z.minLength(1), z.maxLength(64), z.refine(singleLine, singleLineMessage));
  const dayCount = z.int().check(z.gte(1), z.lte(3650));
  const not = { not: z._default(z.boolean(), false).check(z.describe('Match customers for whom the condition does not hold.')) };

  /** A day range, absolute (`after`/`before`, exclusive) or relative to the evaluation day. */
  const dayRange = {
    after: z.optional(z.iso.date()),
    before: z.optional(z.iso.date()),
    /** On one of the last N days (today included as day 0). */
    withinDays: z.optional(dayCount),
    /** More than N days ago. */
    olderThanDays: z.optional(dayCount),
  };
  const someBound = (c: { after?: string | undefined; before?: string | undefined; withinDays?: number | undefined; olderThanDays?: number | undefined }) =>
    c.after !== undefined || c.before !== undefined || c.withinDays !== undefined || c.olderThanDays !== undefined;
  const needsBound = { message: 'give at least one of after, before, withinDays, olderThanDays', path: ['after'] };

  const conditionSchema = z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('tier'), tiers: z.array(code).check(z.minLength(1), z.maxLength(50)), ...not }),
    z.strictObject({ kind: z.literal('rfm'), classes: z.array(z.enum(rfmClasses)).check(z.minLength(1), z.maxLength(rfmClasses.length)), ...not }),
    z.strictObject({ kind: z.literal('lastPurchase'), ...dayRange, ...not }).check(z.refine(someBound, needsBound)),
    z.strictObject({ kind: z.literal('enrolled'), ...dayRange, ...not }).check(z.refine(someBound, needsBound)),
    /** The customer's latest custom event of this type (POST /v1/customers/{id}/events) fell in the range. */
    z.strictObject({ kind: z.literal('event'), event: eventTypeSchema, ...dayRange, ...not }).check(z.refine(someBound, needsBound)),
    z.strictObject({ kind: z.literal('birthdayMonth'), months: z.array(z.int().check(z.gte(1), z.lte(12))).check(z.minLength(1), z.maxLength(12)), ...not }),
    z.strictObject({ kind: z.literal('consent'), channel: z.enum(['sms', 'email', 'push']), ...not }),
    z
      .strictObject({ kind: z.literal('balance'), min: z.optional(z.int()), max: z.optional(z.int()), ...not })
      .check(z.refine((c) => c.min !== undefined || c.max !== undefined, { message: 'give min, max or both', path: ['min'] })),
    z
      .strictObject({
        kind: z.literal('bought'),
        categories: z.optional(z.array(code).check(z.minLength(1), z.maxLength(50))),
        skus: z.optional(z.array(code).check(z.minLength(1), z.maxLength(50))),
        /** A line attribute with one of these values, e.g. `{ "brand": ["acme"] }` (where tills send attributes). */
        attributes: z.optional(
          z
            .record(attributeName, z.array(code).check(z.minLength(1), z.maxLength(50)))
            .check(z.refine((a) => Object.keys(a).length >= 1 && Object.keys(a).length <= 10, 'must name 1 to 10 attributes')),
        ),
        /** This month and the N − 1 before it (program time). */
        withinMonths: z.int().check(z.gte(1), z.lte(MAX_WINDOW_MONTHS)),
        ...not,
      })
      .check(z.refine((c) => [c.categories, c.skus, c.attributes].filter((x) => x !== undefined).length === 1, { message: 'give exactly one of categories, skus or attributes', path: ['categories'] })),
    z.strictObject({ kind: z.literal('store'), stores: z.array(id).check(z.minLength(1), z.maxLength(50)), withinMonths: z.int().check(z.gte(1), z.lte(MAX_WINDOW_MONTHS)), ...not }),
  ]);

  const segmentDefinitionSchema = z.strictObject({
    name: z.string().check(z.trim(), z.minLength(1), z.maxLength(100), z.refine(singleLine, singleLineMessage)),
    description: z.optional(z.string().check(z.maxLength(500))),
    /** `all` conditions must hold, or `any` of them. */
    match: z._default(z.enum(['all', 'any']), 'all'),
    conditions: z.array(conditionSchema).check(z.minLength(1), z.maxLength(MAX_CONDITIONS)),
  });
    return { conditionSchema, segmentDefinitionSchema };
}

let built: ReturnType<typeof build> | undefined;
/**
 * Built on first use, not at import: of the segments routes only create and update take a
 * definition (README, "Cold start").
 */
export const segmentSchemas = (): ReturnType<typeof build> => (built ??= build());
export type SegmentCondition = z.output<ReturnType<typeof build>['conditionSchema']>;
export type SegmentDefinition = z.output<ReturnType<typeof build>['segmentDefinitionSchema']>;
export type SegmentDefinitionInput = z.input<ReturnType<typeof build>['segmentDefinitionSchema']>;
