/**
 * Import use cases of the routes (POST /v1/imports, GET /v1/imports/{importId}): an upload slot,
 * an import's progress and refused rows. Reading and importing the file is ./imports.ts (the
 * worker, `npm run import`): kept apart so the route function bundles neither the file readers
 * nor the member and product row schemas (README, "Cold start").
 */
import { randomBytes } from 'node:crypto';
import { IMPORT_LIMITS, type ImportFormat, type ImportKind } from '#domain/import-kinds.ts';
import type { Principal } from '../storage/api-keys.ts';
import type { ImportProgress } from '../storage/imports.ts';
import { objectKey, type ImportLinks } from '../storage/import-bucket.ts';
import { transactWrite } from '../storage/transact.ts';
import { requireProgram } from './program-in-force.ts';
import type { Deps } from './deps.ts';
import { ConflictError, InvalidRequestError, LimitExceededError, NotFoundError } from './errors.ts';

/** Import ids: also part of the file's object key, so letters, digits, - and _ only. */
export const importIdPattern = /^[A-Za-z0-9_-]{1,64}$/;

export const newImportId = (now: Date) => `imp_${now.toISOString().slice(0, 10).replace(/-/g, '')}_${randomBytes(6).toString('base64url').replace(/[^A-Za-z0-9]/g, 'x')}`;

export /** The counters of an import that has not read a row yet. */
const nothingDone = (bytesTotal: number | null) => ({ rowsDone: 0, imported: 0, alreadyImported: 0, refused: 0, rowsTotal: null, bytesDone: 0, bytesTotal, activeMs: 0 });

/** The repositories the import routes use: the imports function builds these alone, not `deps()` (README, "Cold start"). */
export type ImportRequestDeps = Pick<Deps, 'db' | 'imports' | 'audit' | 'programs' | 'clock'>;

/** How long an upload or report link is valid. */
export const LINK_SECONDS = 900;

/**
 * POST /v1/imports: an upload slot in the import bucket. The import itself starts when the file
 * lands (S3 event → queue → worker); GET /v1/imports/{importId} follows it.
 */
export async function startImport(deps: ImportRequestDeps, p: Principal, body: { kind: ImportKind; format: ImportFormat; bytes?: number | undefined }, bucket: ImportLinks | null) {
  if (!bucket) throw new ConflictError('imports_not_configured', `this deployment has no import bucket (IMPORT_BUCKET); npm run import -- ${body.kind} FILE imports locally without one`);
  if (body.kind === 'members') await requireProgram(deps, p.tenantId);
  if (body.bytes !== undefined) checkFileSize(body.bytes);
  const now = deps.clock();
  const at = now.toISOString();
  const importId = newImportId(now);
  const key = objectKey(p.tenantId, importId, body.format);
  const progress: ImportProgress = {
    tenantId: p.tenantId,
    importId,
    kind: body.kind,
    format: body.format,
    source: key,
    status: 'awaitingUpload',
    ...nothingDone(body.bytes ?? null),
    createdAt: at,
    createdBy: p.actor,
    updatedAt: at,
  };
  await transactWrite(deps.db, [deps.imports.createItem(progress, now), deps.audit.item(p, { at, action: 'import.start', target: `import:${importId}`, after: { kind: body.kind, format: body.format } })]);
  const url = await bucket.uploadUrl(key, LINK_SECONDS);
  return {
    ...importView(progress),
    upload: { method: 'PUT' as const, url, expiresAt: new Date(now.getTime() + LINK_SECONDS * 1000).toISOString() },
  };
}

/** What GET /v1/imports/{importId} answers: progress, rate, and a page of refused rows. */
export async function importStatus(
  deps: ImportRequestDeps,
  p: Principal,
  importId: string,
  q: { limit: number; cursor?: string | undefined },
  reportLink?: (report: string) => Promise<string>,
) {
  if (!importIdPattern.test(importId)) throw new NotFoundError('import', 'importId');
  const after = q.cursor === undefined ? 0 : decodeCursor(q.cursor);
  const imp = await deps.imports.get(p.tenantId, importId);
  if (!imp) throw new NotFoundError('import', 'importId');
  const page = await deps.imports.errors(p.tenantId, importId, q.limit, after);
  return {
    ...importView(imp),
    errors: page.errors.flatMap((e) => e.issues.map((i) => ({ row: e.row, field: i.field, rule: i.rule }))),
    nextCursor: page.nextSeq === null ? null : Buffer.from(JSON.stringify({ seq: page.nextSeq }), 'utf8').toString('base64url'),
    report: imp.report ?? null,
    reportUrl: imp.report && reportLink ? await reportLink(imp.report) : null,
  };
}

function decodeCursor(cursor: string): number {
  try {
    const { seq } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { seq?: unknown };
    if (typeof seq === 'number' && Number.isSafeInteger(seq) && seq >= 0) return seq;
  } catch {
    // fall through
  }
  throw new InvalidRequestError('cursor: is not a cursor this API returned', 'cursor');
}

/** Progress as the API and the CLI show it. */
export function importView(imp: ImportProgress) {
  const seconds = imp.activeMs / 1000;
  return {
    importId: imp.importId,
    kind: imp.kind,
    format: imp.format,
    status: imp.status,
    rows: { done: imp.rowsDone, imported: imp.imported, alreadyImported: imp.alreadyImported, refused: imp.refused, total: imp.rowsTotal ?? null },
    bytes: { done: imp.bytesDone, total: imp.bytesTotal ?? null },
    rowsPerSecond: seconds > 0 ? Math.round(imp.rowsDone / seconds) : null,
    createdAt: imp.createdAt,
    updatedAt: imp.updatedAt,
    finishedAt: imp.finishedAt ?? null,
    failure: imp.failure ?? null,
  };
}

/** Refuses what a bound forbids before anything is read (the upload route uses it too). */
export function checkFileSize(bytes: number): void {
  if (bytes > IMPORT_LIMITS.maxFileBytes) throw new LimitExceededError('import.maxFileBytes', fileTooBig, 'file');
}

export const fileTooBig = `file: an import file may hold at most ${IMPORT_LIMITS.maxFileBytes} bytes (import.maxFileBytes): split it`;
