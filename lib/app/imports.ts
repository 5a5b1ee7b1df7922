/**
 * Import use cases: read a chain's member file (a migration) or product file (the catalog) — CSV
 * or JSON Lines, streamed — bring each member in with one all-or-nothing transaction (each
 * product with one conditional put), record every refused row, checkpoint as it goes so an
 * interrupted import resumes where it stopped, and show the progress.
 * Primary adapters: `npm run import` (local/import.ts), the import worker (functions/workers/
 * imports.ts); the routes' use cases (GET/POST /v1/imports) are ./import-requests.ts. Secondary:
 * lib/storage/imports.ts, the import bucket. Reading the file: ./import-source.ts.
 */
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { migrateMember, type MigratedMember } from '#domain/imports.ts';
import { IMPORT_LIMITS, type ImportFormat, type ImportKind, type RowIssue } from '#domain/import-kinds.ts';
import { parseProductRow, type Product } from '#domain/catalog.ts';
import { productHash } from './catalog.ts';
import { ImportFileError, recordsOf, type SourceRecord } from './import-source.ts';
import type { Program } from '#domain/program.ts';
import type { CustomerRecord, LedgerRow } from '../storage/customers.ts';
import type { ImportProgress, MemberWrite } from '../storage/imports.ts';
import { newReferralCode } from './customers.ts';
import { requireProgram } from './program-in-force.ts';
import type { Deps } from './deps.ts';
import { parseObjectKey, reportKey } from '../storage/import-bucket.ts';
import type { ImportFiles } from '../storage/import-files.ts';
import { requestHash } from './idempotency.ts';
import { fileTooBig, nothingDone } from './import-requests.ts';

const csvCell = (v: string | number) => {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** The error report: one CSV line per problem (row, field, rule), refused rows in file order. */
export async function* errorReport(deps: Deps, tenantId: string, importId: string): AsyncGenerator<string> {
  yield 'row,field,rule\n';
  for await (const e of deps.imports.allErrors(tenantId, importId)) {
    for (const i of e.issues) yield `${csvCell(e.row)},${csvCell(i.field)},${csvCell(i.rule)}\n`;
  }
}

export interface ImportRun {
  readonly tenantId: string;
  readonly importId: string;
  /** What the file brings; members unless said. */
  readonly kind?: ImportKind;
  readonly format: ImportFormat;
  /** The file's name locally, its object key in AWS. */
  readonly source: string;
  readonly bytesTotal: number | null;
  /** Opens the file from its start (a resume reads past the rows already done). */
  readonly open: () => Promise<Readable> | Readable;
  /** Writes the error report and says where it is. */
  readonly writeReport: (lines: AsyncIterable<string>) => Promise<string>;
  /** Who runs it: the ledger's actor and the lease owner's prefix. */
  readonly actor: string;
  /** Take the import even if another run's lease has not run out (that run is known to be dead). */
  readonly takeover?: boolean;
  /** How long a lease lasts past each checkpoint. */
  readonly leaseMs?: number;
  readonly chunkSize?: number;
  readonly concurrency?: number;
  /** Asked after each chunk: true stops cleanly at the checkpoint (a worker near its timeout, Ctrl-C). */
  readonly shouldStop?: () => boolean;
  readonly onProgress?: (p: ImportProgress) => void;
}

export type ImportOutcome =
  | { readonly state: 'finished'; readonly progress: ImportProgress }
  /** Stopped at a checkpoint; running it again resumes after it. */
  | { readonly state: 'stopped'; readonly progress: ImportProgress }
  /** Another run holds the import (its lease has not run out). */
  | { readonly state: 'busy'; readonly progress: ImportProgress };

const TRIES_PER_ROW = 8;

/**
 * Runs (or resumes) a member import to its end, or until `shouldStop`. Rows stream through up to
 * `concurrency` transactions at once, without a barrier between chunks; rows that share a card,
 * phone or referral code wait for one another, in file order, so which of two clashing rows wins
 * never depends on timing. Whenever every row up to some point is finished and that point is
 * `chunkSize` rows past the checkpoint, the refused rows up to it are stored and the checkpoint
 * moves there, with those rows' counts, in one conditional write. A crash redoes what followed the
 * checkpoint, which the idempotency records make harmless and the counts do not see twice.
 */

export async function runImport(deps: Deps, run: ImportRun): Promise<ImportOutcome> {
  const { tenantId, importId } = run;
  const kind = run.kind ?? 'members';
  const leaseMs = run.leaseMs ?? 60_000;
  const chunkSize = run.chunkSize ?? 500;
  const concurrency = run.concurrency ?? 16;
  const owner = `${run.actor}#${randomBytes(6).toString('base64url')}`;
  // Members join the program in force; products need none.
  const program = kind === 'members' ? (await requireProgram(deps, tenantId)).program : undefined;
  const started = deps.clock();
  await deps.imports.create(
    {
      tenantId,
      importId,
      kind,
      format: run.format,
      source: run.source,
      status: 'running',
      ...nothingDone(run.bytesTotal),
      createdAt: started.toISOString(),
      createdBy: run.actor,
      updatedAt: started.toISOString(),
    },
    started,
  );
  const claimed = await deps.imports.claim(tenantId, importId, owner, started, new Date(started.getTime() + leaseMs), run.bytesTotal, run.takeover);
  if (!claimed) {
    const p = (await deps.imports.get(tenantId, importId))!;
    return p.status === 'done' || p.status === 'failed' ? { state: 'finished', progress: p } : { state: 'busy', progress: p };
  }
  if (run.bytesTotal !== null && run.bytesTotal > IMPORT_LIMITS.maxFileBytes) {
    return refuseFile(deps, run, owner, fileTooBig, 'limit_exceeded');
  }

  const at = () => deps.clock();
  const rows = new RowPipeline(concurrency, claimed.rowsDone);
  let done = claimed.rowsDone;
  let lastSeq = done;
  let current = claimed;
  let since = performance.now();
  // The tills look SKUs up only once a tenant has a catalog.
  if (kind === 'products') await deps.catalog.putMarker(tenantId, started.toISOString());
  const input = await run.open();
  const records = recordsOf(run.format, input, kind);

  /** Moves the checkpoint to `to` (every row up to it finished); false if another runner took the import. */
  const checkpoint = async (to: number): Promise<boolean> => {
    if (to <= done) return true;
    const finished = rows.take(done, to);
    const errors = finished.flatMap(({ rec, outcome }) => (outcome.kind === 'refused' ? [{ seq: rec.seq, row: rec.row, issues: outcome.issues }] : []));
    const imported = finished.filter((f) => f.outcome.kind === 'imported').length;
    const alreadyImported = finished.filter((f) => f.outcome.kind === 'already').length;
    const now = at();
    await Promise.all(errors.map((e) => deps.imports.putError(tenantId, importId, e, now)));
    const bytes = finished.at(-1)!.rec.bytes;
    const activeMs = performance.now() - since;
    const moved = await deps.imports.checkpoint(
      tenantId,
      importId,
      owner,
      { from: done, to, imported, alreadyImported, refused: errors.length, bytesDone: bytes, activeMs },
      now,
      new Date(now.getTime() + leaseMs),
    );
    if (!moved) return false;
    since = performance.now();
    done = to;
    current = {
      ...current,
      rowsDone: to,
      imported: current.imported + imported,
      alreadyImported: current.alreadyImported + alreadyImported,
      refused: current.refused + errors.length,
      bytesDone: bytes,
      activeMs: current.activeMs + Math.round(activeMs),
      updatedAt: now.toISOString(),
    };
    run.onProgress?.(current);
    return true;
  };
  /** Another runner took the import: let this run's rows in flight finish, then leave it to that one. */
  const busy = async (): Promise<ImportOutcome> => {
    input.destroy();
    await rows.settle();
    return { state: 'busy', progress: (await deps.imports.get(tenantId, importId))! };
  };

  try {
    for await (const r of records) {
      lastSeq = r.seq;
      if (r.seq <= done) continue;
      const now = at();
      rows.start(r, r.issues ? { issues: r.issues } : program ? memberRow(deps, program, run, r, now) : productRow(deps, run, r, now));
      // Read no further ahead of the checkpoint than two chunks.
      await rows.until(() => r.seq - rows.frontier < 2 * chunkSize);
      if (rows.frontier - done < chunkSize) continue;
      if (!(await checkpoint(rows.frontier))) return await busy();
      if (run.shouldStop?.()) {
        input.destroy();
        await rows.drain();
        if (!(await checkpoint(rows.frontier))) return await busy();
        await deps.imports.release(tenantId, importId, owner, at());
        return { state: 'stopped', progress: current };
      }
    }
    await rows.drain();
    if (!(await checkpoint(rows.frontier))) return await busy();
  } catch (e) {
    input.destroy();
    // Rows in flight finish first, so nothing of this run writes after it has returned.
    await rows.settle();
    if (e instanceof ImportFileError) {
      if (!(await checkpoint(rows.frontier))) return await busy();
      return refuseFile(deps, run, owner, e.message, e.code);
    }
    throw e;
  }

  // Every row is done: write the report from the stored refusals (complete even after resumes).
  await deps.imports.setStatus(tenantId, importId, owner, 'writingReport', at(), { rowsTotal: lastSeq, bytesDone: run.bytesTotal ?? current.bytesDone });
  const report = current.refused > 0 ? await run.writeReport(errorReport(deps, tenantId, importId)) : undefined;
  await deps.imports.setStatus(tenantId, importId, owner, 'done', at(), { finished: true, ...(report ? { report } : {}) });
  const progress = (await deps.imports.get(tenantId, importId))!;
  run.onProgress?.(progress);
  return { state: 'finished', progress };
}

async function refuseFile(deps: Deps, run: ImportRun, owner: string, message: string, code: string): Promise<ImportOutcome> {
  await deps.imports.setStatus(run.tenantId, run.importId, owner, 'failed', deps.clock(), { failure: { code, message }, finished: true });
  return { state: 'finished', progress: (await deps.imports.get(run.tenantId, run.importId))! };
}

/**
 * Rows in flight: at most `concurrency` writes at once, each row after the earlier rows that
 * share one of its identifiers, and the frontier — the last row up to which every row finished.
 */
class RowPipeline {
  frontier: number;
  private readonly finished = new Map<number, { rec: SourceRecord; outcome: RowOutcome }>();
  private readonly inFlight = new Set<Promise<void>>();
  /** The latest row's task for each identifier, so a later row with it waits for that one. */
  private readonly holders = new Map<string, Promise<void>>();
  private writing = 0;
  private readonly queued: Array<() => void> = [];
  private waiters: Array<() => void> = [];
  private failure: { error: unknown } | undefined;
  private readonly concurrency: number;

  constructor(concurrency: number, from: number) {
    this.concurrency = concurrency;
    this.frontier = from;
  }

  /** A refused row is finished at once; an accepted one is written when its identifiers and a slot are free. */
  start(rec: SourceRecord, plan: RowPlan): void {
    if ('issues' in plan) return this.finish(rec, { kind: 'refused', issues: plan.issues });
    const { ids, write } = plan;
    const before = ids.flatMap((k) => this.holders.get(k) ?? []);
    const task = (async () => {
      await Promise.all(before);
      await this.slot();
      try {
        this.finish(rec, await write());
      } finally {
        // The slot goes straight to the next row waiting for one, or back to the pool.
        const next = this.queued.shift();
        if (next) next();
        else this.writing -= 1;
      }
    })().catch((error: unknown) => {
      this.failure ??= { error };
      this.wake();
    });
    for (const k of ids) this.holders.set(k, task);
    this.inFlight.add(task);
    void task.then(() => {
      this.inFlight.delete(task);
      for (const k of ids) if (this.holders.get(k) === task) this.holders.delete(k);
      this.wake();
    });
  }

  /** The finished rows after `from` up to `to`, in file order, forgotten here. */
  take(from: number, to: number): Array<{ rec: SourceRecord; outcome: RowOutcome }> {
    const out = [];
    for (let seq = from + 1; seq <= to; seq++) {
      out.push(this.finished.get(seq)!);
      this.finished.delete(seq);
    }
    return out;
  }

  /** Waits until `ready()` holds; throws the first failure of a row. */
  async until(ready: () => boolean): Promise<void> {
    while (!this.failure && !ready()) await new Promise<void>((r) => this.waiters.push(r));
    if (this.failure) throw this.failure.error;
  }

  /** Waits for every row in flight; throws the first failure. */
  drain(): Promise<void> {
    return this.until(() => this.inFlight.size === 0);
  }

  /** Waits for every row in flight, failed or not. */
  async settle(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }

  private finish(rec: SourceRecord, outcome: RowOutcome): void {
    this.finished.set(rec.seq, { rec, outcome });
    while (this.finished.has(this.frontier + 1)) this.frontier += 1;
    this.wake();
  }

  private async slot(): Promise<void> {
    if (this.writing < this.concurrency) this.writing += 1;
    else await new Promise<void>((r) => this.queued.push(r));
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

type RowOutcome = { kind: 'imported' } | { kind: 'already' } | { kind: 'refused'; issues: readonly RowIssue[] };

/** What to do with a row: refuse it, or write it once the rows before it that share one of `ids` are done. */
type RowPlan = { readonly issues: readonly RowIssue[] } | { readonly ids: readonly string[]; readonly write: () => Promise<RowOutcome> };

function memberRow(deps: Deps, program: Program, run: ImportRun, rec: SourceRecord, now: Date): RowPlan {
  const checked = migrateMember(program, rec.value, now);
  if (!checked.ok) return { issues: checked.issues };
  const m = checked.member;
  const ids = [`card:${m.card}`, ...(m.phone ? [`phone:${m.phone}`] : []), ...(m.referralCode ? [`ref:${m.referralCode}`] : [])];
  return { ids, write: () => writeMember(deps, program, run, rec, m, now) };
}

/** A product row: the same rules as PUT /v1/catalog/{sku}; rows of one SKU are written in file order (the last wins). */
function productRow(deps: Deps, run: ImportRun, rec: SourceRecord, now: Date): RowPlan {
  const checked = parseProductRow(rec.value);
  if (!checked.ok) return { issues: checked.issues };
  const p = checked.product;
  return { ids: [`sku:${p.sku}`], write: () => writeProduct(deps, run, rec, p, now) };
}

/** Puts the product unless the catalog has it with the same content: then it was imported before (or by this row before a crash). */
async function writeProduct(deps: Deps, run: ImportRun, rec: SourceRecord, p: Product, now: Date): Promise<RowOutcome> {
  const w = await deps.catalog.putIfChanged(run.tenantId, { ...p, hash: productHash(p), updatedAt: now.toISOString(), source: { importId: run.importId, row: rec.row } });
  if (w.outcome === 'written') return { kind: 'imported' };
  const s = w.source;
  return 'importId' in s && s.importId === run.importId && s.row === rec.row ? { kind: 'imported' } : { kind: 'already' };
}

const identifierField = { card: 'card', phone: 'phone', referral: 'referralCode' } as const;

async function writeMember(deps: Deps, program: Program, run: ImportRun, rec: SourceRecord, m: MigratedMember, now: Date): Promise<RowOutcome> {
  const at = now.toISOString();
  const rowHash = requestHash(m.normalized);
  for (let attempt = 0; attempt < TRIES_PER_ROW; attempt++) {
    // A code the program issues (none was given) may collide with another member's; draw again then.
    const referralCode = m.referralCode ?? (program.referral ? newReferralCode() : undefined);
    const customerId = `c_${randomBytes(12).toString('base64url')}`;
    const record: CustomerRecord = {
      tenantId: run.tenantId,
      profile: { customerId, card: m.card, phone: m.phone, ...m.profile, createdAt: at, referralCode, importId: run.importId },
      account: m.account,
      staffTier: m.staffTierId ? { tierId: m.staffTierId, by: run.actor, at, reason: `migrated (import ${run.importId})` } : undefined,
      ledgerSeq: 1,
      version: 1,
      pendingReferrals: [],
    };
    const entry: LedgerRow = { ...m.entry, seq: 1, at, source: { importId: run.importId, actor: run.actor, reason: 'migrated' } };
    const w: MemberWrite = await deps.imports.writeMember(record, entry, { importId: run.importId, row: rec.row, rowHash }, now);
    switch (w.outcome) {
      case 'imported':
        return { kind: 'imported' };
      case 'already':
        // This import's own write before a crash counts as imported, once; anything else was there before.
        return w.importId === run.importId && w.row === rec.row ? { kind: 'imported' } : { kind: 'already' };
      case 'changed':
        return {
          kind: 'refused',
          issues: [
            {
              field: 'card',
              rule:
                w.importId === run.importId
                  ? `appears earlier in this file with different data (row ${w.row})`
                  : `was imported before with different data (import ${w.importId}, row ${w.row}); change the member through the API instead`,
            },
          ],
        };
      case 'taken':
        if (w.kind === 'referral' && m.referralCode === undefined) continue;
        return { kind: 'refused', issues: [{ field: identifierField[w.kind], rule: 'already belongs to another member (identifiers are never merged)' }] };
      case 'race':
        await new Promise((r) => setTimeout(r, 5 + Math.random() * 20 * (attempt + 1)));
        continue;
    }
  }
  throw new Error(`row ${rec.row}: could not be written after ${TRIES_PER_ROW} tries (the same identifiers kept changing)`);
}

/** A worker stops at a checkpoint when less than this is left before its timeout, and goes on in a new run. */
export const STOP_MARGIN_MS = 120_000;

/** Rows per checkpoint in the worker (a redelivery redoes at most this many); an environment knob for tests. */
const workerChunkRows = () => Number(process.env.IMPORT_CHUNK_ROWS ?? 500);

export type BucketImportResult =
  | { readonly ignored: string }
  | { readonly importId: string; readonly state: ImportOutcome['state']; readonly status: string; readonly rowsDone: number };

/**
 * The import worker's use case: the file at `key` in the import bucket is imported (or resumed
 * from its checkpoint). Near the end of the worker's time it stops at a checkpoint and asks for
 * a continuation, so a file of any size within the limit finishes over several runs; if the
 * worker dies instead, the queue's redelivery resumes it after the lease runs out.
 */
export async function importFromBucket(
  deps: Deps,
  bucket: ImportFiles,
  key: string,
  opts: { remainingMs: () => number; continueLater: () => Promise<void> },
): Promise<BucketImportResult> {
  const named = parseObjectKey(key);
  if (!named) return { ignored: `not an import file: ${key}` };
  const program = await deps.programs.current(named.tenantId);
  if (!program) return { ignored: `tenant ${named.tenantId} has no program` };
  // POST /v1/imports recorded what the file brings; a file put there without it is members.
  const kind = (await deps.imports.get(named.tenantId, named.importId))?.kind ?? 'members';
  const file = await bucket.open(key);
  const outcome = await runImport(deps, {
    ...named,
    kind,
    source: key,
    bytesTotal: file.bytes,
    open: () => file.body,
    writeReport: async (lines) => {
      const at = reportKey(named.tenantId, named.importId);
      await bucket.write(at, lines, 'text/csv; charset=utf-8');
      return at;
    },
    actor: 'import-worker',
    // The lease outlives this run by a minute: a dead worker's import waits that long, no longer.
    leaseMs: opts.remainingMs() + 60_000,
    chunkSize: workerChunkRows(),
    shouldStop: () => opts.remainingMs() < STOP_MARGIN_MS,
  }).finally(() => file.body.destroy());
  if (outcome.state === 'stopped') await opts.continueLater();
  return { importId: named.importId, state: outcome.state, status: outcome.progress.status, rowsDone: outcome.progress.rowsDone };
}
