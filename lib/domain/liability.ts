/**
 * Points liability and breakage, from the report counters (pure arithmetic; the figures come in).
 *
 * Liability. What the chain owes on a day is every point it has issued and not yet taken back:
 * the sum of every ledger entry up to the end of that day (program time), available and pending.
 * By month of expiry it is each lot's sum, plus `debt` (points reversed by a return after they
 * were spent: negative) and `pending` (earned, not usable yet); by store, the sum of the entries
 * made at each store (entries no till made — jobs, staff — under no store); by tier, the
 * customers' balances under the tier each customer had then. Each view adds up to the same total,
 * which is the sum of the customers' balances. Money is points × the program's point value.
 *
 * Breakage. Per lot (points expiring at the end of one month, which with a fixed
 * `expiry.afterMonths` are the points earned in one cohort month): the share of the points
 * issued into it that expired. Lots whose month has ended are final; the expected breakage is
 * the points-weighted mean of the final lots asked for: Σ expired / Σ issued.
 */
import { ledgerKinds } from './account.ts';
import { addMonths, lotExpiryDate } from './time.ts';

export interface LotFlows {
  readonly lot: string;
  /** Points into and out of the lot, by ledger kind (`in_earn`, `out_burn`, …). */
  readonly flows: Readonly<Record<string, number>>;
}

const n = (f: Readonly<Record<string, number>>, m: string) => f[m] ?? 0;

/** Issued into a lot, net of what returns took back and staff took out. */
export function issuedInto(f: Readonly<Record<string, number>>): number {
  return n(f, 'in_earn') + n(f, 'in_bonus') + n(f, 'in_migrated') + n(f, 'in_release') + n(f, 'in_adjustment') - n(f, 'out_earn_reversal') - n(f, 'out_adjustment');
}

export function lotBreakage(l: LotFlows, currentMonth: string, afterMonths: number | null) {
  const f = l.flows;
  const totalIn = ledgerKinds.reduce((s, k) => s + n(f, `in_${k}`), 0);
  const totalOut = ledgerKinds.reduce((s, k) => s + n(f, `out_${k}`), 0);
  const issued = issuedInto(f);
  const expired = n(f, 'out_expiry');
  return {
    lot: l.lot,
    expiresOn: lotExpiryDate(l.lot),
    cohortMonth: afterMonths === null ? null : addMonths(l.lot, -afterMonths),
    issued,
    redeemed: n(f, 'out_burn') - n(f, 'in_burn_refund'),
    expired,
    outstanding: totalIn - totalOut,
    breakageBps: issued > 0 ? Math.round((expired * 10_000) / issued) : 0,
    /** The lot's month has ended: nothing more can be issued into it or redeemed from it. */
    final: l.lot < currentMonth,
  };
}

/** Expected breakage from the final lots: Σ expired / Σ issued, in basis points (null: no history). */
export function expectedBreakageBps(lots: ReadonlyArray<ReturnType<typeof lotBreakage>>): number | null {
  const final = lots.filter((l) => l.final);
  const issued = final.reduce((s, l) => s + l.issued, 0);
  return issued > 0 ? Math.round((final.reduce((s, l) => s + l.expired, 0) * 10_000) / issued) : null;
}

export interface MonthEnd {
  readonly month: string;
  readonly currency: string;
  readonly pointValue: number;
  /** Outstanding points at the end of the month before, and at the end of this one. */
  readonly opening: number;
  readonly closing: number;
  /** Points moved in the month by ledger kind (available and pending together). */
  readonly movements: Readonly<Record<string, number>>;
  /** The closing liability by month of expiry (`debt`, `pending` too). */
  readonly byExpiry: ReadonlyArray<{ readonly key: string; readonly points: number }>;
  readonly expectedBreakageBps: number | null;
}

const csvCell = (v: string | number) => (typeof v === 'number' ? String(v) : /[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);

/**
 * The month-end CSV an accountant books deferred revenue from: opening, the month's movements,
 * the closing liability by month of expiry, the expected breakage and the liability net of it.
 * Amounts are in minor units of the currency (points × point value).
 */
export function monthEndCsv(m: MonthEnd): string {
  const asOf = lotExpiryDate(m.month);
  const rows: Array<Array<string | number>> = [['as_of', 'section', 'item', 'expires_on', 'points', 'amount_minor', 'currency']];
  const row = (section: string, item: string, expiresOn: string, points: number) => rows.push([asOf, section, item, expiresOn, points, points * m.pointValue, m.currency]);
  row('opening', 'total', '', m.opening);
  for (const [kind, points] of Object.entries(m.movements)) if (points !== 0) row('movement', kind, '', points);
  for (const e of m.byExpiry) row('closing', e.key === 'debt' || e.key === 'pending' ? e.key : `lot ${e.key}`, /^\d{4}-\d{2}$/.test(e.key) ? lotExpiryDate(e.key) : '', e.points);
  row('closing', 'total', '', m.closing);
  if (m.expectedBreakageBps !== null) {
    const breakage = Math.round((m.closing * m.expectedBreakageBps) / 10_000);
    row('breakage', `expected ${(m.expectedBreakageBps / 100).toFixed(2)} %`, '', breakage);
    row('deferred_revenue', 'closing less expected breakage', '', m.closing - breakage);
  } else {
    row('deferred_revenue', 'closing (no expired lots yet to estimate breakage)', '', m.closing);
  }
  return `${rows.map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
}
