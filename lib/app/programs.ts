/** Staff use cases on the program document: read, dry-run validate, publish, list versions. */
import type { Program, ProgramIssue } from '#domain/program.ts';
import { loadProgramParser } from '#domain/program-parser.ts';
import { RuleViolationError } from '#domain/errors.ts';
import { ConflictError, InvalidRequestError, LimitExceededError, NotFoundError } from './errors.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import type { Principal } from '../storage/api-keys.ts';
import { MAX_ITEM_BYTES } from '../storage/item-size.ts';
import { programItemBytes, ProgramVersionConflictError } from '../storage/programs.ts';
import type { Deps } from './deps.ts';
import { draftHash } from './idempotency.ts';
import { simulationRepository } from '../storage/simulations.ts';

export async function currentProgram(deps: Deps, p: Principal) {
  const s = await deps.programs.currentStored(p.tenantId);
  if (!s) throw new NotFoundError('program');
  return s;
}

/**
 * A document is stored whole in one item (with its parsed form), so past DynamoDB's 400 KB it
 * cannot be published however valid each part is: `validate` says so before `publish` would fail.
 */
function storedSizeIssue(p: Principal, document: unknown, program: Program): ProgramIssue | null {
  const bytes = programItemBytes(p.tenantId, document, program, p.actor);
  if (bytes <= MAX_ITEM_BYTES) return null;
  return {
    path: '',
    message: `stored, the document would take ${bytes} bytes; a program may take at most ${MAX_ITEM_BYTES} (DynamoDB's 400 KB item limit): list fewer SKUs or shorter texts`,
  };
}

export async function validateProgram(p: Principal, document: unknown): Promise<{ valid: boolean; issues: ProgramIssue[] }> {
  const { parseProgram } = await loadProgramParser();
  const r = parseProgram(document);
  if (!r.ok) return { valid: false, issues: r.issues };
  const tooLarge = storedSizeIssue(p, document, r.program);
  return tooLarge ? { valid: false, issues: [tooLarge] } : { valid: true, issues: [] };
}

export async function publishProgram(deps: Deps, p: Principal, body: { document: unknown; basedOnVersion?: number | undefined }) {
  const { parseProgram } = await loadProgramParser();
  const r = parseProgram(body.document);
  if (!r.ok) {
    const first = r.issues[0]!;
    const field = first.path ? `document.${first.path}` : 'document';
    throw new InvalidRequestError(`${field}: ${first.message} (${r.issues.length} problem(s); POST /v1/program/validate lists all)`, field, 'invalid_program');
  }
  const tooLarge = storedSizeIssue(p, body.document, r.program);
  if (tooLarge) throw new LimitExceededError('dynamodb.itemSize', `document: ${tooLarge.message}`, 'document');
  await requireSimulationIfAsked(deps, p.tenantId, body.document);
  try {
    const at = deps.clock().toISOString();
    const { version } = await deps.programs.publish(p.tenantId, body.document, p.actor, at, body.basedOnVersion, (v) => [
      deps.audit.item(p, { at, action: 'program.publish', target: 'program', before: { version: v - 1 }, after: { version: v } }),
    ]);
    return { version, document: body.document, publishedBy: p.actor, publishedAt: at };
  } catch (e) {
    if (e instanceof ProgramVersionConflictError) {
      throw new ConflictError('version_conflict', `basedOnVersion: the program is at version ${e.current} now; reload and apply your change to it`, 'basedOnVersion');
    }
    throw e;
  }
}

/**
 * Where the program in force says `simulation.requiredBeforePublish`, a draft is published only
 * after a finished simulation of exactly that document (lib/app/simulations.ts).
 */
async function requireSimulationIfAsked(deps: Deps, tenantId: string, document: unknown): Promise<void> {
  const current = await deps.programs.currentStored(tenantId);
  if (!current) return;
  const { parseProgram } = await loadProgramParser();
  const parsed = parseProgram(current.document);
  if (!parsed.ok || !parsed.program.simulation?.requiredBeforePublish) return;
  if (await simulationRepository(deps.db).finishedFor(tenantId, draftHash(document))) return;
  throw new RuleViolationError(
    'simulation_required',
    'document: the program in force requires a finished simulation of this exact draft before it is published (simulation.requiredBeforePublish); start one with POST /v1/simulations',
    'document',
  );
}

export async function programVersion(deps: Deps, p: Principal, raw: string) {
  const version = Number(raw);
  if (!Number.isSafeInteger(version) || version < 1) throw new InvalidRequestError('version: must be a positive integer', 'version');
  const s = await deps.programs.version(p.tenantId, version);
  if (!s) throw new NotFoundError(`program version ${version}`, 'version');
  return s;
}

export async function programVersions(deps: Deps, p: Principal) {
  return { versions: await deps.programs.versions(p.tenantId, 100) };
}

export async function auditMonth(deps: Deps, p: Principal, q: { month?: string | undefined; limit: number; cursor?: string | undefined }) {
  const month = q.month ?? deps.clock().toISOString().slice(0, 7);
  const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor, (sk) => sk.startsWith(month));
  const page = await deps.audit.month(p.tenantId, month, q.limit, after);
  return {
    month,
    records: page.records,
    nextCursor: page.nextSk ? encodeCursor(page.nextSk) : null,
  };
}
