/**
 * Reports that read what the nightly insight job keeps (lib/app/insight-job.ts): top SKUs and
 * categories, and the results of coupon and journey sends. A period's days are one Query (a page
 * per MB) per kind; sends come from the report counters.
 */
import { daysBefore, MAX_ATTRIBUTION_DAYS, type DaySales, type DayTouches, type Figures } from '#domain/day-insight.ts';
import type { Principal } from '../storage/api-keys.ts';
import type { ReadStats } from '../storage/insight.ts';
import { requireProgram } from './program-in-force.ts';
import { InvalidRequestError, LimitExceededError } from './errors.ts';
import { checkDays, type ReportDeps } from './reports.ts';

const DAY_MS = 86_400_000;
const reads = (s: ReadStats) => ({ queries: s.queries, items: s.items });
const addFigures = (into: Map<string, Figures>, key: string, f: Figures) => {
  const x = into.get(key) ?? { revenue: 0, quantityMilli: 0, receipts: 0, returned: 0 };
  x.revenue += f.revenue;
  x.quantityMilli += f.quantityMilli;
  x.receipts += f.receipts;
  // Day items from before returns were taken off have none.
  x.returned += f.returned ?? 0;
  into.set(key, x);
};
const ranked = (m: Map<string, Figures>) => [...m].sort(([a, x], [b, y]) => y.revenue - x.revenue || (a < b ? -1 : 1));
const view = (f: Figures, total: number) => ({
  revenue: f.revenue,
  quantity: f.quantityMilli / 1000,
  receipts: f.receipts,
  returned: f.returned,
  shareBps: total > 0 ? Math.round((f.revenue * 10_000) / total) : 0,
});

/**
 * Top SKUs and every category by members' revenue over UTC days `from`..`to`, from the nightly
 * day items: a SKU's figure adds up the days it was among that day's kept SKUs (MAX_DAY_SKUS);
 * on a day that left it out it took at most that day's largest left-out figure, summed as
 * `unlistedAtMost` (0: the figure is exact).
 */
export async function productsReport(deps: ReportDeps, p: Principal, q: { from: string; to: string; limit: number }) {
  checkDays(q.from, q.to);
  const { program } = await requireProgram(deps, p.tenantId);
  const stats: ReadStats = { queries: 0, items: 0 };
  const days = await deps.dayInsight.days<DaySales>(p.tenantId, 'sales', q.from, q.to, stats);
  const [skus, categories] = [new Map<string, Figures>(), new Map<string, Figures>()];
  let [receipts, revenue, otherCategories, returns, returned, unpriced] = [0, 0, 0, 0, 0, 0];
  for (const { body } of days) {
    receipts += body.receipts;
    revenue += body.revenue;
    returns += body.returns?.count ?? 0;
    returned += body.returns?.returned ?? 0;
    unpriced += body.returns?.unpriced ?? 0;
    otherCategories += body.otherCategories.revenue;
    for (const s of body.skus) addFigures(skus, s.sku, s);
    for (const c of body.categories) addFigures(categories, c.category, c);
  }
  const top = ranked(skus).slice(0, q.limit);
  const listed = top.reduce((s, [, f]) => s + f.revenue, 0);
  // Days that left SKUs out: a SKU not among a day's kept ones took at most what the largest
  // left out took (items from before `largest` was kept: at most their smallest kept SKU).
  const cut = days
    .filter(({ body }) => body.otherSkus.count > 0)
    .map(({ body }) => ({ kept: new Set(body.skus.map((x) => x.sku)), largest: Math.max(0, body.otherSkus.largest ?? body.skus.at(-1)?.revenue ?? 0) }));
  const unlistedAtMost = (sku: string) => cut.reduce((n, d) => n + (d.kept.has(sku) ? 0 : d.largest), 0);
  return {
    from: q.from,
    to: q.to,
    currency: program.currency,
    daysSummarized: days.length,
    lastSummarized: days.at(-1)?.day ?? null,
    total: { receipts, revenue, returns, returned, returnsNotTakenOff: unpriced },
    skusComplete: cut.length === 0,
    skus: top.map(([sku, f]) => ({ sku, ...view(f, revenue), unlistedAtMost: unlistedAtMost(sku) })),
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
export async function campaignsReport(deps: ReportDeps, p: Principal, q: { from: string; to: string; days: number }) {
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
