/** Segment definitions and their members (group `segments`). */
import * as z from 'zod';
import { MAX_MEMBERS_PAGE } from '#domain/segments.ts';
import { segmentDefinitionSchema } from '#domain/segment-schema.ts';
import { id } from '../schemas.ts';

/** A segment definition; `segmentId` names it in rules (`when.segments`), coupons and journeys. */
export const createSegmentBody = segmentDefinitionSchema.extend({ segmentId: id });
export const updateSegmentBody = segmentDefinitionSchema;
/** Members come up to MAX_MEMBERS_PAGE a page, JSON or CSV. */
export const membersQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(MAX_MEMBERS_PAGE).default(200),
  cursor: z.string().max(512).optional(),
});
