/** Points outside receipts: staff adjustments and bonuses. Points in go to a fresh lot; points out take the earliest-expiring first. */
import { credit, debit, lotFor, type Account, type LedgerEntry } from './account.ts';
import type { Program } from './program.ts';
import { catchUp } from './pending.ts';

export interface AdjustmentOutcome {
  readonly entries: readonly LedgerEntry[];
  readonly accountAfter: Account;
}

export function adjustPoints(program: Program, account: Account, points: number, now: Date): AdjustmentOutcome {
  const entries: LedgerEntry[] = [];
  const expired = catchUp(account, now, program.timeZone);
  entries.push(...expired.entries);
  const change =
    points >= 0
      ? credit(expired.account, points, lotFor(now, program.timeZone, program.expiry?.afterMonths), 'adjustment')
      : debit(expired.account, -points, 'adjustment', { field: 'points' });
  if (change.entry) entries.push(change.entry);
  return { entries, accountAfter: change.account };
}

/** A bonus (registration, …): points into a fresh lot, recorded as kind `bonus`. */
export function grantBonus(program: Program, account: Account, points: number, now: Date): AdjustmentOutcome {
  const entries: LedgerEntry[] = [];
  const expired = catchUp(account, now, program.timeZone);
  entries.push(...expired.entries);
  const change = credit(expired.account, points, lotFor(now, program.timeZone, program.expiry?.afterMonths), 'bonus');
  if (change.entry) entries.push(change.entry);
  return { entries, accountAfter: change.account };
}

/** The birthday bonus the program grants (the job decides who and when; this decides how much). */
export const birthdayBonusPoints = (program: Program): number => program.bonuses.birthday ?? 0;
