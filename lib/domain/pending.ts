/**
 * Pending points: with `pending.days` set, points a receipt earns become usable only that many
 * days after the purchase (the return window). They wait in buckets keyed by release day and
 * lot; each move is a ledger entry carrying the pending change, and a return within the window
 * takes them from the bucket, so spent-then-returned points cannot happen.
 */
import { credit, expireDue, type Account, type LedgerEntry } from './account.ts';
import { localTime, type MonthKey } from './time.ts';

export const pendingKey = (releaseOn: string, lot: MonthKey): string => `${releaseOn}#${lot}`;

/** The day (program time) `days` after `at`. */
export function releaseDay(at: Date, timeZone: string, days: number): string {
  const t = localTime(at, timeZone);
  const d = new Date(Date.UTC(t.year, t.month - 1, t.day + days));
  return d.toISOString().slice(0, 10);
}

export function addPending(account: Account, points: number, key: string): { account: Account; entry: LedgerEntry | null } {
  if (points === 0) return { account, entry: null };
  const pendingLots = { ...account.pendingLots, [key]: (account.pendingLots[key] ?? 0) + points };
  return {
    account: { ...account, pendingLots },
    entry: { kind: 'earn', points: 0, lots: {}, debt: 0, balanceAfter: account.available, pending: { [key]: points } },
  };
}

/** Takes up to `points` back from one bucket (a return within the window); returns what it took. */
export function takePending(account: Account, points: number, key: string): { account: Account; entry: LedgerEntry | null; taken: number } {
  const have = account.pendingLots[key] ?? 0;
  const taken = Math.min(have, points);
  if (taken === 0) return { account, entry: null, taken: 0 };
  const pendingLots = { ...account.pendingLots };
  if (have - taken === 0) delete pendingLots[key];
  else pendingLots[key] = have - taken;
  return {
    account: { ...account, pendingLots },
    entry: { kind: 'earn_reversal', points: 0, lots: {}, debt: 0, balanceAfter: account.available, pending: { [key]: -taken } },
    taken,
  };
}

/**
 * Moves every bucket whose day has come into its lot (paying any debt first), as one ledger
 * entry however many buckets are due: a customer back after a year brings up to 366, and each
 * entry is an item of the write's transaction (at most 100).
 */
export function releaseDue(account: Account, now: Date, timeZone: string): { account: Account; entries: LedgerEntry[] } {
  // Nothing waits (every account of a program without pending points): no day to work out.
  if (!hasKeys(account.pendingLots)) return { account, entries: [] };
  const today = releaseDay(now, timeZone, 0);
  const due = Object.keys(account.pendingLots)
    .sort()
    .filter((key) => key.split('#')[0]! <= today);
  if (due.length === 0) return { account, entries: [] };
  let acc = account;
  const lots: Record<MonthKey, number> = {};
  const pending: Record<string, number> = {};
  let debt = 0;
  for (const key of due) {
    const lot = key.split('#')[1] as MonthKey;
    const points = acc.pendingLots[key] ?? 0;
    const pendingLots = { ...acc.pendingLots };
    delete pendingLots[key];
    const c = credit({ ...acc, pendingLots }, points, lot, 'release');
    acc = c.account;
    pending[key] = -points;
    debt += c.entry?.debt ?? 0;
    for (const [k, n] of Object.entries(c.entry?.lots ?? {})) lots[k] = (lots[k] ?? 0) + n;
  }
  const entry: LedgerEntry = { kind: 'release', points: acc.available - account.available, lots, debt, balanceAfter: acc.available, pending };
  return { account: acc, entries: [entry] };
}

function hasKeys(r: Readonly<Record<string, number>>): boolean {
  for (const _ in r) return true;
  return false;
}

export const pendingTotal = (account: Account): number => Object.values(account.pendingLots).reduce((s, n) => s + n, 0);

/**
 * Brings an account up to `now` before any change: pending points whose day has come are
 * released, then lots whose month has ended expire. Every write starts with this, so balances
 * are right even before the background jobs have run.
 */
export function catchUp(account: Account, now: Date, timeZone: string): { account: Account; entries: LedgerEntry[] } {
  const released = releaseDue(account, now, timeZone);
  const expired = expireDue(released.account, now, timeZone);
  return { account: expired.account, entries: expired.entry ? [...released.entries, expired.entry] : released.entries };
}
