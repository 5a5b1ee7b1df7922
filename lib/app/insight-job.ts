/**
 * The nightly insight job. Once a day, per tenant, the previous UTC day's receipts are read
 * through the history reader (the simulator's: every receipt of the day, shard by shard of
 * customers; each receipt once, by store and receipt id), and two bounded items are written
 * (domain/day-insight.ts): revenue by SKU (top N) and category, and the receipts that followed
 * each coupon or journey send. Nothing on the till's path, no counter write per receipt: a day
 * costs two item writes, plus two small Queries per customer who bought that day (their sends
 * of the last 90 days). The reports that read them: lib/app/day-insight.ts.
 */
import { daysBefore, daySales, dayTouches, MAX_ATTRIBUTION_DAYS, nextDay, type Touch } from '#domain/day-insight.ts';
import type { ReplayReceipt, ReplayReturn } from '#domain/simulation.ts';
import { HISTORY_SHARDS, type HistoryReader } from '../storage/history.ts';
import type { ReadStats } from '../storage/insight.ts';
import type { Deps } from './deps.ts';

const DAY_MS = 86_400_000;
/** Customers whose sends are read at once. */
const CONCURRENCY = 8;

export interface DaySummary {
  readonly tenantId: string;
  readonly day: string;
  readonly receipts: number;
  readonly returns: number;
  readonly customers: number;
  readonly skipped?: string;
}

/** Sums one UTC day of a tenant's receipts and writes the two day items (a rerun replaces them). */
export async function summarizeDay(deps: Pick<Deps, 'dayInsight' | 'clock'>, history: HistoryReader, tenantId: string, timeZone: string, day: string): Promise<DaySummary> {
  const [from, to] = [`${day}T00:00:00.000Z`, `${nextDay(day)}T00:00:00.000Z`];
  // A reader may hand the same receipt or return to more than one shard (day files are not split by customer): once each.
  const receipts = new Map<string, ReplayReceipt>();
  const returns = new Map<string, ReplayReturn>();
  for (let shard = 0; shard < HISTORY_SHARDS; shard++) {
    for (const e of (await history.shard(tenantId, shard, from, to)).events) {
      if (e.type === 'receipt') receipts.set(`${e.storeId}#${e.receiptId}`, e);
      else returns.set(`${e.storeId}#${e.returnId}`, e);
    }
  }
  const list = [...receipts.values()];
  const back = [...returns.values()];
  // A customer's sends from MAX_ATTRIBUTION_DAYS before the earliest purchase of theirs the day
  // touches: a receipt of the day, or the receipt one of the day's returns took back.
  const earliest = new Map<string, number>();
  for (const r of list) earliest.set(r.customerId, Math.min(earliest.get(r.customerId) ?? Infinity, Date.parse(from)));
  for (const r of back) if (r.receiptOccurredAt) earliest.set(r.customerId, Math.min(earliest.get(r.customerId) ?? Infinity, r.receiptOccurredAt.getTime(), Date.parse(from)));
  const sends = new Map<string, Touch[]>();
  const stats: ReadStats = { queries: 0, items: 0 };
  const customers = [...earliest];
  for (let i = 0; i < customers.length; i += CONCURRENCY) {
    await Promise.all(
      customers.slice(i, i + CONCURRENCY).map(async ([c, first]) => sends.set(c, await deps.dayInsight.sendsOf(tenantId, c, new Date(first - MAX_ATTRIBUTION_DAYS * DAY_MS).toISOString(), to, stats))),
    );
  }
  const at = deps.clock().toISOString();
  await deps.dayInsight.putDay(tenantId, 'sales', day, daySales(list, back), at);
  await deps.dayInsight.putDay(tenantId, 'touches', day, dayTouches(list, (c) => sends.get(c) ?? [], timeZone, undefined, back), at);
  return { tenantId, day, receipts: list.length, returns: back.length, customers: customers.length };
}

/**
 * The job: for every tenant (or one), yesterday (UTC) once — the hourly schedule's first tick
 * after midnight does it, later ticks skip it — or, by hand, the day given (always).
 */
export async function runInsightJob(deps: Pick<Deps, 'jobs' | 'dayInsight' | 'clock'>, history: HistoryReader, req: { day?: string | undefined; tenantId?: string | undefined } = {}) {
  const all = await deps.jobs.tenants();
  const tenants = req.tenantId ? all.filter((t) => t.tenantId === req.tenantId) : all;
  const day = req.day ?? daysBefore(deps.clock().toISOString().slice(0, 10), 1);
  const report: { job: 'insight'; day: string; tenants: DaySummary[] } = { job: 'insight', day, tenants: [] };
  for (const t of tenants) {
    if (!req.day && (await deps.jobs.ranOn(t.tenantId, 'insight', day))) {
      report.tenants.push({ tenantId: t.tenantId, day, receipts: 0, returns: 0, customers: 0, skipped: 'already ran for this day' });
      continue;
    }
    report.tenants.push(await summarizeDay(deps, history, t.tenantId, t.timeZone, day));
    if (!req.day) await deps.jobs.markRun(t.tenantId, 'insight', day, deps.clock().toISOString());
  }
  return report;
}

