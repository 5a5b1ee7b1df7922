/** Segment definitions and their members (group `segments`). */
import * as z from '#domain/zod-mini.ts';
import { MAX_MEMBERS_PAGE } from '#domain/segments.ts';
import { segmentSchemas } from '#domain/segment-schema.ts';
import { id } from '../schemas.ts';

/** A segment definition; `segmentId` names it in rules (`when.segments`), coupons and journeys. */
export const createSegmentBody = z.lazy(() => z.extend(segmentSchemas().segmentDefinitionSchema, { segmentId: id }));
export const updateSegmentBody = z.lazy(() => segmentSchemas().segmentDefinitionSchema);
/** Members come up to MAX_MEMBERS_PAGE a page, JSON or CSV. */
export const membersQuery = z.strictObject({
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(MAX_MEMBERS_PAGE)), 200),
  cursor: z.optional(z.string().check(z.maxLength(512))),
});
