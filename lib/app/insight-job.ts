/**
 * The nightly insight job. Once a day, per tenant, the previous UTC day's receipts and returns are
 * read from the history bucket's day files and two bounded items are written
 * (domain/day-insight.ts): revenue by SKU and category, and the receipts that followed each
 * coupon or journey send, both net of the day's returns. Nothing on the till's path, no counter
 * write per receipt: a day costs two item writes, plus two small Queries per customer who bought
 * or returned that day (their sends of the 90 days before). The reports that read them:
 * lib/app/day-insight.ts.
 *
 * A day is summed in parts, one sixteenth of its customers each (the history reader's shards:
 * every receipt and return of a customer is in one part, so each is kept once within its part,
 * and nothing needs to be remembered across parts but the totals). Between parts, when time runs
 * short or a while has passed since the last save, the totals so far and the next part are saved
 * on condition that no other runner saved first (storage/day-insight.ts); a runner that loses that
 * race stops. When time runs short the job hands the rest to its continuation (the simulation
 * worker's queue, whose worker runs the same code with 15 minutes), which resumes from the save.
 * So a part that runs twice (a redelivered continuation, a retried invocation) adds nothing twice,
 * and a day split across invocations comes out as in one.
 *
 * Every run (hourly) also folds the till's store figures of the UTC days that are complete
 * (lib/app/store-fold.ts): a GetItem per tenant when there is nothing to fold.
 */
import { daysBefore, emptyTally, nextDay, salesOf, tallySales, tallyTouches, touchesOf, MAX_ATTRIBUTION_DAYS, type DayTally, type Touch } from '#domain/day-insight.ts';
import type { ReplayReceipt, ReplayReturn } from '#domain/simulation.ts';
import { HISTORY_SHARDS, type HistoryReader } from '../storage/history.ts';
import type { ReadStats } from '../storage/insight.ts';
import { shardOf } from '../storage/keys.ts';
import type { Deps } from './deps.ts';
import { foldStoreFigures, type FoldResult } from './store-fold.ts';

const DAY_MS = 86_400_000;
/** Customers whose sends are read at once. */
const CONCURRENCY = 16;
/** Parts of a day: the history reader's shards of customers. */
export const INSIGHT_PARTS = HISTORY_SHARDS;
/**
 * A runner starts another part only with this much time left (the jobs function has 5 minutes,
 * the continuation 15); the first part of an invocation always runs. A part must so fit in this
 * time: measured, a sixteenth of a day of 500,000 buyers (README "The insight job in parts").
 */
export const INSIGHT_STOP_BEFORE_TIMEOUT_MS = 120_000;
/** Totals are saved after a part once this long has passed since the last save (a timeout loses no more). */
const SAVE_EVERY_MS = 30_000;

/** Where a continuation takes up a run: the day, the run, and (by hand) one tenant. */
export interface InsightWork {
  readonly kind: 'insight';
  readonly day: string;
  readonly run: string;
  readonly tenantId?: string | undefined;
}

export interface InsightBudget {
  /** Time left in this invocation. */
  readonly remainingMs: () => number;
  /** Elapsed time (tests step it). */
  readonly now?: () => number;
}

export interface DaySummary {
  readonly tenantId: string;
  readonly day: string;
  readonly receipts: number;
  readonly returns: number;
  readonly customers: number;
  /** Parts summed by this invocation. */
  readonly parts?: number;
  /** done: the day items are written; continue: time ran short, the rest is saved; superseded: another runner went on. */
  readonly outcome?: 'done' | 'continue' | 'superseded';
  readonly skipped?: string;
}

const unlimited: InsightBudget = { remainingMs: () => Number.POSITIVE_INFINITY };

/** One part (a sixteenth of the day's customers) added to `tally`; counts of what it held. */
async function sumPart(deps: Pick<Deps, 'dayInsight'>, history: HistoryReader, tally: DayTally, tenantId: string, timeZone: string, day: string, part: number) {
  const [from, to] = [`${day}T00:00:00.000Z`, `${nextDay(day)}T00:00:00.000Z`];
  // Each receipt and return once, and only this part's customers (a reader handing over more
  // than its shard must not make a receipt count in two parts).
  const receipts = new Map<string, ReplayReceipt>();
  const returns = new Map<string, ReplayReturn>();
  for (const e of (await history.shard(tenantId, part, from, to)).events) {
    if (shardOf(e.customerId, INSIGHT_PARTS) !== part) continue;
    if (e.type === 'receipt') receipts.set(`${e.storeId}#${e.receiptId}`, e);
    else returns.set(`${e.storeId}#${e.returnId}`, e);
  }
  const [list, back] = [[...receipts.values()], [...returns.values()]];
  // A customer's sends from MAX_ATTRIBUTION_DAYS before the earliest purchase of theirs the day
  // touches: a receipt of the day, or the receipt one of the day's returns took back.
  const earliest = new Map<string, number>();
  for (const r of list) earliest.set(r.customerId, Math.min(earliest.get(r.customerId) ?? Infinity, Date.parse(from)));
  for (const r of back) earliest.set(r.customerId, Math.min(earliest.get(r.customerId) ?? Infinity, r.receiptOccurredAt?.getTime() ?? Infinity, Date.parse(from)));
  const sends = new Map<string, Touch[]>();
  const stats: ReadStats = { queries: 0, items: 0 };
  const customers = [...earliest];
  for (let i = 0; i < customers.length; i += CONCURRENCY) {
    await Promise.all(
      customers.slice(i, i + CONCURRENCY).map(async ([c, first]) => sends.set(c, await deps.dayInsight.sendsOf(tenantId, c, new Date(first - MAX_ATTRIBUTION_DAYS * DAY_MS).toISOString(), to, stats))),
    );
  }
  tallySales(tally, list, back);
  tallyTouches(tally, list, back, (c) => sends.get(c) ?? [], timeZone);
  return { receipts: list.length, returns: back.length, customers: customers.length };
}

/**
 * Sums one UTC day of a tenant under `run`, part by part, from where that run saved last (a new
 * run starts over), and writes the two day items when the last part is in (a rerun replaces them).
 */
export async function summarizeDay(
  deps: Pick<Deps, 'dayInsight' | 'clock'>,
  history: HistoryReader,
  tenantId: string,
  timeZone: string,
  day: string,
  run = `hand-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
  budget: InsightBudget = unlimited,
): Promise<DaySummary> {
  const now = budget.now ?? Date.now;
  const saved = await deps.dayInsight.run(tenantId, day);
  let prev = saved?.run.version ?? null;
  const mine = saved?.run.run === run;
  if (mine && saved.run.done) return { tenantId, day, receipts: saved.run.receipts, returns: saved.run.returns, customers: saved.run.customers, parts: 0, outcome: 'done', skipped: 'already summed by this run' };
  let part = mine ? saved.run.part : 0;
  const tally = (mine ? saved.tally : null) ?? emptyTally();
  const counts = mine ? { receipts: saved.run.receipts, returns: saved.run.returns, customers: saved.run.customers } : { receipts: 0, returns: 0, customers: 0 };
  let [parts, lastSave, dirty] = [0, now(), false];
  const summary = (outcome: DaySummary['outcome']): DaySummary => ({ tenantId, day, ...counts, parts, outcome });
  const save = async () => {
    if (!(await deps.dayInsight.checkpoint(tenantId, day, prev, { run, part, ...counts }, tally, deps.clock().toISOString()))) return false;
    prev = (prev ?? 0) + 1;
    [lastSave, dirty] = [now(), false];
    return true;
  };
  for (; part < INSIGHT_PARTS; ) {
    if (parts > 0 && budget.remainingMs() < INSIGHT_STOP_BEFORE_TIMEOUT_MS) {
      if (dirty && !(await save())) return summary('superseded');
      return summary('continue');
    }
    const c = await sumPart(deps, history, tally, tenantId, timeZone, day, part);
    counts.receipts += c.receipts;
    counts.returns += c.returns;
    counts.customers += c.customers;
    [part, parts, dirty] = [part + 1, parts + 1, true];
    if (part < INSIGHT_PARTS && now() - lastSave >= SAVE_EVERY_MS && !(await save())) return summary('superseded');
  }
  const done = await deps.dayInsight.finish(tenantId, day, prev, { run, part, ...counts }, salesOf(tally), touchesOf(tally), deps.clock().toISOString());
  return summary(done ? 'done' : 'superseded');
}

/**
 * The job: for every tenant (or one), yesterday (UTC) once — the hourly schedule's first tick
 * after midnight does it, later ticks skip it — or, by hand, the day given (always, as a new run).
 * A continuation (`work`) takes up its run where it was saved. When time runs short it hands the
 * rest (this tenant's remaining parts, and the tenants after it) to `continueLater`.
 */
export async function runInsightJob(
  deps: Pick<Deps, 'jobs' | 'dayInsight' | 'insight' | 'clock'>,
  history: HistoryReader,
  req: { day?: string | undefined; tenantId?: string | undefined; run?: string | undefined } = {},
  opts: InsightBudget & { continueLater?: (work: InsightWork) => Promise<void> } = unlimited,
) {
  const all = await deps.jobs.tenants();
  const tenants = req.tenantId ? all.filter((t) => t.tenantId === req.tenantId) : all;
  const day = req.day ?? daysBefore(deps.clock().toISOString().slice(0, 10), 1);
  const run = req.run ?? (req.day ? `hand-${deps.clock().toISOString()}-${Math.random().toString(36).slice(2, 8)}` : 'nightly');
  const nightly = run === 'nightly';
  const report: { job: 'insight'; day: string; run: string; continued: boolean; tenants: DaySummary[]; folds: FoldResult[] } = { job: 'insight', day, run, continued: false, tenants: [], folds: [] };
  for (const [i, t] of tenants.entries()) {
    const fold = await foldStoreFigures(deps, t.tenantId);
    if (fold.days.length) report.folds.push(fold);
    if (nightly && (await deps.jobs.ranOn(t.tenantId, 'insight', day))) {
      report.tenants.push({ tenantId: t.tenantId, day, receipts: 0, returns: 0, customers: 0, skipped: 'already ran for this day' });
      continue;
    }
    // Another tenant only with time for a part of it.
    const short = i > 0 && opts.remainingMs() < INSIGHT_STOP_BEFORE_TIMEOUT_MS;
    const s = short ? { tenantId: t.tenantId, day, receipts: 0, returns: 0, customers: 0, outcome: 'continue' as const } : await summarizeDay(deps, history, t.tenantId, t.timeZone, day, run, opts);
    report.tenants.push(s);
    if (s.outcome === 'continue') {
      if (!opts.continueLater) throw new Error('insight job: time ran short and nothing continues it');
      await opts.continueLater({ kind: 'insight', day, run, ...(req.tenantId ? { tenantId: req.tenantId } : {}) });
      report.continued = true;
      return report;
    }
    if (nightly && s.outcome === 'done') await deps.jobs.markRun(t.tenantId, 'insight', day, deps.clock().toISOString());
  }
  return report;
}
