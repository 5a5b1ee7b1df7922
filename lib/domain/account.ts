/**
 * A customer's points account: lots bucketed by the month at whose end they expire, plus a debt
 * bucket for points reversed by a return after they were spent. Every change goes through the
 * functions here and yields a ledger entry, so `available = Σ lots − debt = Σ ledger entries`.
 */
import { RuleViolationError, InsufficientPointsError } from './errors.ts';
import { emptyReferralState, type ReferralState } from './referral.ts';
import type { PurchaseSummary } from './purchases.ts';
import type { Refills } from './refills.ts';
import type { RfmClass } from './rfm.ts';
import type { BudgetKey, CustomerUse, Draw } from './budgets.ts';
import { emptyRewardState, type RewardState } from './rewards.ts';
import { addMonths, isLotExpired, monthOf, type MonthKey } from './time.ts';

/** Lot key for points that never expire; sorts after every real month so FIFO burns them last. */
export const NEVER_EXPIRES: MonthKey = '9999-12';

export interface Account {
  readonly available: number;
  readonly lots: Readonly<Record<MonthKey, number>>;
  readonly debt: number;
  /** Cumulative money paid on receipts, net of returns (the basis of cumulative-paid tiers). */
  readonly paidTotal: number;
  readonly receiptCount: number;
  /** A tier staff assigned (VIP); overrides the automatic level while set. */
  readonly staffTierId: string | null;
  /** Lifetime eligible spend (minor units), for "spend crossing X" rules. */
  readonly eligibleSpend: number;
  /** Eligible spend in the calendar year of the latest receipt, for per-year spend rules. */
  readonly eligibleSpendYear: { readonly year: string; readonly amount: number } | null;
  /** Ids of once-per-customer rules already granted (`id@year` for per-year ones). */
  readonly grantedOnce: readonly string[];
  /** Points earned on the latest day with receipts (program time), for a daily cap. */
  readonly earnedDay: { readonly day: string; readonly points: number } | null;
  /** The program level reached (upgraded at receipts, reviewed at period end); null before any. */
  readonly tierId: string | null;
  /** That level's position (0 = the first): customers above 0 are the ones a period review may lower. */
  readonly tierRank: number;
  /**
   * Money paid, points earned and receipts per month (program time), net of returns, for windowed
   * tiers and RFM classes (rfm.ts). `receipts` is absent from buckets written before it was kept.
   */
  readonly activity: Readonly<Record<MonthKey, { readonly paid: number; readonly points: number; readonly receipts?: number | undefined }>>;
  /** Program-time days of the first and the latest purchase, for RFM classes and segments (rfm.ts). */
  readonly firstPurchaseOn: string | null;
  readonly lastPurchaseOn: string | null;
  /** Program-time day of the latest custom event of each type (the most recent MAX_EVENT_TYPES_KEPT types), for segments. */
  readonly lastEventOn?: Readonly<Record<string, string>> | undefined;
  /** What was bought where, latest month each, bounded by the program (purchases.ts); absent if it keeps none. */
  readonly purchases?: PurchaseSummary | undefined;
  /** One-time rewards unlocked and the progress towards more (stamp cards, item milestones). */
  readonly rewards: RewardState;
  readonly referral: ReferralState;
  /** Coupons used per campaign, for per-customer limits. */
  readonly couponUses: Readonly<Record<string, number>>;
  /**
   * Points earned but not usable yet, by `releaseOn#lot` (the day, program time, they become
   * available, and the lot they then join). Not part of `available`.
   */
  readonly pendingLots: Readonly<Record<string, number>>;
  /** Segments the customer belongs to, for rules limited to segments. */
  readonly segments: readonly string[];
  /**
   * Which of `segments` a segment definition put there (segments.ts), so the customer leaves them
   * when the definition goes; at most MAX_SEGMENT_DEFINITIONS. Absent before the first evaluation.
   */
  readonly definedSegments?: readonly string[] | undefined;
  /** The RFM class (rfm.ts) as the nightly segments job last evaluated it, for the members report's class counts. */
  readonly rfmClass?: RfmClass | undefined;
  /** Products with a refill period the customer is due to run out of, by SKU (scenario 6). */
  readonly refills: Refills;
  /** This customer's use of budgets with per-customer limits, in each one's current period (budgets.ts). */
  readonly budgetUses: Readonly<Record<BudgetKey, CustomerUse>>;
}

export const emptyAccount = (): Account => ({
  available: 0,
  lots: {},
  debt: 0,
  paidTotal: 0,
  receiptCount: 0,
  staffTierId: null,
  eligibleSpend: 0,
  eligibleSpendYear: null,
  grantedOnce: [],
  earnedDay: null,
  tierId: null,
  tierRank: 0,
  activity: {},
  firstPurchaseOn: null,
  lastPurchaseOn: null,
  rewards: emptyRewardState(),
  referral: emptyReferralState(),
  couponUses: {},
  pendingLots: {},
  segments: [],
  refills: {},
  budgetUses: {},
});

/** Every kind of ledger entry; `migrated` is the one opening entry of a member imported from another system. */
export const ledgerKinds = ['earn', 'burn', 'earn_reversal', 'burn_refund', 'adjustment', 'bonus', 'expiry', 'release', 'migrated', 'event'] as const;
export type LedgerKind = (typeof ledgerKinds)[number];

export interface LedgerEntry {
  readonly kind: LedgerKind;
  /** Signed change of the available balance. */
  readonly points: number;
  /** Signed change per lot. */
  readonly lots: Readonly<Record<MonthKey, number>>;
  /** Signed change of the debt bucket. */
  readonly debt: number;
  readonly balanceAfter: number;
  /** Signed change per pending bucket (points not usable yet), when pending points are on. */
  readonly pending?: Readonly<Record<string, number>>;
  /** What this entry drew on campaign budgets, by budget key: the budget's counter is the sum of these. */
  readonly budgets?: Readonly<Record<BudgetKey, Draw>>;
}

export interface Change {
  readonly account: Account;
  readonly entry: LedgerEntry | null;
}

const sortedLotKeys = (lots: Readonly<Record<MonthKey, number>>): MonthKey[] =>
  Object.keys(lots)
    .filter((k) => (lots[k] ?? 0) > 0)
    .sort();

function withLots(account: Account, lotDeltas: Record<MonthKey, number>, debtDelta: number, kind: LedgerKind): Change {
  const lots: Record<MonthKey, number> = { ...account.lots };
  let points = -debtDelta;
  for (const [k, d] of Object.entries(lotDeltas)) {
    if (d === 0) continue;
    const next = (lots[k] ?? 0) + d;
    if (next < 0) throw new Error(`lot ${k} would go negative`);
    if (next === 0) delete lots[k];
    else lots[k] = next;
    points += d;
  }
  const debt = account.debt + debtDelta;
  if (debt < 0) throw new Error('debt would go negative');
  if (points === 0 && debtDelta === 0) return { account, entry: null };
  const available = account.available + points;
  return {
    account: { ...account, lots, debt, available },
    entry: { kind, points, lots: pruneZeros(lotDeltas), debt: debtDelta, balanceAfter: available },
  };
}

const pruneZeros = (r: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.entries(r).filter(([, v]) => v !== 0));

/** Adds points to `lot`, paying off any debt first. */
export function credit(account: Account, points: number, lot: MonthKey, kind: LedgerKind): Change {
  assertPoints(points);
  const toDebt = Math.min(points, account.debt);
  const deltas: Record<MonthKey, number> = {};
  if (points - toDebt > 0) deltas[lot] = points - toDebt;
  return withLots(account, deltas, -toDebt, kind);
}

/**
 * Credits points back into the lots they were burned from, earliest first; lots that have since
 * expired are replaced by `freshLot` so a refund is never born expired.
 */
export function creditToLots(
  account: Account,
  points: number,
  sources: Readonly<Record<MonthKey, number>>,
  freshLot: MonthKey,
  isExpired: (lot: MonthKey) => boolean,
  kind: LedgerKind,
): Change & { taken: Record<MonthKey, number> } {
  assertPoints(points);
  // Which source lots the refund comes back to, in full, whatever part of it pays debt.
  const taken: Record<MonthKey, number> = {};
  let left = points;
  for (const k of Object.keys(sources).sort()) {
    const n = Math.min(left, sources[k] ?? 0);
    if (n <= 0) continue;
    taken[k] = n;
    left -= n;
  }
  const toDebt = Math.min(points, account.debt);
  let skip = toDebt;
  const deltas: Record<MonthKey, number> = {};
  const targets: Array<[MonthKey, number]> = [...Object.entries(taken), ...(left > 0 ? [[freshLot, left] as [MonthKey, number]] : [])];
  for (const [k, n] of targets) {
    const paysDebt = Math.min(n, skip);
    skip -= paysDebt;
    const target = k === freshLot || isExpired(k) ? freshLot : k;
    if (n - paysDebt > 0) deltas[target] = (deltas[target] ?? 0) + (n - paysDebt);
  }
  return { ...withLots(account, deltas, -toDebt, kind), taken };
}

/**
 * Takes points from the earliest-expiring lots (after `preferLot`, if given). Without `allowDebt`
 * a shortfall is refused; with it (a return reversing spent points) the shortfall becomes debt.
 */
export function debit(
  account: Account,
  points: number,
  kind: LedgerKind,
  opts: { preferLot?: MonthKey; allowDebt?: boolean; field?: string } = {},
): Change & { taken: Record<MonthKey, number> } {
  assertPoints(points);
  if (!opts.allowDebt && points > account.available) {
    throw new InsufficientPointsError(points, Math.max(0, account.available), opts.field);
  }
  const order = sortedLotKeys(account.lots);
  if (opts.preferLot && order.includes(opts.preferLot)) {
    order.splice(order.indexOf(opts.preferLot), 1);
    order.unshift(opts.preferLot);
  }
  let left = points;
  const deltas: Record<MonthKey, number> = {};
  const taken: Record<MonthKey, number> = {};
  for (const k of order) {
    if (left === 0) break;
    const n = Math.min(left, account.lots[k] ?? 0);
    deltas[k] = -n;
    taken[k] = n;
    left -= n;
  }
  return { ...withLots(account, deltas, left, kind), taken };
}

/**
 * A migrated member's opening balance: the lots brought over from the old system, as one
 * `migrated` entry (written even at zero points, so the ledger says where the member came from).
 */
export function openingBalance(account: Account, lots: Readonly<Record<MonthKey, number>>): { account: Account; entry: LedgerEntry } {
  for (const n of Object.values(lots)) assertPoints(n);
  const change = withLots(account, { ...lots }, 0, 'migrated');
  return { account: change.account, entry: change.entry ?? { kind: 'migrated', points: 0, lots: {}, debt: 0, balanceAfter: account.available } };
}

/** Removes every lot whose month has ended (program time) with one expiry entry. */
export function expireDue(account: Account, now: Date, timeZone: string): Change {
  // Every write starts here: the usual answer (nothing has expired) without sorting or copying.
  if (!hasExpiredLot(account.lots, now, timeZone)) return { account, entry: null };
  const deltas: Record<MonthKey, number> = {};
  for (const k of sortedLotKeys(account.lots)) {
    if (k !== NEVER_EXPIRES && isLotExpired(k, now, timeZone)) deltas[k] = -(account.lots[k] ?? 0);
  }
  return withLots(account, deltas, 0, 'expiry');
}

function hasExpiredLot(lots: Readonly<Record<MonthKey, number>>, now: Date, timeZone: string): boolean {
  for (const k in lots) if ((lots[k] ?? 0) > 0 && k !== NEVER_EXPIRES && isLotExpired(k, now, timeZone)) return true;
  return false;
}

/** The lot that points earned at `at` go into. */
export function lotFor(at: Date, timeZone: string, expiryAfterMonths: number | undefined): MonthKey {
  return expiryAfterMonths === undefined ? NEVER_EXPIRES : addMonths(monthOf(at, timeZone), expiryAfterMonths);
}

function assertPoints(points: number): void {
  if (!Number.isSafeInteger(points) || points < 0) {
    throw new RuleViolationError('invalid_points', `points must be a non-negative integer, got ${points}`);
  }
}
