/**
 * The rules engine's entry point for a receipt: `(program, account, receipt, now) → outcome`.
 * Quote and commit both call `priceReceipt`, so a commit of an unchanged quote gives the same
 * numbers. Order: tier discount → points discount (burn) → earning on what is left to pay.
 */
import { allocate, mulDivFloor, sum } from './allocation.ts';
import { credit, debit, lotFor, type Account, type LedgerEntry } from './account.ts';
import { BurnLimitError, RuleViolationError } from './errors.ts';
import type { Program } from './program.ts';
import { addPending, catchUp, pendingKey, releaseDay } from './pending.ts';
import { addMonths, lotExpiryDate, monthOf, type MonthKey } from './time.ts';
import type { EarnLine, EarnSource, LineEarning } from './earning.ts';
import { earnWithinBudgets, type BudgetDraw, type BudgetSkip } from './budgeted-earning.ts';
import { noCounters, recordCustomerDraws, type Counters, type Draw } from './budgets.ts';
import { discountRate, rewardsReferrer } from './referral.ts';
import { applyCoupons, countCouponUses, type CouponUse } from './coupons.ts';
import { advanceProgress, useRewards, type ProgressEffect, type Reward, type RewardUse } from './rewards.ts';
import { trackRefills } from './refills.ts';
import { isExcluded, type RuleMiss } from './rules.ts';
import type { LineAttributes } from './attribute-match.ts';
import { boundAccount } from './account-bounds.ts';
import { notePurchase } from './rfm.ts';
import { attributeKey, notePurchases } from './purchases.ts';
import { dayOf } from './calendar.ts';
import { currentTier, recordActivity, tierMultiplier, upgradeTier, type TierView } from './tiers.ts';

/** Months of per-month activity an account keeps (windowed tiers look back at most 60). */
export const ACTIVITY_MONTHS = 60;

export interface ReceiptLine {
  readonly lineId: string;
  readonly sku: string;
  readonly category: string;
  /** Quantity in thousandths, so 0.5 kg is 500 and arithmetic stays integer. */
  readonly quantityMilli: number;
  readonly unitPrice: number;
  /** Line amount after the shop's own discounts, minor units. */
  readonly amount: number;
  /** Brand, supplier, flags …: what rules may select the line by. */
  readonly attributes?: LineAttributes | undefined;
}

export interface ReceiptDraft {
  readonly occurredAt: Date;
  /** The store the receipt is from, for rules limited to stores. */
  readonly storeId?: string | undefined;
  /** The store's tags (region, format, …), for rules limited to stores by tag. */
  readonly storeTags?: Readonly<Record<string, string>> | undefined;
  readonly lines: readonly ReceiptLine[];
  readonly burnPoints: number;
  /** Coupon codes to use. */
  readonly coupons?: readonly string[] | undefined;
  /** Keep unlocked rewards for later (`skip`), or hand some over as gifts instead of a discount. */
  readonly rewards?: { readonly skip: boolean; readonly asGift: readonly string[] } | undefined;
  /** What the global counters of the program's budgets say is used (read by the use case; absent: nothing used). */
  readonly budgets?: Counters | undefined;
}

/** Money and points of a receipt or one of its lines: amount = the discounts + paid. */
export interface ReceiptTotals {
  readonly amount: number;
  readonly tierDiscount: number;
  readonly rewardDiscount: number;
  readonly couponDiscount: number;
  readonly pointsDiscount: number;
  readonly paid: number;
  readonly pointsEarned: number;
  readonly pointsBurned: number;
}

export interface PricedLine extends ReceiptTotals {
  readonly lineId: string;
  readonly quantityMilli: number;
  /** One-time bonus points of this line that a return leaves with the customer (`receipts.oneTimeBonusesOnReturn: keep`). */
  readonly pointsKept?: number | undefined;
}

export interface Pricing {
  readonly tier: TierView | null;
  readonly lines: readonly PricedLine[];
  /** Most points each line could take (its share of what points may pay). */
  readonly lineCaps: readonly number[];
  readonly totals: ReceiptTotals;
  readonly burn: { readonly requested: number; readonly maxPoints: number; readonly pointValue: number };
  readonly earn: {
    readonly points: number;
    readonly lot: MonthKey;
    /** The pending bucket the points wait in, when the program has pending points. */
    readonly pendingKey: string | null;
    readonly expiresOn: string | null;
    /** Earning rules that changed this receipt's points, highest priority first. */
    readonly rules: readonly string[];
    /** Where the points come from (base, tier, rules, coupons, cap), and per line what each gave. */
    readonly sources: readonly EarnSource[];
    readonly lineSources: readonly (readonly LineEarning[])[];
    /** Rules that did not apply and the first reason (what `explain` shows). */
    readonly misses: readonly RuleMiss[];
  };
  /** The month (program time) the receipt counts in for windowed tiers. */
  readonly month: MonthKey;
  /** Set when this receipt took the customer to a higher level. */
  readonly tierUpgrade: { readonly to: string; readonly bonusPoints: number } | null;
  /** The card discount rate applied (tier and referral) and where it comes from. */
  readonly discount: { readonly bps: number; readonly sources: readonly string[] };
  /** Coupons this receipt uses; the commit marks them used in its transaction. */
  readonly coupons: readonly CouponUse[];
  /** The member to reward because this is their referred friend's first purchase. */
  readonly referrer: string | null;
  /** One-time rewards this receipt used and unlocked, and what it did to progress. */
  readonly rewards: { readonly used: readonly RewardUse[]; readonly unlocked: readonly Reward[]; readonly effects: readonly ProgressEffect[] };
  /** Lots the burn took points from; a return gives them back there. */
  readonly burnLots: Readonly<Record<MonthKey, number>>;
  readonly entries: readonly LedgerEntry[];
  readonly accountBefore: Account;
  readonly accountAfter: Account;
  /** The tier the next purchase will get. */
  readonly tierAfter: TierView | null;
  /** What the receipt draws on campaign budgets (the commit's conditional updates), and what it left out for them. */
  readonly budgets: { readonly draws: readonly BudgetDraw[]; readonly skipped: readonly BudgetSkip[]; readonly couponsSkipped: readonly { code: string; campaignId: string; scope: 'global' | 'customer' }[] };
}

export function priceReceipt(program: Program, account: Account, receipt: ReceiptDraft, now: Date): Pricing {
  const entries: LedgerEntry[] = [];
  const expired = catchUp(account, now, program.timeZone);
  entries.push(...expired.entries);
  let acc = expired.account;
  const accountBefore = acc;
  const lines = receipt.lines;

  const tier = currentTier(program, acc);
  const amountTotal = sum(lines.map((l) => l.amount));
  const tierExcluded = program.tiers?.excludedCategories ?? [];
  const discountable = lines.map((l) => (tierExcluded.includes(l.category) ? 0 : l.amount));
  const discount = discountRate(program, acc, tier?.discountBps ?? 0);
  const tierDiscountTotal = mulDivFloor(sum(discountable), discount.bps, 10_000);
  const tierDiscounts = allocateOrZero(tierDiscountTotal, discountable);
  const afterTier = lines.map((l, i) => l.amount - tierDiscounts[i]!);
  const rewardUse = useRewards(
    acc.rewards,
    lines.map((l, i) => ({ sku: l.sku, category: l.category, attributes: l.attributes, quantityMilli: l.quantityMilli, payable: afterTier[i]! })),
    receipt.rewards ?? { skip: false, asGift: [] },
  );
  // Each mention of an entry hands one of its rewards over; a mention beyond what it holds is unknown.
  const given = rewardUse.uses.filter((u) => u.asGift).map((u) => u.reward.rewardId);
  const unknownGift = (receipt.rewards?.asGift ?? []).find((id) => {
    const i = given.indexOf(id);
    if (i >= 0) given.splice(i, 1);
    return i < 0;
  });
  if (unknownGift) throw new RuleViolationError('unknown_reward', `rewards.asGift: "${unknownGift}" is not an unlocked reward of this customer`, 'rewards.asGift');
  acc = { ...acc, rewards: rewardUse.state };
  const rewardDiscounts = rewardUse.perLine;
  const afterRewards = afterTier.map((p, i) => p - rewardDiscounts[i]!);
  const counters = receipt.budgets ?? noCounters;
  const coupons = applyCoupons(program.coupons, acc, receipt.coupons ?? [], afterRewards, amountTotal, receipt.occurredAt, { counters, timeZone: program.timeZone });
  acc = countCouponUses(acc, coupons.uses, 1);
  const couponDiscounts = coupons.perLine;
  const payable = afterRewards.map((p, i) => p - couponDiscounts[i]!);

  const redemption = program.redemption;
  const pointValue = redemption?.pointValue ?? 0;
  const caps = lines.map((l, i) => {
    if (!redemption?.enabled) return 0;
    if (redemption.excludedCategories.includes(l.category) || redemption.excludedSkus.includes(l.sku)) return 0;
    return mulDivFloor(payable[i]!, redemption.maxShareBps, 10_000 * redemption.pointValue);
  });
  const receiptCap = sum(caps);
  const maxPoints = Math.min(receiptCap, Math.max(0, acc.available));
  let burned = lines.map(() => 0);
  let burnLots: Record<MonthKey, number> = {};
  if (receipt.burnPoints > 0) {
    if (!redemption?.enabled) {
      throw new RuleViolationError('redemption_disabled', 'burn.points: this program does not let points pay', 'burn.points');
    }
    if (receipt.burnPoints > receiptCap) {
      throw new BurnLimitError(receiptCap, `burn.points may be at most ${receiptCap} on this receipt (points may pay ${redemption.maxShareBps / 100}% of eligible lines)`);
    }
    const d = debit(acc, receipt.burnPoints, 'burn', { field: 'burn.points' });
    acc = d.account;
    burnLots = d.taken;
    if (d.entry) entries.push(d.entry);
    burned = allocate(receipt.burnPoints, caps);
  }
  const pointsDiscounts = burned.map((p) => p * pointValue);
  const paid = payable.map((p, i) => p - pointsDiscounts[i]!);

  const earnLines: EarnLine[] = lines.map((l, i) => {
    const eligible = !isExcluded(program.exclusions, l);
    return {
      sku: l.sku,
      category: l.category,
      attributes: l.attributes,
      quantityMilli: l.quantityMilli,
      eligible,
      basis: eligible ? (program.earning.basis === 'paid' ? paid[i]! : payable[i]!) : 0,
    };
  });
  const earning = earnWithinBudgets(
    program,
    acc,
    earnLines,
    {
      at: receipt.occurredAt,
      timeZone: program.timeZone,
      storeId: receipt.storeId,
      storeTags: receipt.storeTags,
      tierId: tier?.id,
      segments: acc.segments,
      amounts: { beforeDiscounts: amountTotal, afterDiscounts: sum(paid) },
    },
    tierMultiplier(program, tier),
    coupons.uses,
    counters,
  );
  const draws = [...earning.draws, ...coupons.draws];
  const earned = earning.perLine;
  const earnTotal = earning.total;
  const lot = lotFor(receipt.occurredAt, program.timeZone, program.expiry?.afterMonths);
  // With pending points on, what this receipt earns waits out the return window first.
  const pendingAt = program.pending ? pendingKey(releaseDay(receipt.occurredAt, program.timeZone, program.pending.days), lot) : null;
  if (earnTotal > 0) {
    const c = pendingAt ? addPending(acc, earnTotal, pendingAt) : credit(acc, earnTotal, lot, 'earn');
    acc = c.account;
    if (c.entry) entries.push(draws.length ? { ...c.entry, budgets: drawsByKey(draws) } : c.entry);
  }
  acc = recordCustomerDraws(acc, draws, receipt.occurredAt, program.timeZone);
  const paidTotal = sum(paid);
  acc = {
    ...acc,
    paidTotal: acc.paidTotal + paidTotal,
    receiptCount: acc.receiptCount + 1,
    eligibleSpend: acc.eligibleSpend + earning.eligibleSpend,
    eligibleSpendYear: {
      year: earning.year,
      amount: (acc.eligibleSpendYear?.year === earning.year ? acc.eligibleSpendYear.amount : 0) + earning.eligibleSpend,
    },
    grantedOnce: earning.grantedOnce.length ? [...acc.grantedOnce, ...earning.grantedOnce] : acc.grantedOnce,
    earnedDay: {
      day: earning.day,
      points: (acc.earnedDay?.day === earning.day ? acc.earnedDay.points : 0) + earnTotal,
    },
  };
  const progress = advanceProgress(
    program.rewards,
    acc.rewards,
    lines.map((l, i) => ({ sku: l.sku, category: l.category, attributes: l.attributes, quantityMilli: l.quantityMilli, paid: paid[i]! })),
    receipt.occurredAt,
    program.timeZone,
    // Only an unlocked reward is stamped with it: no string per receipt for programs without rewards.
    program.rewards.length ? now.toISOString() : '',
  );
  acc = { ...acc, rewards: progress.state };
  // The newcomer's first purchase rewards the member who referred them (written on their item).
  const referrer = rewardsReferrer(program, accountBefore) ? accountBefore.referral.referredBy : null;
  if (referrer) acc = { ...acc, referral: { ...acc.referral, referrerRewarded: true } };
  const month = monthOf(receipt.occurredAt, program.timeZone);
  acc = recordActivity(acc, month, paidTotal, earnTotal, addMonths(monthOf(now, program.timeZone), -ACTIVITY_MONTHS), 1);
  acc = notePurchase(acc, dayOf(receipt.occurredAt, program.timeZone));
  // (What was bought is listed only for a program that keeps a summary.)
  const purchases =
    program.purchaseSummary &&
    notePurchases(acc.purchases, program.purchaseSummary, month, {
      categories: lines.map((l) => l.category),
      skus: lines.map((l) => l.sku),
      storeId: receipt.storeId,
      // Line attributes, where the till sends them (the engine's `attributes` on a line).
      attributes: lines.flatMap((l) => Object.entries(l.attributes ?? {}).map(([k, v]) => attributeKey(k, v))),
    });
  // Without settings the summary is dropped; an account without one is not copied (most programs keep none).
  if (purchases || 'purchases' in acc) {
    const { purchases: _dropped, ...rest } = acc;
    acc = purchases ? { ...rest, purchases } : rest;
  }
  const upgrade = upgradeTier(program, acc, now);
  acc = upgrade.account;
  let upgradeBonus = 0;
  if (upgrade.upgradedTo && program.bonuses.tierUpgrade) {
    upgradeBonus = program.bonuses.tierUpgrade;
    const c = credit(acc, upgradeBonus, lotFor(now, program.timeZone, program.expiry?.afterMonths), 'bonus');
    acc = c.account;
    if (c.entry) entries.push(c.entry);
  }

  const keep = program.receipts.oneTimeBonusesOnReturn === 'keep';
  const priced: PricedLine[] = lines.map((l, i) => ({
    ...(keep && earning.oneTimePerLine[i]! > 0 ? { pointsKept: earning.oneTimePerLine[i]! } : {}),
    lineId: l.lineId,
    quantityMilli: l.quantityMilli,
    amount: l.amount,
    tierDiscount: tierDiscounts[i]!,
    rewardDiscount: rewardDiscounts[i]!,
    couponDiscount: couponDiscounts[i]!,
    pointsDiscount: pointsDiscounts[i]!,
    paid: paid[i]!,
    pointsEarned: earned[i]!,
    pointsBurned: burned[i]!,
  }));
  return {
    tier,
    lines: priced,
    lineCaps: caps,
    totals: {
      amount: amountTotal,
      tierDiscount: tierDiscountTotal,
      rewardDiscount: sum(rewardDiscounts),
      couponDiscount: sum(couponDiscounts),
      pointsDiscount: sum(pointsDiscounts),
      paid: paidTotal,
      pointsEarned: earnTotal,
      pointsBurned: receipt.burnPoints,
    },
    burn: { requested: receipt.burnPoints, maxPoints, pointValue },
    earn: { points: earnTotal, lot, pendingKey: pendingAt, expiresOn: program.expiry ? lotExpiryDate(lot) : null, rules: earning.appliedRules, sources: earning.sources, lineSources: earning.lineSources, misses: earning.misses },
    burnLots,
    rewards: { used: rewardUse.uses, unlocked: progress.unlocked, effects: progress.effects },
    discount,
    referrer,
    coupons: coupons.uses,
    month,
    tierUpgrade: upgrade.upgradedTo ? { to: upgrade.upgradedTo, bonusPoints: upgradeBonus } : null,
    entries,
    accountBefore,
    accountAfter: boundAccount(program, { ...acc, refills: trackRefills(program.refills, acc.refills, lines, receipt.occurredAt, program.timeZone) }, now),
    tierAfter: currentTier(program, acc),
    budgets: { draws, skipped: earning.skippedForBudget, couponsSkipped: coupons.skipped },
  };
}

/** The draws as a ledger entry keeps them. */
export const drawsByKey = (draws: readonly BudgetDraw[]): Record<string, Draw> => Object.fromEntries(draws.map((d) => [d.key, d.draw]));

function allocateOrZero(total: number, weights: readonly number[]): number[] {
  return total === 0 || sum(weights) === 0 ? weights.map(() => 0) : allocate(total, weights);
}

/** A till's quantity (up to 3 decimals, e.g. 0.25 kg) as integer thousandths, so no arithmetic is done in floating point. */
export const toMilli = (q: number): number => Math.round(q * 1000);
