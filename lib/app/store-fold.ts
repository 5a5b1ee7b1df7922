/**
 * The nightly fold of the till's store figures (domain/insight.ts `deferStores`): the stream counts
 * a chain's receipts, returns and their ledger entries under UNFOLDED (`*`) and logs their split
 * by store, one log per range (storage/insight.ts); once a UTC day's logs are complete this moves
 * each store's part of them from `*` to the store, in the counters' own transactions. A store's
 * figures then cost one write per counter item per day, however many batches its receipts came in.
 *
 * Counted once: a day's logs no longer change once the day is over by more than a stream
 * consumer's invocation can run (FOLD_AFTER_MS), so a day's moves are the same on every run; each is a change
 * with its own id (tenant, day, store) through `apply`, so a run that stopped half way and runs
 * again skips what was moved. Every move takes from `*` what it gives the store, in one
 * transaction: the store rows and `*` always add up to the chain's figures.
 */
import { foldMoves } from '#domain/insight.ts';
import { daysBefore, nextDay } from '#domain/day-insight.ts';
import type { ReadStats, SourceChange } from '../storage/insight.ts';
import type { Deps } from './deps.ts';

const DAY_MS = 86_400_000;
/** A day's logs are complete this long after it ended: a log is named by the day its invocation started, and the report counters' invocation times out after 60 s. */
export const FOLD_AFTER_MS = 20 * 60_000;
/** The first fold of a tenant starts this many days back (logs are kept 10). */
const FIRST_FOLD_DAYS = 3;
/** Days one run folds at most (a job that was stopped catches up over several runs). */
const MAX_DAYS_PER_RUN = 7;

export interface FoldResult {
  readonly tenantId: string;
  /** The UTC days folded now, the store moves they made and the logs they read. */
  readonly days: string[];
  readonly stores: number;
  readonly logs: number;
}

/** Folds every UTC day of a tenant's logs that is complete and not folded yet, oldest first. */
export async function foldStoreFigures(deps: Pick<Deps, 'insight' | 'clock'>, tenantId: string): Promise<FoldResult> {
  const now = deps.clock();
  const lastComplete = new Date(now.getTime() - FOLD_AFTER_MS - DAY_MS).toISOString().slice(0, 10);
  const through = (await deps.insight.foldedThrough(tenantId)) ?? daysBefore(lastComplete, FIRST_FOLD_DAYS);
  const out = { tenantId, days: [] as string[], stores: 0, logs: 0 };
  for (let day = nextDay(through); day <= lastComplete && out.days.length < MAX_DAYS_PER_RUN; day = nextDay(day)) {
    const stats: ReadStats = { queries: 0, items: 0 };
    const moves = foldMoves(await deps.insight.logs(tenantId, day, stats));
    // In store order, the same on every run: a run again walks the ranges the first one wrote.
    const changes: SourceChange[] = [...moves.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([store, increments]) => ({ id: `FOLD|${tenantId}|${day}|${store}`, tenantId, increments }));
    await deps.insight.apply(changes, now);
    await deps.insight.setFoldedThrough(tenantId, day, now);
    out.days.push(day);
    out.stores += changes.length;
    out.logs += stats.items;
  }
  return out;
}
