/**
 * Returns: reverse what the returned quantities earned and give back what was burned on them.
 * Line shares are cumulative — after returning r of Q units a line has given back
 * floor(x·r/Q) of its x points — so any sequence of partial returns ends, at Q, at exactly x.
 */
import { mulDivFloor, sum } from './allocation.ts';
import { creditToLots, debit, lotFor, type Account, type LedgerEntry } from './account.ts';
import { ReturnExceedsPurchaseError, RuleViolationError } from './errors.ts';
import type { PricedLine } from './pricing.ts';
import type { Program } from './program.ts';
import { catchUp, takePending } from './pending.ts';
import { recordActivity } from './tiers.ts';
import { undoRewards, type ProgressEffect, type StoredReward } from './rewards.ts';
import { countCouponUses } from './coupons.ts';
import { isLotExpired, type MonthKey } from './time.ts';

export interface CommittedLine extends PricedLine {
  readonly returnedMilli: number;
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
}

export interface ReturnLineRequest {
  readonly lineId: string;
  readonly quantityMilli: number;
}

export interface ReturnedLine {
  readonly lineId: string;
  readonly quantityMilli: number;
  readonly refund: number;
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

const share = (x: number, from: number, k: number, of: number): number =>
  mulDivFloor(x, from + k, of) - mulDivFloor(x, from, of);

export function priceReturn(
  program: Program,
  account: Account,
  receipt: CommittedReceipt,
  request: readonly ReturnLineRequest[],
  now: Date,
): ReturnOutcome {
  const byId = new Map(receipt.lines.map((l) => [l.lineId, l]));
  const seen = new Set<string>();
  const returned: ReturnedLine[] = request.map((r, i) => {
    const line = byId.get(r.lineId);
    if (!line) throw new RuleViolationError('unknown_line', `lines.${i}.lineId "${r.lineId}" is not on the receipt`, `lines.${i}.lineId`);
    if (seen.has(r.lineId)) throw new RuleViolationError('duplicate_line', `lines.${i}.lineId "${r.lineId}" appears twice`, `lines.${i}.lineId`);
    seen.add(r.lineId);
    const left = line.quantityMilli - line.returnedMilli;
    if (r.quantityMilli > left) {
      throw new ReturnExceedsPurchaseError(
        `lines.${i}.quantity: ${r.quantityMilli / 1000} asked back but only ${left / 1000} of line "${r.lineId}" is left to return`,
        `lines.${i}.quantity`,
      );
    }
    const args = [line.returnedMilli, r.quantityMilli, line.quantityMilli] as const;
    return {
      lineId: r.lineId,
      quantityMilli: r.quantityMilli,
      refund: share(line.paid, ...args),
      pointsReversed: share(line.pointsEarned, ...args),
      pointsRefunded: share(line.pointsBurned, ...args),
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
  if (receipt.month) acc = recordActivity(acc, receipt.month, -refund, -pointsReversed, '0000-00');

  const back = new Map(returned.map((r) => [r.lineId, r.quantityMilli]));
  const fullyReturned = receipt.lines.every((l) => l.returnedMilli + (back.get(l.lineId) ?? 0) === l.quantityMilli);
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
      lines: receipt.lines.map((l) => ({ ...l, returnedMilli: l.returnedMilli + (back.get(l.lineId) ?? 0) })),
      burnLotsRemaining,
    },
    restoreCoupons: restoreCoupons.map((c) => c.code),
  };
}
