/**
 * Segments as definitions: staff create and edit them; a customer's membership is re-evaluated
 * when an event about them arrives (the account worker, fed by a bus rule) and by the nightly
 * segments job (every customer, through the `members` index). Membership is written where
 * segments always lived — the customer's `segments` list and the `T#{t}#SEG#{s}` items — only when
 * it changes, so rules, coupons and journeys see defined segments like segments set by hand.
 *
 * Reads and writes: an evaluation reads the customer (one GetItem; the definitions are cached per
 * process) and writes one transaction (customer + one item per segment entered or left) only if
 * the membership changed.
 */
import { dayOf, type Day } from '#domain/calendar.ts';
import { rfmSettings } from '#domain/rfm.ts';
import { classify } from '#domain/rfm.ts';
import { definitionIssues, matchingSegments, MAX_SEGMENT_DEFINITIONS, nextSegments, type SegmentDefinition } from '#domain/segments.ts';
import type { Principal } from '../storage/api-keys.ts';
import type { CustomerRecord } from '../storage/customers.ts';
import type { SegmentRecord } from '../storage/segments.ts';
import { transactWrite, withOptimisticRetry } from '../storage/transact.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { requireProgram } from './program-in-force.ts';
import type { Deps } from './deps.ts';
import { ConflictError, InvalidRequestError, LimitExceededError, NotFoundError } from './errors.ts';

const view = (s: SegmentRecord) => ({
  segmentId: s.segmentId,
  name: s.name,
  ...(s.description !== undefined ? { description: s.description } : {}),
  match: s.match,
  conditions: s.conditions,
  createdAt: s.createdAt,
  createdBy: s.createdBy,
  updatedAt: s.updatedAt,
  version: s.version,
});

/** A definition the program can evaluate, or a 400 naming the first condition it cannot. */
/** What the segments routes use: their function builds only these (README, "Cold start"). */
export type SegmentDeps = Pick<Deps, 'segments' | 'customers' | 'programs' | 'audit' | 'clock'>;

async function checked(deps: SegmentDeps, tenantId: string, d: SegmentDefinition): Promise<void> {
  const { program } = await requireProgram(deps, tenantId);
  const issue = definitionIssues(program, d)[0];
  if (issue) throw new InvalidRequestError(`${issue.path}: ${issue.message}`, issue.path);
}

export async function createSegment(deps: SegmentDeps, p: Principal, body: SegmentDefinition & { segmentId: string }) {
  const { segmentId, ...definition } = body;
  await checked(deps, p.tenantId, definition);
  // Customers already in a segment of this id by hand would silently change hands.
  const byHand = await deps.customers.segmentPage(p.tenantId, segmentId, 1);
  if (byHand.members.length > 0) {
    throw new ConflictError('segment_in_use', 'segmentId: customers are already in a segment of this id set by hand; choose another id', 'segmentId');
  }
  const at = deps.clock().toISOString();
  const record: SegmentRecord = { segmentId, ...definition, createdAt: at, createdBy: p.actor, updatedAt: at, version: 1 };
  const audit = deps.audit.item(p, { at, action: 'segment.create', target: `segment:${segmentId}`, after: definition });
  const r = await deps.segments.create(p.tenantId, record, MAX_SEGMENT_DEFINITIONS, audit);
  if (r === 'exists') throw new ConflictError('segment_exists', `segmentId: segment ${segmentId} is already defined; PUT /v1/segments/${segmentId} changes it`, 'segmentId');
  if (r === 'limit') throw new LimitExceededError('segments.maxDefinitions', `segmentId: a tenant may define at most ${MAX_SEGMENT_DEFINITIONS} segments`, 'segmentId');
  return view(record);
}

async function existing(deps: SegmentDeps, tenantId: string, segmentId: string): Promise<SegmentRecord> {
  const s = await deps.segments.get(tenantId, segmentId);
  if (!s) throw new NotFoundError(`segment ${segmentId}`, 'segmentId');
  return s;
}

export async function updateSegment(deps: SegmentDeps, p: Principal, segmentId: string, definition: SegmentDefinition) {
  await checked(deps, p.tenantId, definition);
  const before = await existing(deps, p.tenantId, segmentId);
  const at = deps.clock().toISOString();
  const after: SegmentRecord = { ...before, ...definition, description: definition.description, updatedAt: at, version: before.version + 1 };
  const audit = deps.audit.item(p, { at, action: 'segment.update', target: `segment:${segmentId}`, before: { match: before.match, conditions: before.conditions }, after: definition });
  if (!(await deps.segments.update(p.tenantId, before, after, audit))) {
    throw new ConflictError('segment_changed', 'segmentId: the segment changed while this request was made; read it and try again', 'segmentId');
  }
  return view(after);
}

/** Deletes the definition; its members leave as each is next evaluated (an event, or the nightly job at the latest). */
export async function deleteSegment(deps: SegmentDeps, p: Principal, segmentId: string) {
  const before = await existing(deps, p.tenantId, segmentId);
  const at = deps.clock().toISOString();
  const audit = deps.audit.item(p, { at, action: 'segment.delete', target: `segment:${segmentId}`, before: { match: before.match, conditions: before.conditions } });
  if (!(await deps.segments.remove(p.tenantId, before, at, audit))) {
    throw new ConflictError('segment_changed', 'segmentId: the segment changed while this request was made; read it and try again', 'segmentId');
  }
  return { segmentId, deletedAt: at };
}

export async function getSegment(deps: SegmentDeps, p: Principal, segmentId: string) {
  return view(await existing(deps, p.tenantId, segmentId));
}

/** Every definition: at most MAX_SEGMENT_DEFINITIONS, so one page. */
export async function listSegments(deps: SegmentDeps, p: Principal) {
  return { segments: (await deps.segments.all(p.tenantId, MAX_SEGMENT_DEFINITIONS)).map(view) };
}

const memberCursor = (cursor: string | undefined, segmentId: string) =>
  cursor === undefined ? undefined : decodeCursor(cursor, (sk) => sk.startsWith('C#'), `seg:${segmentId}`);

/** One page of a segment's members (defined or set by hand), in customer-id order. */
export async function segmentMembers(deps: SegmentDeps, p: Principal, segmentId: string, q: { limit: number; cursor?: string | undefined }) {
  const page = await deps.customers.segmentPage(p.tenantId, segmentId, q.limit, memberCursor(q.cursor, segmentId));
  return {
    segmentId,
    members: page.members.map((m) => ({ customerId: m.customerId, ...(m.at ? { since: m.at } : {}) })),
    nextCursor: page.nextSk ? encodeCursor(page.nextSk, `seg:${segmentId}`) : null,
  };
}

/** A CSV cell: quoted where needed, and never read as a formula by a spreadsheet (OWASP's CSV injection rule). */
export const csvCell = (v: string) => {
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
};

/**
 * The same page as CSV (a header row, then `customerId,since`): ids only, no personal data, so a
 * marketer may take it to another tool; the next page's cursor travels in a header.
 */
export async function exportSegmentMembers(deps: SegmentDeps, p: Principal, segmentId: string, q: { limit: number; cursor?: string | undefined }) {
  const page = await segmentMembers(deps, p, segmentId, q);
  const rows = page.members.map((m) => `${csvCell(m.customerId)},${csvCell(m.since ?? '')}`);
  return { csv: ['customerId,since', ...rows].join('\r\n') + '\r\n', nextCursor: page.nextCursor };
}

export type EvaluationOutcome = 'done' | 'nothing' | 'gone';

/**
 * Re-evaluates one customer's defined segments as of `day` (program time; today if not given)
 * and writes the change, if any, with the membership items, conditional on the customer's version.
 * After an event (`nightly` false) a tenant without definitions costs no read at all; the nightly
 * run still reads, to take customers out of definitions deleted since.
 */
export async function evaluateCustomerSegments(deps: Deps, tenantId: string, customerId: string, opts: { day?: Day; nightly?: boolean } = {}): Promise<EvaluationOutcome> {
  const current = await deps.programs.current(tenantId);
  if (!current) return 'nothing';
  const { program } = current;
  const definitions = await deps.segments.defined(tenantId, MAX_SEGMENT_DEFINITIONS);
  if (definitions.length === 0 && !opts.nightly) return 'nothing';
  const day = opts.day;
  return withOptimisticRetry<EvaluationOutcome>(async () => {
    const c = await deps.customers.get(tenantId, customerId);
    if (!c) return { done: true, value: 'gone' };
    const was = c.account.definedSegments ?? [];
    const now = deps.clock();
    const today = day ?? dayOf(now, program.timeZone);
    // The nightly run keeps the customer's RFM class on the account (written only when it moves),
    // so the report counters can count members per class (domain/insight.ts).
    const rfmClass = opts.nightly ? classify(rfmSettings(program), c.account, today).class : c.account.rfmClass;
    if (definitions.length === 0 && was.length === 0 && rfmClass === c.account.rfmClass) return { done: true, value: 'nothing' };
    const matching = matchingSegments(program, definitions, c, today);
    const definedIds = new Set([...definitions.map((d) => d.segmentId), ...was]);
    const segments = nextSegments(c.account.segments, definedIds, matching);
    if (sameList(segments, c.account.segments) && sameList(matching, was) && rfmClass === c.account.rfmClass) return { done: true, value: 'nothing' };
    const next: CustomerRecord = { ...c, account: { ...c.account, segments, definedSegments: matching, ...(rfmClass ? { rfmClass } : {}) } };
    const r = await transactWrite(deps.db, [
      ...deps.customers.updateItems(c, next, []),
      ...deps.customers.segmentItems(tenantId, customerId, c.account.segments, segments, now.toISOString()),
    ]);
    return r.ok ? { done: true, value: 'done' } : { done: false };
  });
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * The segments staff set by hand on a customer, with the defined ones kept as evaluated: ids of
 * defined segments are refused (their members follow their conditions).
 */
export async function handSetSegments(deps: Pick<Deps, 'segments'>, tenantId: string, c: CustomerRecord, requested: readonly string[]): Promise<{ segments: string[]; definedSegments: string[] }> {
  const live = new Set((await deps.segments.all(tenantId, MAX_SEGMENT_DEFINITIONS)).map((d) => d.segmentId));
  const i = requested.findIndex((s) => live.has(s));
  if (i >= 0) throw new InvalidRequestError(`segments.${i}: is a defined segment; its members follow its conditions`, `segments.${i}`);
  const keep = c.account.segments.filter((s) => live.has(s));
  const segments = [...new Set([...requested, ...keep])].sort();
  return { segments, definedSegments: (c.account.definedSegments ?? []).filter((s) => live.has(s) && segments.includes(s)) };
}
