/** Staff (marketers): define segments as conditions, read and export any segment's members. */
import { createSegment, deleteSegment, exportSegmentMembers, getSegment, listSegments, segmentMembers, updateSegment, type SegmentDeps } from '#lib/app/segments.ts';
import { db } from '#lib/storage/client.ts';
import { auditRepository } from '#lib/storage/audit.ts';
import { customerRepository } from '#lib/storage/customers.ts';
import { sharedProgramRepository } from '#lib/storage/programs.ts';
import { sharedSegmentRepository } from '#lib/storage/segments.ts';
import { httpFunction, ok } from '#lib/http/function.ts';
import { jsonBody, pathParam, validate } from '#lib/http/request.ts';
import { createSegmentBody, membersQuery, updateSegmentBody } from '#lib/http/schemas/segments.ts';

// Only the repositories the segment routes use: deps() would bundle, and build at a cold start, every repository.
let shared: SegmentDeps | undefined;
const deps = (): SegmentDeps =>
  (shared ??= { segments: sharedSegmentRepository(db()), customers: customerRepository(db()), programs: sharedProgramRepository(db()), audit: auditRepository(db()), clock: () => new Date() });

export const handler = httpFunction('segments', {
  'POST /v1/segments': async (event, p) => ok(await createSegment(deps(), p, validate(createSegmentBody, jsonBody(event))), 201),
  'GET /v1/segments': async (_event, p) => ok(await listSegments(deps(), p)),
  'GET /v1/segments/{segmentId}': async (event, p) => ok(await getSegment(deps(), p, pathParam(event, 'segmentId'))),
  'PUT /v1/segments/{segmentId}': async (event, p) => ok(await updateSegment(deps(), p, pathParam(event, 'segmentId'), validate(updateSegmentBody, jsonBody(event)))),
  'DELETE /v1/segments/{segmentId}': async (event, p) => ok(await deleteSegment(deps(), p, pathParam(event, 'segmentId'))),
  'GET /v1/segments/{segmentId}/members': async (event, p) =>
    ok(await segmentMembers(deps(), p, pathParam(event, 'segmentId'), validate(membersQuery, event.queryStringParameters ?? {}))),
  'GET /v1/segments/{segmentId}/export': async (event, p) => {
    const page = await exportSegmentMembers(deps(), p, pathParam(event, 'segmentId'), validate(membersQuery, event.queryStringParameters ?? {}));
    return { status: 200, body: page.csv, headers: { 'content-type': 'text/csv; charset=utf-8', ...(page.nextCursor ? { 'next-cursor': page.nextCursor } : {}) } };
  },
});
