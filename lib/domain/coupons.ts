/**
 * Coupons: campaigns in the program document, one-time codes issued from them. A code starts
 * with its campaign's code (`SPRING-7KQ2M9XP4D`), so pricing knows the reward without reading
 * the coupon; the commit's transaction then marks the coupon used on the condition that it is
 * still unused (and, when issued to someone, used by them) — two tills, one coupon, one winner.
 */
import type * as z from 'zod';
import type { campaignSchema } from './schemas/coupons.ts';
import { allocate, mulDivFloor, sum } from './allocation.ts';
import type { Account } from './account.ts';
import { RuleViolationError } from './errors.ts';
import { addDraws, budgetKey, budgetRefusal, noCounters, noDraw, type Counters, type Draw } from './budgets.ts';
import type { BudgetDraw } from './budgeted-earning.ts';

export type Campaign = z.output<typeof campaignSchema>;

export const couponCodePattern = /^[A-Z0-9]{2,12}-[A-Z0-9]{6,16}$/;

export function campaignOf(campaigns: readonly Campaign[], code: string): Campaign | undefined {
  const prefix = code.split('-')[0];
  return campaigns.find((c) => c.code === prefix);
}

export interface CouponUse {
  readonly code: string;
  readonly campaignId: string;
  readonly discount: number;
  readonly points: number;
}

/**
 * Checks the codes against their campaigns and the customer's use so far, and prices them:
 * percent and amount coupons as a discount per line, points coupons as receipt-level points.
 */
export function applyCoupons(
  campaigns: readonly Campaign[],
  account: Account,
  codes: readonly string[],
  payable: readonly number[],
  receiptAmount: number,
  at: Date,
  budgets: { readonly counters: Counters; readonly timeZone: string } = { counters: noCounters, timeZone: 'UTC' },
): { uses: CouponUse[]; perLine: number[]; points: number; draws: BudgetDraw[]; skipped: Array<{ code: string; campaignId: string; scope: 'global' | 'customer' }> } {
  const perLine = payable.map(() => 0);
  const uses: CouponUse[] = [];
  let remaining = [...payable];
  const counted: Record<string, number> = {};
  const drawn: Record<string, Draw> = {};
  const skipped: Array<{ code: string; campaignId: string; scope: 'global' | 'customer' }> = [];
  codes.forEach((code, i) => {
    const field = `coupons.${i}`;
    const campaign = campaignOf(campaigns, code);
    if (!campaign) throw new RuleViolationError('unknown_coupon', `${field}: "${code}" belongs to no campaign of this program`, field);
    if (codes.indexOf(code) !== i) throw new RuleViolationError('duplicate_coupon', `${field}: "${code}" is given twice`, field);
    if ((campaign.validFrom && at < new Date(campaign.validFrom)) || (campaign.validTo && at >= new Date(campaign.validTo))) {
      throw new RuleViolationError('coupon_not_valid_now', `${field}: campaign "${campaign.name}" is not running at this time`, field);
    }
    const used = (account.couponUses[campaign.id] ?? 0) + (counted[campaign.id] ?? 0);
    if (used >= campaign.perCustomerLimit) {
      throw new RuleViolationError('coupon_limit_reached', `${field}: this customer has used ${used} coupon(s) of "${campaign.name}", the limit`, field);
    }
    if (receiptAmount < campaign.minAmount) {
      throw new RuleViolationError('coupon_min_amount', `${field}: "${campaign.name}" needs a receipt of at least ${campaign.minAmount}`, field);
    }
    const base = sum(remaining);
    const r = campaign.reward;
    const off = r.type === 'percent' ? mulDivFloor(base, r.bps, 10_000) : r.type === 'amount' ? Math.min(base, r.amount) : 0;
    // A spent campaign simply does not apply: the receipt goes through without it, the code stays unused.
    if (campaign.budget) {
      const key = budgetKey('coupon', campaign.id);
      const draw = { grants: 1, points: r.type === 'points' ? r.points : 0, amount: off };
      const refusal = budgetRefusal(campaign.budget, key, draw, budgets.counters, account, at, budgets.timeZone, drawn[key]);
      if (refusal) {
        skipped.push({ code, campaignId: campaign.id, scope: refusal.scope });
        return;
      }
      drawn[key] = addDraws(drawn[key] ?? noDraw, draw);
    }
    counted[campaign.id] = (counted[campaign.id] ?? 0) + 1;
    if (off > 0) {
      const split = allocate(off, remaining);
      split.forEach((d, k) => (perLine[k]! += d));
      remaining = remaining.map((x, k) => x - split[k]!);
    }
    uses.push({ code, campaignId: campaign.id, discount: off, points: r.type === 'points' ? r.points : 0 });
  });
  const draws = Object.entries(drawn).map(([key, draw]) => ({ key, budget: campaigns.find((c) => budgetKey('coupon', c.id) === key)!.budget!, draw }));
  return { uses, perLine, points: sum(uses.map((u) => u.points)), draws, skipped };
}

export function countCouponUses(account: Account, uses: readonly { campaignId: string }[], sign: 1 | -1): Account {
  if (uses.length === 0) return account;
  const couponUses = { ...account.couponUses };
  for (const u of uses) couponUses[u.campaignId] = Math.max(0, (couponUses[u.campaignId] ?? 0) + sign);
  return { ...account, couponUses };
}
