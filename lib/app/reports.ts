/**
 * Reports for the chain's staff, read from the report counters the stream consumer keeps
 * (lib/app/insight.ts): never a scan, a bounded number of Queries per request (storage/insight.ts),
 * and every answer says what it read. Figures lag the till by the stream (seconds).
 */
import { ledgerKinds } from '#domain/account.ts';
import { addMonths, lotExpiryDate } from '#domain/time.ts';
import { expectedBreakageBps, lotBreakage, monthEndCsv } from '#domain/liability.ts';
import { dayOf, NONE, pendingMetric, pointsMetric, type Series } from '#domain/insight.ts';
import { LimitExceededError, InvalidRequestError } from './errors.ts';
import type { Deps } from './deps.ts';

/** What the reports routes use (these and day-insight.ts's): their function builds only these (README, "Cold start"). */
export type ReportDeps = Pick<Deps, 'insight' | 'dayInsight' | 'programs' | 'clock'>;
import type { Principal } from '../storage/api-keys.ts';
import type { Figures, ReadStats } from '../storage/insight.ts';
import { requireProgram } from './program-in-force.ts';
import { rfmClasses } from '#domain/rfm.ts';

/** The longest period a report reads by days (a year, leap or not). */
export const MAX_REPORT_DAYS = 366;
/** The longest period a monthly report reads. */
export const MAX_REPORT_MONTHS = 36;

const DAY_MS = 86_400_000;

export function checkDays(from: string, to: string): void {
  const span = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS + 1;
  if (span < 1) throw new InvalidRequestError('to: must not be before from', 'to');
  if (span > MAX_REPORT_DAYS) throw new LimitExceededError('reports.maxDays', `to: a report covers at most ${MAX_REPORT_DAYS} days (reports.maxDays)`, 'to');
}

function checkMonths(from: string, to: string): number {
  const index = (m: string) => Number(m.slice(0, 4)) * 12 + Number(m.slice(5, 7));
  const span = index(to) - index(from) + 1;
  if (span < 1) throw new InvalidRequestError('to: must not be before from', 'to');
  if (span > MAX_REPORT_MONTHS) throw new LimitExceededError('reports.maxMonths', `to: a report covers at most ${MAX_REPORT_MONTHS} months (reports.maxMonths)`, 'to');
  return span;
}

const n = (f: Record<string, number> | undefined, m: string) => f?.[m] ?? 0;

function addAll(figures: Figures): Record<string, number> {
  const total: Record<string, number> = {};
  for (const f of figures.values()) for (const [m, v] of Object.entries(f)) total[m] = (total[m] ?? 0) + v;
  return total;
}

const reads = (s: ReadStats) => ({ queries: s.queries, items: s.items });

/** Money of receipts, as sales figures: the average is rounded half up to a minor unit. */
function salesFigures(f: Record<string, number> | undefined) {
  const receipts = n(f, 'receipts');
  const discounts = {
    tier: n(f, 'tierDiscount'),
    rewards: n(f, 'rewardDiscount'),
    coupons: n(f, 'couponDiscount'),
    points: n(f, 'pointsDiscount'),
  };
  return {
    receipts,
    amount: n(f, 'amount'),
    paid: n(f, 'paid'),
    averageReceipt: receipts ? Math.round(n(f, 'paid') / receipts) : 0,
    discounts: { ...discounts, total: discounts.tier + discounts.rewards + discounts.coupons + discounts.points },
    returns: n(f, 'returns'),
    refund: n(f, 'refund'),
    enrolled: n(f, 'enrolled'),
    imported: n(f, 'imported'),
  };
}

export type SalesBy = 'total' | 'store' | 'tier';

/** Receipts, money and discounts by source over a period of days, for the chain, per store or per tier. */
export async function salesReport(deps: ReportDeps, principal: Principal, q: { from: string; to: string; by: SalesBy }) {
  checkDays(q.from, q.to);
  const { program } = await requireProgram(deps, principal.tenantId);
  const stats: ReadStats = { queries: 0, items: 0 };
  // The chain's total is the sum of its stores (every receipt and return is made at one);
  // enrolments are known by tier only (under none: a new member has no tier yet).
  const [stores, tiers] = await Promise.all([
    q.by === 'tier' ? undefined : deps.insight.days(principal.tenantId, 'store', q.from, q.to, stats),
    q.by === 'store' ? undefined : deps.insight.days(principal.tenantId, 'tier', q.from, q.to, stats),
  ]);
  const figures = (q.by === 'tier' ? tiers : stores)!;
  const total = addAll(figures);
  if (tiers) Object.assign(total, { enrolled: addAll(tiers).enrolled ?? 0, imported: addAll(tiers).imported ?? 0 });
  const rows = q.by === 'total' ? [] : [...figures.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([key, f]) => ({ key: key === NONE ? null : key, ...salesFigures(f) }));
  return { from: q.from, to: q.to, by: q.by, currency: program.currency, total: salesFigures(total), rows, reads: reads(stats) };
}

function pointsFigures(f: Record<string, number> | undefined) {
  const byKind = Object.fromEntries(ledgerKinds.map((k) => [k, n(f, pointsMetric(k))])) as Record<(typeof ledgerKinds)[number], number>;
  const pendingByKind = Object.fromEntries(ledgerKinds.map((k) => [k, n(f, pendingMetric(k))])) as Record<(typeof ledgerKinds)[number], number>;
  return {
    issued: byKind.earn + byKind.bonus + byKind.migrated + byKind.release,
    burned: -byKind.burn,
    expired: -byKind.expiry,
    adjusted: byKind.adjustment,
    returned: byKind.earn_reversal + byKind.burn_refund,
    net: Object.values(byKind).reduce((a, b) => a + b, 0),
    byKind,
    pendingByKind,
  };
}

/** Points by ledger kind over a period of days, for the chain or per store (where the entry was made). */
export async function pointsReport(deps: ReportDeps, principal: Principal, q: { from: string; to: string; by: 'total' | 'store' }) {
  checkDays(q.from, q.to);
  const stats: ReadStats = { queries: 0, items: 0 };
  // The chain's total is the sum of the stores' rows and the entries made at no store.
  const figures = await deps.insight.days(principal.tenantId, 'store', q.from, q.to, stats);
  const rows = q.by === 'total' ? [] : [...figures.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([key, f]) => ({ key: key === NONE ? null : key, ...pointsFigures(f) }));
  return { from: q.from, to: q.to, by: q.by, total: pointsFigures(addAll(figures)), rows, reads: reads(stats) };
}

/** Members per month: enrolled, active (a receipt in the month), their receipts and visit frequency, by tier. */
export async function membersReport(deps: ReportDeps, principal: Principal, q: { from: string; to: string }) {
  checkMonths(q.from, q.to);
  const stats: ReadStats = { queries: 0, items: 0 };
  const monthList: string[] = [];
  for (let m = q.from; m <= q.to; m = addMonths(m, 1)) monthList.push(m);
  // Receipts by tier are kept per day: one Query per month and shard. Members by store and by
  // RFM class are totals to a month's end: every month item from the beginning, one Query per shard each.
  const [active, enrolments, classMoves, ...perMonth] = await Promise.all([
    deps.insight.months(principal.tenantId, 'active', q.from, q.to, stats),
    deps.insight.months(principal.tenantId, 'members', BEGINNING.slice(0, 7), q.to, stats),
    deps.insight.months(principal.tenantId, 'rfm', BEGINNING.slice(0, 7), q.to, stats),
    ...monthList.map((m) => deps.insight.days(principal.tenantId, 'tier', `${m}-01`, lotExpiryDate(m), stats)),
  ]);
  const toDate = (moves: Map<string, Figures>, metric: string) => {
    // Running totals per dimension value at the end of each month asked for.
    const running = new Map<string, number>();
    const at = new Map<string, Map<string, number>>();
    const months = [...moves.keys()].sort();
    let i = 0;
    for (const m of monthList) {
      for (; i < months.length && months[i]! <= m; i++) for (const [key, f] of moves.get(months[i]!)!) running.set(key, (running.get(key) ?? 0) + n(f, metric));
      at.set(m, new Map(running));
    }
    return at;
  };
  const membersByStore = toDate(enrolments, 'enrolled');
  const importedByStore = toDate(enrolments, 'imported');
  const classesAt = toDate(classMoves, 'members');
  const sales = new Map(monthList.map((m, i) => [m, perMonth[i]!]));
  const months = [];
  for (const m of monthList) {
    const a = active.get(m) ?? new Map();
    const t = sales.get(m) ?? new Map();
    const tiers = [...new Set([...a.keys(), ...t.keys()])].sort();
    const row = (activeMembers: number, f: Record<string, number>) => ({
      active: activeMembers,
      enrolled: n(f, 'enrolled'),
      imported: n(f, 'imported'),
      receipts: n(f, 'receipts'),
      paid: n(f, 'paid'),
      averageReceipt: n(f, 'receipts') ? Math.round(n(f, 'paid') / n(f, 'receipts')) : 0,
      visitsPerActiveMember: activeMembers ? Math.round((n(f, 'receipts') / activeMembers) * 100) / 100 : 0,
    });
    const totalActive = [...a.values()].reduce((s, f) => s + n(f, 'members'), 0);
    const e = enrolments.get(m) ?? new Map();
    const stores = [...new Set([...membersByStore.get(m)!.keys(), ...importedByStore.get(m)!.keys()])].sort();
    const classes = classesAt.get(m)!;
    months.push({
      month: m,
      ...row(totalActive, addAll(t)),
      byTier: tiers.map((tier) => ({ tier: tier === NONE ? null : tier, ...row(n(a.get(tier), 'members'), t.get(tier) ?? {}) })),
      // By the store whose till enrolled them (null: staff, the app, imports): in the month, and to its end.
      byStore: stores.map((store) => ({
        store: store === NONE ? null : store,
        enrolled: n(e.get(store), 'enrolled'),
        imported: n(e.get(store), 'imported'),
        members: (membersByStore.get(m)!.get(store) ?? 0) + (importedByStore.get(m)!.get(store) ?? 0),
      })),
      // Members per RFM class at the month's end (now, for the current month), as the nightly job classed them.
      rfmClasses: { ...Object.fromEntries(rfmClasses.map((c) => [c, classes.get(c) ?? 0])), unclassified: classes.get(NONE) ?? 0 },
    });
  }
  return { from: q.from, to: q.to, months, reads: reads(stats) };
}

/** Liability views and the counter series each is kept in. */
const liabilitySeries = { expiry: 'liabExpiry', tier: 'liabTier', store: 'liabStore' } as const satisfies Record<string, Series>;
export type LiabilityBy = keyof typeof liabilitySeries;
/** Before any tenant's first change: "as of D" adds up everything from here to D. */
const BEGINNING = '2000-01-01';

/** Outstanding points at the end of `asOf` (program time) in one view, with what it read. */
async function outstandingAsOf(deps: ReportDeps, tenantId: string, by: LiabilityBy, asOf: string, stats: ReadStats): Promise<Array<{ key: string; points: number }>> {
  const figures = await deps.insight.days(tenantId, liabilitySeries[by], BEGINNING, asOf, stats);
  return [...figures.entries()]
    .map(([key, f]) => ({ key, points: n(f, 'points') }))
    .filter((r) => r.points !== 0)
    .sort((a, b) => a.key.localeCompare(b.key));
}

const pointValueOf = (program: { redemption?: { pointValue: number } | undefined }) => program.redemption?.pointValue ?? 0;

/**
 * Points liability as of the end of a day: outstanding points and their money value, by month of
 * expiry, by tier or by store (domain/liability.ts says what each view means).
 */
export async function liabilityReport(deps: ReportDeps, principal: Principal, q: { asOf?: string | undefined; by: LiabilityBy }) {
  const { version, program } = await requireProgram(deps, principal.tenantId);
  const asOf = q.asOf ?? dayOf(deps.clock(), program.timeZone);
  if (asOf < BEGINNING) throw new InvalidRequestError(`asOf: must be ${BEGINNING} or later`, 'asOf');
  const stats: ReadStats = { queries: 0, items: 0 };
  const pointValue = pointValueOf(program);
  const rows = (await outstandingAsOf(deps, principal.tenantId, q.by, asOf, stats)).map((r) => ({
    key: r.key === NONE ? null : r.key,
    ...(q.by === 'expiry' && /^\d{4}-\d{2}$/.test(r.key) ? { expiresOn: lotExpiryDate(r.key) } : {}),
    points: r.points,
    value: r.points * pointValue,
  }));
  const points = rows.reduce((s, r) => s + r.points, 0);
  return { asOf, by: q.by, currency: program.currency, pointValue, programVersion: version, total: { points, value: points * pointValue }, rows, reads: reads(stats) };
}

/** Months of lots the breakage estimate looks back over, at most. */
const BREAKAGE_LOOKBACK_MONTHS = 36;

/** Breakage per lot (month of expiry) and the expected breakage from the lots that are final. */
export async function breakageReport(deps: ReportDeps, principal: Principal, q: { from: string; to: string }) {
  checkMonths(q.from, q.to);
  const { program } = await requireProgram(deps, principal.tenantId);
  const stats: ReadStats = { queries: 0, items: 0 };
  const currentMonth = dayOf(deps.clock(), program.timeZone).slice(0, 7);
  const lots = await lotsBetween(deps, principal.tenantId, q.from, q.to, currentMonth, program.expiry?.afterMonths ?? null, stats);
  return { from: q.from, to: q.to, expiryAfterMonths: program.expiry?.afterMonths ?? null, expectedBreakageBps: expectedBreakageBps(lots), lots, reads: reads(stats) };
}

async function lotsBetween(deps: ReportDeps, tenantId: string, from: string, to: string, currentMonth: string, afterMonths: number | null, stats: ReadStats) {
  const months = await deps.insight.months(tenantId, 'lots', from, to, stats);
  return [...months.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([lot, f]) => lotBreakage({ lot, flows: f.get(NONE) ?? {} }, currentMonth, afterMonths));
}

/**
 * The month-end liability export (CSV): opening, the month's movements by kind, the closing
 * liability by month of expiry, the expected breakage (from the lots of the 36 months before) and the liability net of it. The opening is the closing less the movements,
 * which the liability counters and the points counters both come from the same ledger entries.
 */
export async function liabilityExport(deps: ReportDeps, principal: Principal, q: { month: string }) {
  const { program } = await requireProgram(deps, principal.tenantId);
  const today = dayOf(deps.clock(), program.timeZone);
  if (q.month > today.slice(0, 7)) throw new InvalidRequestError('month: must not be after the current month', 'month');
  const stats: ReadStats = { queries: 0, items: 0 };
  const monthEnd = lotExpiryDate(q.month);
  const [byExpiry, moved, lots] = await Promise.all([
    outstandingAsOf(deps, principal.tenantId, 'expiry', monthEnd, stats),
    deps.insight.days(principal.tenantId, 'store', `${q.month}-01`, monthEnd, stats),
    // Lots of the month itself expire on the next month's first day: not final yet at its end.
    lotsBetween(deps, principal.tenantId, addMonths(q.month, -BREAKAGE_LOOKBACK_MONTHS), addMonths(q.month, -1), q.month, program.expiry?.afterMonths ?? null, stats),
  ]);
  const f = addAll(moved);
  const movements = Object.fromEntries(ledgerKinds.map((k) => [k, n(f, pointsMetric(k)) + n(f, pendingMetric(k))]));
  const closing = byExpiry.reduce((s, r) => s + r.points, 0);
  const opening = closing - Object.values(movements).reduce((s, v) => s + v, 0);
  return monthEndCsv({ month: q.month, currency: program.currency, pointValue: pointValueOf(program), opening, closing, movements, byExpiry, expectedBreakageBps: expectedBreakageBps(lots) });
}

/**
 * Coupon campaigns over a period of days: codes issued and sent (issued to a customer), used,
 * the discount and points they gave, and the money paid on the receipts that used them.
 */
export async function couponsReport(deps: ReportDeps, principal: Principal, q: { from: string; to: string }) {
  checkDays(q.from, q.to);
  const { program } = await requireProgram(deps, principal.tenantId);
  const stats: ReadStats = { queries: 0, items: 0 };
  const figures = await deps.insight.days(principal.tenantId, 'coupons', q.from, q.to, stats);
  const campaigns = [...figures.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([campaignId, f]) => ({
      campaignId,
      issued: n(f, 'issued'),
      sent: n(f, 'sent'),
      used: n(f, 'used'),
      /** Uses per code issued in the period, in basis points (uses of codes issued before count too). */
      useRateBps: n(f, 'issued') ? Math.round((n(f, 'used') * 10_000) / n(f, 'issued')) : null,
      discount: n(f, 'discount'),
      points: n(f, 'points'),
      revenue: n(f, 'revenue'),
    }));
  return { from: q.from, to: q.to, currency: program.currency, campaigns, reads: reads(stats) };
}
