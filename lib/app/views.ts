/** What the API shows of a customer. Balances shown already leave out lots whose month has ended. */
import { NEVER_EXPIRES, type Account } from '#domain/account.ts';
import { catchUp, pendingTotal } from '#domain/pending.ts';
import type { Program } from '#domain/program.ts';
import { dayOf } from '#domain/calendar.ts';
import { classify, rfmSettings } from '#domain/rfm.ts';
import { currentTier, type TierView } from '#domain/tiers.ts';
import { lotExpiryDate } from '#domain/time.ts';
import { describeProgress, rewardText, type StoredReward } from '#domain/rewards.ts';
import type { CustomerRecord } from '../storage/customers.ts';

export interface PointsView {
  available: number;
  pending: number;
  expiring: Array<{ on: string; points: number }>;
}

export function pointsView(program: Program, account: Account, now: Date, pending = 0): PointsView {
  const live = catchUp(account, now, program.timeZone).account;
  const expiring = Object.keys(live.lots)
    .filter((k) => k !== NEVER_EXPIRES)
    .sort()
    .map((k) => ({ on: lotExpiryDate(k), points: live.lots[k]! }));
  return { available: live.available, pending: pendingTotal(live) + pending, expiring };
}

export const tierView = (tier: TierView | null) =>
  tier && { id: tier.id, name: tier.name, discountBps: tier.discountBps, assignedBy: tier.assignedBy };

/** Points `friends` friends' first purchases have earned this customer, shown as pending until settled. */
export const pendingReferralPoints = (program: Program, friends: number): number => friends * (program.referral?.referrer.bonusPoints ?? 0);

/** `friendsWaiting`: friends' rewards not settled yet (pendingReferralCount), shown as pending points. */
export function customerView(c: CustomerRecord, program: Program, now: Date, friendsWaiting = 0) {
  const { customerId, card, phone, name, email, birthDate, locale, consents, createdAt, referralCode } = c.profile;
  return {
    customerId,
    card,
    phone,
    name,
    email,
    birthDate,
    locale,
    consents,
    createdAt,
    referralCode,
    referredBy: c.account.referral.referredBy ?? undefined,
    segments: c.account.segments,
    tier: tierView(currentTier(program, c.account)),
    cumulativePaid: c.account.paidTotal,
    points: pointsView(program, c.account, now, pendingReferralPoints(program, friendsWaiting)),
    rfm: rfmView(program, c.account, now),
  };
}

/** The customer's RFM class today (program time), with the measures it was decided on. */
export function rfmView(program: Program, account: Account, now: Date) {
  const r = classify(rfmSettings(program), account, dayOf(now, program.timeZone));
  return { class: r.class, recencyDays: r.recencyDays, receipts: r.receipts, spend: r.spend };
}

export const rewardView = (program: Program, r: StoredReward) => {
  const text = rewardText(program.rewards, r);
  return {
    rewardId: r.rewardId,
    name: text.name,
    discountBps: r.discountBps,
    amountOff: r.amountOff,
    gift: text.gift,
    unlockedAt: r.unlockedAt,
    count: r.count ?? 1,
  };
};

/** Unlocked one-time rewards and progress on stamp cards and item milestones. */
export function rewardsView(program: Program, account: Account) {
  return {
    rewards: account.rewards.rewards.map((r) => rewardView(program, r)),
    stampCards: describeProgress(program.rewards, account.rewards),
  };
}
