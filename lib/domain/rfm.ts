/**
 * Customer classes by recency, frequency and money (RFM): new, regular, occasional, VIP, at risk,
 * lapsed — or prospect, for a member who never bought. Pure: the classifier reads only what the
 * customer's item already carries, kept current by the receipt commit and the return in the write
 * they make anyway (no extra item, no extra read):
 *
 * - `firstPurchaseOn` / `lastPurchaseOn`: program-time days of the earliest and latest purchase
 *   (a return does not undo a visit, so it leaves them alone);
 * - `activity[month].receipts` and `.paid`: receipts and money paid per month, net of returns (a
 *   receipt returned in full no longer counts), in the monthly buckets the account already keeps
 *   for windowed tiers (at most ACTIVITY_MONTHS of them, older ones pruned on every receipt).
 *
 * Recency moves with the calendar, not with events: the class is evaluated as of a day, and the
 * segments job re-evaluates it nightly.
 */
import type * as z from 'zod';
import type { rfmSchema } from './schemas/rfm.ts';
import type { Account } from './account.ts';
import type { Program } from './program.ts';
import { addDays, type Day } from './calendar.ts';
import { addMonths, type MonthKey } from './time.ts';

export const rfmClasses = ['prospect', 'new', 'vip', 'regular', 'occasional', 'atRisk', 'lapsed'] as const;
export type RfmClass = (typeof rfmClasses)[number];

/** The longest frequency/money window: well inside the months of activity an account keeps (60). */
export const MAX_RFM_WINDOW_MONTHS = 36;

export type RfmSettings = z.output<typeof rfmSchema>;

/** What a program without an `rfm` section classifies by: the schema's defaults (a test pins them equal), written out so the till builds no schema. */
export const defaultRfm: RfmSettings = { windowMonths: 12, newDays: 30, atRiskDays: 90, lapsedDays: 180, regular: { minReceipts: 3 }, vip: { minReceipts: 12, minSpend: 0 } };

export interface RfmMeasures {
  /** Days since the latest purchase (0 = today); null if the customer never bought. */
  readonly recencyDays: number | null;
  /** Receipts in the window, net of receipts returned in full. */
  readonly receipts: number;
  /** Money paid in the window, net of refunds (minor units). */
  readonly spend: number;
  /** Days since the first purchase; null if never. */
  readonly tenureDays: number | null;
}

export interface RfmResult extends RfmMeasures {
  readonly class: RfmClass;
}

const DAY_MS = 86_400_000;
const daysBetween = (from: Day, to: Day): number => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);

/**
 * The account after a purchase on `day`: first and latest purchase days. A till posting late (an
 * older `occurredAt`) never moves the latest purchase back.
 */
export function notePurchase(account: Account, day: Day): Account {
  const first = account.firstPurchaseOn && account.firstPurchaseOn <= day ? account.firstPurchaseOn : day;
  const last = account.lastPurchaseOn && account.lastPurchaseOn >= day ? account.lastPurchaseOn : day;
  return first === account.firstPurchaseOn && last === account.lastPurchaseOn ? account : { ...account, firstPurchaseOn: first, lastPurchaseOn: last };
}

/**
 * Receipts in a month bucket. Buckets written before receipts were counted hold money only: a
 * month with money in it counted as one receipt, so an old customer is not taken for a prospect.
 */
const receiptsIn = (m: { readonly paid: number; readonly receipts?: number | undefined }): number => m.receipts ?? (m.paid > 0 ? 1 : 0);

export function rfmMeasures(account: Account, today: Day, windowMonths: number): RfmMeasures {
  const current: MonthKey = today.slice(0, 7);
  const from = addMonths(current, 1 - windowMonths);
  let receipts = 0;
  let spend = 0;
  for (const [month, m] of Object.entries(account.activity)) {
    if (month < from || month > current) continue;
    receipts += receiptsIn(m);
    spend += m.paid;
  }
  // Accounts from before purchase days were kept: the latest month with a receipt stands in.
  const last = account.lastPurchaseOn ?? latestActiveMonthEnd(account, today);
  const first = account.firstPurchaseOn ?? last;
  return {
    recencyDays: last ? Math.max(0, daysBetween(last, today)) : null,
    receipts: Math.max(0, receipts),
    spend: Math.max(0, spend),
    tenureDays: first ? Math.max(0, daysBetween(first, today)) : null,
  };
}

function latestActiveMonthEnd(account: Account, today: Day): Day | null {
  const months = Object.keys(account.activity)
    .filter((k) => receiptsIn(account.activity[k]!) > 0)
    .sort();
  const latest = months.at(-1);
  // Bought, but nothing left in the kept months (all returned, or pruned): long ago, for all we know.
  if (!latest) return account.receiptCount > 0 ? addDays(today, -3650) : null;
  const end = addDays(`${addMonths(latest, 1)}-01`, -1);
  return end < today ? end : today;
}

/** The customer's class on `today` (program time) under the program's thresholds. */
export function classify(settings: RfmSettings, account: Account, today: Day): RfmResult {
  const m = rfmMeasures(account, today, settings.windowMonths);
  return { ...m, class: classOf(settings, m) };
}

export function classOf(s: RfmSettings, m: RfmMeasures): RfmClass {
  if (m.recencyDays === null) return 'prospect';
  if (m.recencyDays >= s.lapsedDays) return 'lapsed';
  if (m.recencyDays >= s.atRiskDays) return 'atRisk';
  if (m.tenureDays !== null && m.tenureDays < s.newDays) return 'new';
  if (m.receipts >= s.vip.minReceipts && m.spend >= s.vip.minSpend) return 'vip';
  if (m.receipts >= s.regular.minReceipts) return 'regular';
  return 'occasional';
}

/** The RFM thresholds the program classifies customers by: its own, or the defaults. */
export const rfmSettings = (program: Program): RfmSettings => program.rfm ?? defaultRfm;
