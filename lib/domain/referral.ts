/**
 * Referrals (scenarios 3 and 6): a newcomer who enrols with a member's code gets a guaranteed
 * discount and/or bonus points; the member gets extra discount and/or points once the newcomer
 * has made a first purchase. That purchase's transaction leaves the member's reward in an item of
 * its own (no extra read, and nothing added to the member's item, which a popular code would
 * otherwise fill); the member's next write settles the waiting rewards into the member's ledger.
 */
import type * as z from 'zod';
import type { referralSchema } from './schemas/referral.ts';
import { credit, lotFor, type Account, type LedgerEntry } from './account.ts';
import type { Program } from './program.ts';
import { catchUp } from './pending.ts';

export type ReferralTerms = z.output<typeof referralSchema>;

export interface ReferralState {
  /** The member whose code this customer enrolled with. */
  readonly referredBy: string | null;
  /** Set once the referrer has been rewarded for this customer's first purchase. */
  readonly referrerRewarded: boolean;
  /** Friends of this customer who have bought, settled into this account. */
  readonly friendsRewarded: number;
  /**
   * Friends who enrolled with this customer's code (counted before each enrolment, so never too
   * few): while it exceeds `friendsRewarded` some may have rewards waiting. Absent on accounts
   * from before it was kept, whose waiting rewards are always looked for.
   */
  readonly friendsEnrolled?: number | undefined;
}

export const emptyReferralState = (): ReferralState => ({ referredBy: null, referrerRewarded: false, friendsRewarded: 0, friendsEnrolled: 0 });

/** Whether friends' rewards may be waiting for this account (so its next write looks for them). */
export const mayHaveFriendsWaiting = (r: ReferralState): boolean => r.friendsEnrolled === undefined || r.friendsEnrolled > r.friendsRewarded;

/** The reward a friend's first purchase leaves for the referrer. */
export interface PendingReferral {
  readonly friendId: string;
  readonly receiptId: string;
  readonly at: string;
}

/** Whether this receipt is the newcomer's first purchase that rewards their referrer. */
export function rewardsReferrer(program: Program, account: Account): boolean {
  return Boolean(program.referral && account.referral.referredBy && !account.referral.referrerRewarded && account.receiptCount === 0);
}

/** Settles `friends` friends' waiting rewards into the referrer's account: points (one ledger entry) and the friend count. */
export function settleReferrals(program: Program, account: Account, friends: number, now: Date): { account: Account; entries: LedgerEntry[] } {
  if (friends === 0) return { account, entries: [] };
  const entries: LedgerEntry[] = [];
  let acc: Account = { ...account, referral: { ...account.referral, friendsRewarded: account.referral.friendsRewarded + friends } };
  const perFriend = program.referral?.referrer.bonusPoints ?? 0;
  if (perFriend > 0) {
    const expired = catchUp(acc, now, program.timeZone);
    entries.push(...expired.entries);
    const c = credit(expired.account, perFriend * friends, lotFor(now, program.timeZone, program.expiry?.afterMonths), 'bonus');
    acc = c.account;
    if (c.entry) entries.push(c.entry);
  }
  return { account: acc, entries };
}

/** The card discount now: the tier's, at least the newcomer's guarantee, plus friends', capped. */
export function discountRate(program: Program, account: Account, tierBps: number): { bps: number; sources: string[] } {
  const terms = program.referral;
  if (!terms) return { bps: tierBps, sources: tierBps > 0 ? ['tier'] : [] };
  const sources: string[] = tierBps > 0 ? ['tier'] : [];
  let bps = tierBps;
  const guaranteed = account.referral.referredBy ? (terms.newcomer.guaranteedDiscountBps ?? 0) : 0;
  if (guaranteed > bps) {
    bps = guaranteed;
    sources.splice(0, sources.length, 'referral:newcomer');
  }
  const friends = account.referral.friendsRewarded * (terms.referrer.discountBpsPerFriend ?? 0);
  if (friends > 0) {
    bps += friends;
    sources.push('referral:friends');
  }
  return { bps: Math.min(bps, terms.maxDiscountBps), sources };
}
