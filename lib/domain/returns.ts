/**
 * Returns: reverse what the returned quantities (or refunded money) earned and give back what was
 * burned on them. Line shares are cumulative: each line keeps how much of it has come back as a
 * fraction `returned / whole` (whole = quantity × paid), and after any return the line has given
 * back floor(x·returned/whole) of every x it was given (money paid, points earned, points burned)
 * — so any sequence of partial returns, by units or by amount, ends at exactly x and never beyond.
 * Units only: returning k of Q units adds k·paid, i.e. floor(x·(r+k)/Q) − floor(x·r/Q), as before.
 * Amount (a price adjustment): refunding m adds m·Q, so the money back is exactly m and points
 * follow in proportion to money. Units after an adjustment take their share of what is left.
 */
import { sum } from './allocation.ts';
import { creditToLots, debit, lotFor, type Account, type LedgerEntry } from './account.ts';
import { ReturnExceedsPurchaseError, RuleViolationError } from './errors.ts';
import type { PricedLine } from './pricing.ts';
import type { Program } from './program.ts';
import { catchUp, takePending } from './pending.ts';
import { recordActivity } from './tiers.ts';
import { undoRewards, type ProgressEffect, type StoredReward } from './rewards.ts';
import { countCouponUses } from './coupons.ts';
import { isLotExpired, type MonthKey } from './time.ts';
import type { Draw } from './budgets.ts';

export interface CommittedLine extends PricedLine {
  /** Units returned so far (thousandths). */
  readonly returnedMilli: number;
  /**
   * How much of the line has come back, over quantityMilli × max(paid, 1), as a decimal integer
   * (it can pass 2^53). Absent on lines only ever returned by units: returnedMilli × max(paid, 1).
   */
  readonly returnedShare?: string | undefined;
  /** What the till sent, kept so the simulator can price the receipt again (absent on older receipts). */
  readonly sku?: string | undefined;
  readonly category?: string | undefined;
}

/** What a committed receipt keeps so that returns can be priced without reading history. */
export interface CommittedReceipt {
  readonly lines: readonly CommittedLine[];
  readonly earnLot: MonthKey;
  /** The pending bucket the receipt's points went to, if the program had pending points. */
  readonly pendingKey?: string | null | undefined;
  /** Burned points not yet given back, by the lot they came from. */
  readonly burnLotsRemaining: Readonly<Record<MonthKey, number>>;
  /** The month the receipt counted in for tiers (absent on receipts from before windowed tiers). */
  readonly month?: MonthKey | undefined;
  /** One-time rewards the receipt used, and its effect on progress: undone by a full return. */
  readonly rewardsUsed?: readonly StoredReward[] | undefined;
  readonly progressEffects?: readonly ProgressEffect[] | undefined;
  /** Coupons the receipt used: usable again once it is fully returned. */
  readonly coupons?: readonly { readonly code: string; readonly campaignId: string }[] | undefined;
  /** What the receipt drew on campaign budgets. Kept for the record: a return gives none of it back (budgets.ts says why). */
  readonly budgetDraws?: Readonly<Record<string, Draw>> | undefined;
}

/** Units back (`quantityMilli`), or money back on the line without units (`amount`, a price adjustment). */
export type ReturnLineRequest =
  | { readonly lineId: string; readonly quantityMilli: number; readonly amount?: undefined }
  | { readonly lineId: string; readonly amount: number; readonly quantityMilli?: undefined };

export interface ReturnedLine {
  readonly lineId: string;
  /** Units back; 0 for a refund by amount. */
  readonly quantityMilli: number;
  /** The money asked back by amount, or null for a return of units. */
  readonly amount: number | null;
  readonly refund: number;
  /**
   * What of the line's amount (what the shop charged, before loyalty discounts: the measure of
   * members' revenue) comes back, by the same cumulative floors as the refund.
   */
  readonly amountBack: number;
  readonly pointsReversed: number;
  readonly pointsRefunded: number;
}

export interface ReturnOutcome {
  readonly lines: readonly ReturnedLine[];
  readonly totals: { readonly refund: number; readonly pointsReversed: number; readonly pointsRefunded: number };
  readonly entries: readonly LedgerEntry[];
  readonly accountAfter: Account;
  readonly receiptAfter: CommittedReceipt;
  /** Coupon codes to mark usable again (the receipt is now fully returned). */
  readonly restoreCoupons: readonly string[];
}

const weightOf = (l: CommittedLine): bigint => BigInt(Math.max(l.paid, 1));
/** The measure of a whole line: quantity × paid (× 1 where nothing was paid in money). */
const wholeOf = (l: CommittedLine): bigint => BigInt(l.quantityMilli) * weightOf(l);
/** How much of the line has come back, on the same measure. */
const returnedOf = (l: CommittedLine): bigint => (l.returnedShare !== undefined ? BigInt(l.returnedShare) : BigInt(l.returnedMilli) * weightOf(l));
/** What of x the line gives back as its returned measure goes from `from` to `to` (cumulative floors). */
const given = (x: number, from: bigint, to: bigint, whole: bigint): number => Number((BigInt(x) * to) / whole - (BigInt(x) * from) / whole);
/** Points a return may take back from a line: what it earned, less one-time bonuses the program keeps. */
const reversible = (l: CommittedLine): number => l.pointsEarned - (l.pointsKept ?? 0);

export function priceReturn(
  program: Program,
  account: Account,
  receipt: CommittedReceipt,
  request: readonly ReturnLineRequest[],
  now: Date,
): ReturnOutcome {
  const byId = new Map(receipt.lines.map((l) => [l.lineId, l]));
  const seen = new Set<string>();
  const after = new Map<string, { to: bigint; units: number }>();
  const returned: ReturnedLine[] = request.map((r, i) => {
    const line = byId.get(r.lineId);
    if (!line) throw new RuleViolationError('unknown_line', `lines.${i}.lineId "${r.lineId}" is not on the receipt`, `lines.${i}.lineId`);
    if (seen.has(r.lineId)) throw new RuleViolationError('duplicate_line', `lines.${i}.lineId "${r.lineId}" appears twice`, `lines.${i}.lineId`);
    seen.add(r.lineId);
    const whole = wholeOf(line);
    const from = returnedOf(line);
    let to: bigint;
    let units = 0;
    if (r.amount !== undefined) {
      // Money refunded so far is floor(paid·from/whole) = floor(from/Q); what is left may come back.
      const left = line.paid - Number(from / BigInt(line.quantityMilli));
      if (r.amount > left || line.paid === 0) {
        throw new ReturnExceedsPurchaseError(
          `lines.${i}.amount: ${r.amount} asked back but only ${line.paid === 0 ? 0 : left} of line "${r.lineId}" is left to refund`,
          `lines.${i}.amount`,
        );
      }
      const raw = from + BigInt(r.amount) * BigInt(line.quantityMilli);
      to = raw > whole ? whole : raw;
    } else {
      units = r.quantityMilli;
      const left = line.quantityMilli - line.returnedMilli;
      if (units > left) {
        throw new ReturnExceedsPurchaseError(
          `lines.${i}.quantity: ${units / 1000} asked back but only ${left / 1000} of line "${r.lineId}" is left to return`,
          `lines.${i}.quantity`,
        );
      }
      // k of the units left take k/left of what is left of the line (exactly k·paid before any refund by amount).
      to = from + ((whole - from) * BigInt(units)) / BigInt(left);
    }
    after.set(r.lineId, { to, units });
    return {
      lineId: r.lineId,
      quantityMilli: units,
      amount: r.amount ?? null,
      refund: given(line.paid, from, to, whole),
      amountBack: given(line.amount, from, to, whole),
      pointsReversed: given(reversible(line), from, to, whole),
      pointsRefunded: given(line.pointsBurned, from, to, whole),
    };
  });

  const entries: LedgerEntry[] = [];
  const expired = catchUp(account, now, program.timeZone);
  entries.push(...expired.entries);
  let acc = expired.account;

  const pointsRefunded = sum(returned.map((l) => l.pointsRefunded));
  let burnLotsRemaining: Record<MonthKey, number> = { ...receipt.burnLotsRemaining };
  if (pointsRefunded > 0) {
    const fresh = lotFor(now, program.timeZone, program.expiry?.afterMonths);
    const c = creditToLots(acc, pointsRefunded, burnLotsRemaining, fresh, (k) => isLotExpired(k, now, program.timeZone), 'burn_refund');
    acc = c.account;
    if (c.entry) entries.push(c.entry);
    for (const [k, n] of Object.entries(c.taken)) {
      const rest = (burnLotsRemaining[k] ?? 0) - n;
      if (rest > 0) burnLotsRemaining[k] = rest;
      else delete burnLotsRemaining[k];
    }
    burnLotsRemaining = { ...burnLotsRemaining };
  }
  const pointsReversed = sum(returned.map((l) => l.pointsReversed));
  let toReverse = pointsReversed;
  if (toReverse > 0 && receipt.pendingKey) {
    // Within the return window the points are still pending: take them from there.
    const t = takePending(acc, toReverse, receipt.pendingKey);
    acc = t.account;
    if (t.entry) entries.push(t.entry);
    toReverse -= t.taken;
  }
  if (toReverse > 0) {
    // Points already spent elsewhere become debt that later earnings pay off first.
    const d = debit(acc, toReverse, 'earn_reversal', { preferLot: receipt.earnLot, allowDebt: true });
    acc = d.account;
    if (d.entry) entries.push(d.entry);
  }
  const refund = sum(returned.map((l) => l.refund));
  acc = { ...acc, paidTotal: Math.max(0, acc.paidTotal - refund) };
  // Once only: a line refunded in full by amount may still see its units come back, for nothing.
  const wasFullyReturned = receipt.lines.every((l) => returnedOf(l) === wholeOf(l));
  const fullyReturned = !wasFullyReturned && receipt.lines.every((l) => (after.get(l.lineId)?.to ?? returnedOf(l)) === wholeOf(l));
  // A receipt fully returned now stops counting as a visit (RFM frequency) in its month, once.
  if (receipt.month) acc = recordActivity(acc, receipt.month, -refund, -pointsReversed, '0000-00', fullyReturned ? -1 : 0);
  if (fullyReturned && (receipt.rewardsUsed?.length || receipt.progressEffects?.length)) {
    acc = { ...acc, rewards: undoRewards(acc.rewards, receipt.rewardsUsed ?? [], receipt.progressEffects ?? []) };
  }
  const restoreCoupons = fullyReturned ? (receipt.coupons ?? []) : [];
  acc = countCouponUses(acc, restoreCoupons, -1);
  return {
    lines: returned,
    totals: { refund, pointsReversed, pointsRefunded },
    entries,
    accountAfter: acc,
    receiptAfter: {
      ...receipt,
      lines: receipt.lines.map((l) => {
        const a = after.get(l.lineId);
        return a ? { ...l, returnedMilli: l.returnedMilli + a.units, returnedShare: a.to.toString() } : l;
      }),
      burnLotsRemaining,
    },
    restoreCoupons: restoreCoupons.map((c) => c.code),
  };
}
