/** Discount tiers by cumulative amount paid, with levels that only staff assign. */
import type { Account } from './account.ts';
import type { Program } from './program.ts';
import { ONE } from './rules.ts';

export interface TierView {
  readonly id: string;
  readonly name: string;
  readonly discountBps: number;
  readonly assignedBy: 'program' | 'staff';
}

/**
 * The tier for the customer's next purchase. It is evaluated from the account before a receipt,
 * so the purchase that crosses a threshold does not get the new rate itself.
 */
export function currentTier(program: Program, account: Account): TierView | null {
  const tiers = program.tiers;
  if (!tiers) return null;
  if (account.staffTierId) {
    const staff = tiers.staffLevels.find((l) => l.id === account.staffTierId);
    if (staff) return { id: staff.id, name: staff.name, discountBps: staff.discountBps, assignedBy: 'staff' };
  }
  let level = tiers.levels[0]!;
  for (const l of tiers.levels) if (account.paidTotal >= l.threshold) level = l;
  return { id: level.id, name: level.name, discountBps: level.discountBps, assignedBy: 'program' };
}

export function isStaffTier(program: Program, tierId: string): boolean {
  return program.tiers?.staffLevels.some((l) => l.id === tierId) ?? false;
}

/** The earn multiplier of the customer's tier, in ten-thousandths (10000 = none). */
export function tierMultiplier(program: Program, tier: TierView | null): number {
  if (!tier || !program.tiers) return ONE;
  const level = [...program.tiers.levels, ...program.tiers.staffLevels].find((l) => l.id === tier.id);
  return level?.earnMultiplier ?? ONE;
}
