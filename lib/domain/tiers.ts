/**
 * Tiers: levels by money paid or points earned, over all time, a rolling window of months or the
 * calendar year; plus levels only staff assign (VIP). A level is reached on the receipt that
 * crosses its threshold and applies from the next purchase; it is lowered only by `reviewTier`
 * at the end of a period, never at the till.
 */
import type { Account } from './account.ts';
import type { Program } from './program.ts';
import { ONE } from './rules.ts';
import { addMonths, monthOf, type MonthKey } from './time.ts';

export interface TierView {
  readonly id: string;
  readonly name: string;
  readonly discountBps: number;
  readonly assignedBy: 'program' | 'staff';
}

type Tiers = NonNullable<Program['tiers']>;
type Level = Tiers['levels'][number];

const view = (l: { id: string; name: string; discountBps: number }, assignedBy: TierView['assignedBy']): TierView => ({
  id: l.id,
  name: l.name,
  discountBps: l.discountBps,
  assignedBy,
});

/** What the levels measure, now, for this account. */
export function tierMeasure(tiers: Tiers, account: Account, now: Date, timeZone: string): number {
  const field = tiers.basis === 'points' ? 'points' : 'paid';
  if (tiers.window.kind === 'lifetime') {
    if (field === 'paid') return account.paidTotal;
    return Object.values(account.activity).reduce((s, m) => s + m.points, 0);
  }
  const current = monthOf(now, timeZone);
  const from: MonthKey = tiers.window.kind === 'calendarYear' ? `${current.slice(0, 4)}-01` : addMonths(current, 1 - tiers.window.months);
  let total = 0;
  for (const [month, m] of Object.entries(account.activity)) if (month >= from && month <= current) total += m[field];
  return total;
}

/**
 * Whether `tierMeasure` may look at months before the current one: not without levels, not for
 * all-time money paid (kept as one total) and not for a one-month window. The till reads the
 * earlier months (kept apart from what a receipt rewrites) only when it does.
 */
export function tierMeasureReadsEarlierMonths(program: Program): boolean {
  const tiers = program.tiers;
  if (!tiers) return false;
  if (tiers.window.kind === 'lifetime') return tiers.basis === 'points';
  return tiers.window.kind === 'calendarYear' || tiers.window.months > 1;
}

export function levelFor(tiers: Tiers, measure: number): Level {
  let level = tiers.levels[0]!;
  for (const l of tiers.levels) if (measure >= l.threshold) level = l;
  return level;
}

const rank = (tiers: Tiers, id: string | null) => tiers.levels.findIndex((l) => l.id === id);

/** The tier for the customer's next purchase: staff-assigned if any, else the level reached. */
export function currentTier(program: Program, account: Account): TierView | null {
  const tiers = program.tiers;
  if (!tiers) return null;
  if (account.staffTierId) {
    const staff = tiers.staffLevels.find((l) => l.id === account.staffTierId);
    if (staff) return view(staff, 'staff');
  }
  const reached = tiers.levels.find((l) => l.id === account.tierId);
  // Accounts from before stored levels existed: all-time paid was the only basis then.
  const level = reached ?? (tiers.window.kind === 'lifetime' && tiers.basis === 'cumulativePaid' ? levelFor(tiers, account.paidTotal) : tiers.levels[0]!);
  return view(level, 'program');
}

/** The account with its level set, and the level's rank (0 = the first) kept beside it for the review job's index. */
const withLevel = (tiers: Tiers, account: Account, tierId: string): Account => ({ ...account, tierId, tierRank: Math.max(0, rank(tiers, tierId)) });

/** The account on program level `tierId` as if reached (a migrated member keeps the level the old system gave them). */
export function assignLevel(program: Program, account: Account, tierId: string): Account {
  const tiers = program.tiers;
  if (!tiers || rank(tiers, tierId) < 0) throw new Error(`"${tierId}" is not a level of this program`);
  return withLevel(tiers, account, tierId);
}

/** Raises the stored level if the account now measures up to a higher one; never lowers it. */
export function upgradeTier(program: Program, account: Account, now: Date): { account: Account; upgradedTo: string | null } {
  const tiers = program.tiers;
  if (!tiers) return { account, upgradedTo: null };
  const reached = levelFor(tiers, tierMeasure(tiers, account, now, program.timeZone));
  const current = currentTier(program, { ...account, staffTierId: null })!;
  if (rank(tiers, reached.id) > rank(tiers, current.id)) return { account: withLevel(tiers, account, reached.id), upgradedTo: reached.id };
  if (account.tierId === null || account.tierRank !== Math.max(0, rank(tiers, current.id))) return { account: withLevel(tiers, account, current.id), upgradedTo: null };
  return { account, upgradedTo: null };
}

/** Period-end review: the level is set to what the account measures now, up or down. */
export function reviewTier(program: Program, account: Account, now: Date): { account: Account; changed: boolean } {
  const tiers = program.tiers;
  if (!tiers) return { account, changed: false };
  const level = levelFor(tiers, tierMeasure(tiers, account, now, program.timeZone));
  return level.id === account.tierId ? { account, changed: false } : { account: withLevel(tiers, account, level.id), changed: true };
}

/**
 * Whether `day` (program time) starts a new tier period, so levels may drop: the first of every
 * month for a rolling window, 1 January for the calendar year; never for lifetime levels.
 */
export function tierPeriodStarts(program: Program, day: string): boolean {
  const w = program.tiers?.window;
  if (!w || w.kind === 'lifetime') return false;
  return w.kind === 'calendarYear' ? day.slice(5) === '01-01' : day.slice(8) === '01';
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

/**
 * Adds a receipt's (or, negative, a return's) money, points and receipt count to the month it
 * belongs to. A bucket from before receipts were counted starts counting at what it implied (one
 * receipt if it held money), so a full return of an old receipt never goes below zero.
 */
export function recordActivity(account: Account, month: MonthKey, paid: number, points: number, keepFrom: MonthKey, receipts = 0): Account {
  const activity: Record<MonthKey, { paid: number; points: number; receipts?: number }> = {};
  for (const [k, v] of Object.entries(account.activity)) if (k >= keepFrom) activity[k] = v;
  const m = activity[month] ?? { paid: 0, points: 0, receipts: 0 };
  const before = m.receipts ?? (m.paid > 0 ? 1 : 0);
  activity[month] = { paid: m.paid + paid, points: m.points + points, receipts: Math.max(0, before + receipts) };
  return { ...account, activity };
}
