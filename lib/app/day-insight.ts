/**
 * The nightly insight job and the reports that read what it keeps. Once a day, per tenant, the
 * previous UTC day's receipts are read through the history reader (the simulator's: every
 * receipt of the day, shard by shard of customers; each receipt once, by store and receipt id),
 * and two bounded items are written (domain/day-insight.ts): revenue by SKU (top N) and category,
 * and the receipts that followed each coupon or journey send. Nothing on the till's path, no
 * counter write per receipt: a day costs two item writes, plus two small Queries per customer
 * who bought that day (their sends of the last 90 days).
 *
 * Reports read the days of a period: one Query (a page per MB) per report and kind.
 */
import { daysBefore, daySales, dayTouches, MAX_ATTRIBUTION_DAYS, nextDay, type DaySales, type DayTouches, type Figures, type Touch } from '#domain/day-insight.ts';
import type { ReplayReceipt } from '#domain/simulation.ts';
import type { Principal } from '../storage/api-keys.ts';
import type { HistoryReader } from '../storage/history.ts';
import type { ReadStats } from '../storage/insight.ts';
import { HISTORY_SHARDS } from '../storage/keys.ts';
import { requireProgram } from './customers.ts';
import type { Deps } from './deps.ts';
import { InvalidRequestError, LimitExceededError } from './errors.ts';
import { checkDays } from './reports.ts';

const DAY_MS = 86_400_000;
/** Customers whose sends are read at once. */
const CONCURRENCY = 8;

export interface DaySummary {
  readonly tenantId: string;
  readonly day: string;
  readonly receipts: number;
  readonly customers: number;
  readonly skipped?: string;
}

/** Sums one UTC day of a tenant's receipts and writes the two day items (a rerun replaces them). */
export async function summarizeDay(deps: Pick<Deps, 'dayInsight' | 'clock'>, history: HistoryReader, tenantId: string, timeZone: string, day: string): Promise<DaySummary> {
  const [from, to] = [`${day}T00:00:00.000Z`, `${nextDay(day)}T00:00:00.000Z`];
  // A reader may hand the same receipt to more than one shard (day files are not split by customer): once each.
  const receipts = new Map<string, ReplayReceipt>();
  for (let shard = 0; shard < HISTORY_SHARDS; shard++) {
    for (const e of (await history.shard(tenantId, shard, from, to)).events) if (e.type === 'receipt') receipts.set(`${e.storeId}#${e.receiptId}`, e);
  }
  const list = [...receipts.values()];
  const customers = [...new Set(list.map((r) => r.customerId))];
  const sends = new Map<string, Touch[]>();
  const since = new Date(Date.parse(from) - MAX_ATTRIBUTION_DAYS * DAY_MS).toISOString();
  const stats: ReadStats = { queries: 0, items: 0 };
  for (let i = 0; i < customers.length; i += CONCURRENCY) {
    await Promise.all(customers.slice(i, i + CONCURRENCY).map(async (c) => sends.set(c, await deps.dayInsight.sendsOf(tenantId, c, since, to, stats))));
  }
  const at = deps.clock().toISOString();
  await deps.dayInsight.putDay(tenantId, 'sales', day, daySales(list), at);
  await deps.dayInsight.putDay(tenantId, 'touches', day, dayTouches(list, (c) => sends.get(c) ?? [], timeZone), at);
  return { tenantId, day, receipts: list.length, customers: customers.length };
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
      report.tenants.push({ tenantId: t.tenantId, day, receipts: 0, customers: 0, skipped: 'already ran for this day' });
      continue;
    }
    report.tenants.push(await summarizeDay(deps, history, t.tenantId, t.timeZone, day));
    if (!req.day) await deps.jobs.markRun(t.tenantId, 'insight', day, deps.clock().toISOString());
  }
  return report;
}

const reads = (s: ReadStats) => ({ queries: s.queries, items: s.items });
const addFigures = (into: Map<string, Figures>, key: string, f: Figures) => {
  const x = into.get(key) ?? { revenue: 0, quantityMilli: 0, receipts: 0 };
  x.revenue += f.revenue;
  x.quantityMilli += f.quantityMilli;
  x.receipts += f.receipts;
  into.set(key, x);
};
const ranked = (m: Map<string, Figures>) => [...m].sort(([a, x], [b, y]) => y.revenue - x.revenue || (a < b ? -1 : 1));
const view = (f: Figures, total: number) => ({ revenue: f.revenue, quantity: f.quantityMilli / 1000, receipts: f.receipts, shareBps: total ? Math.round((f.revenue * 10_000) / total) : 0 });

/**
 * Top SKUs and every category by members' revenue over UTC days `from`..`to`, from the nightly
 * day items: a SKU's figure adds up the days it was among that day's top MAX_TOP_SKUS.
 */
export async function productsReport(deps: Deps, p: Principal, q: { from: string; to: string; limit: number }) {
  checkDays(q.from, q.to);
  const { program } = await requireProgram(deps, p.tenantId);
  const stats: ReadStats = { queries: 0, items: 0 };
  const days = await deps.dayInsight.days<DaySales>(p.tenantId, 'sales', q.from, q.to, stats);
  const [skus, categories] = [new Map<string, Figures>(), new Map<string, Figures>()];
  let [receipts, revenue, otherCategories] = [0, 0, 0];
  for (const { body } of days) {
    receipts += body.receipts;
    revenue += body.revenue;
    otherCategories += body.otherCategories.revenue;
    for (const s of body.skus) addFigures(skus, s.sku, s);
    for (const c of body.categories) addFigures(categories, c.category, c);
  }
  const top = ranked(skus).slice(0, q.limit);
  const listed = top.reduce((s, [, f]) => s + f.revenue, 0);
  return {
    from: q.from,
    to: q.to,
    currency: program.currency,
    daysSummarized: days.length,
    lastSummarized: days.at(-1)?.day ?? null,
    total: { receipts, revenue },
    skus: top.map(([sku, f]) => ({ sku, ...view(f, revenue) })),
    otherSkus: { revenue: revenue - listed },
    categories: ranked(categories).map(([category, f]) => ({ category, ...view(f, revenue) })),
    otherCategories: { revenue: otherCategories },
    reads: reads(stats),
  };
}

/** Send days a campaigns report covers at most. */
export const MAX_CAMPAIGN_REPORT_DAYS = 92;

/**
 * Coupon campaigns and journey steps whose sends fell on `from`..`to` (program days): sent (from
 * the report counters), and within `days` days of each send the receipts its customer made, their
 * revenue and (coupons) the uses of the code sent — from the nightly day items of the UTC days
 * those receipts can fall on.
 */
export async function campaignsReport(deps: Deps, p: Principal, q: { from: string; to: string; days: number }) {
  checkDays(q.from, q.to);
  const span = (Date.parse(`${q.to}T00:00:00Z`) - Date.parse(`${q.from}T00:00:00Z`)) / DAY_MS + 1;
  if (span > MAX_CAMPAIGN_REPORT_DAYS) throw new LimitExceededError('reports.maxCampaignDays', `to: a campaigns report covers at most ${MAX_CAMPAIGN_REPORT_DAYS} days of sends (reports.maxCampaignDays)`, 'to');
  if (q.days > MAX_ATTRIBUTION_DAYS) throw new InvalidRequestError(`days: at most ${MAX_ATTRIBUTION_DAYS}`, 'days');
  const { program } = await requireProgram(deps, p.tenantId);
  const stats: ReadStats = { queries: 0, items: 0 };
  // Program days are within a day of UTC ones: a day more each side, the cells filtered by send day.
  const [firstUtc, lastUtc] = [daysBefore(q.from, 1), daysBefore(q.to, -(q.days + 1))];
  const [coupons, journeys, touchDays] = await Promise.all([
    deps.insight.days(p.tenantId, 'coupons', q.from, q.to, stats),
    deps.insight.days(p.tenantId, 'journeys', q.from, q.to, stats),
    deps.dayInsight.days<DayTouches>(p.tenantId, 'touches', firstUtc, lastUtc, stats),
  ]);
  const rows = new Map<string, { kind: 'coupon' | 'journey'; id: string; sent: number; receipts: number; revenue: number; used: number }>();
  const row = (kind: 'coupon' | 'journey', id: string) => {
    const k = `${kind}|${id}`;
    const r = rows.get(k) ?? { kind, id, sent: 0, receipts: 0, revenue: 0, used: 0 };
    rows.set(k, r);
    return r;
  };
  for (const [campaignId, f] of coupons) if (f.sent) row('coupon', campaignId).sent += f.sent;
  for (const [step, f] of journeys) if (f.sent) row('journey', step).sent += f.sent;
  let dropped = 0;
  for (const { body } of touchDays) {
    dropped += body.dropped.cells;
    for (const c of body.cells) {
      if (c.sentOn < q.from || c.sentOn > q.to || c.after >= q.days) continue;
      const r = row(c.kind, c.id);
      r.receipts += c.receipts;
      r.revenue += c.revenue;
      r.used += c.used;
    }
  }
  const last = touchDays.at(-1)?.day ?? null;
  return {
    from: q.from,
    to: q.to,
    days: q.days,
    currency: program.currency,
    // Receipts up to `to` + days must have been summed (the job sums yesterday each night).
    complete: last !== null && last >= daysBefore(q.to, -q.days) && dropped === 0,
    lastSummarized: last,
    campaigns: [...rows.values()]
      .sort((a, b) => (a.kind === b.kind ? (a.id < b.id ? -1 : 1) : a.kind === 'coupon' ? -1 : 1))
      .map((r) => ({
        kind: r.kind,
        ...(r.kind === 'coupon' ? { campaignId: r.id } : { journeyId: r.id.split('#')[0]!, step: Number(r.id.split('#')[1]) }),
        sent: r.sent,
        used: r.kind === 'coupon' ? r.used : null,
        receipts: r.receipts,
        revenue: r.revenue,
        revenuePerSend: r.sent ? Math.round(r.revenue / r.sent) : null,
      })),
    reads: reads(stats),
  };
}
