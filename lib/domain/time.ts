/**
 * Calendar arithmetic in the program's time zone. Lots are keyed by the month at whose end they
 * expire ("YYYY-MM"), so a burn can take the earliest-expiring points without reading history.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      weekday: 'short',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export interface LocalTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  /** 1 = Monday … 7 = Sunday (ISO). */
  readonly isoWeekday: number;
}

const weekdays: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

const HOUR = 3_600_000;
const DAY_MS = 86_400_000;
/** Instants the fast path below takes (Intl writes far years differently, e.g. with an era, or in the Julian calendar). */
const FAST_FROM = Date.UTC(1900, 0, 1);
const FAST_TO = Date.UTC(9999, 11, 31);
/** Hours whose offset is known per zone, at most (about 11 years of hours); then the zone's cache starts over. */
const MAX_KNOWN_HOURS = 100_000;
/** An hour in which the zone's offset changes: its instants are asked of Intl one by one. */
const CHANGES = Number.NaN;

/**
 * Pricing asks the local time of several instants per receipt (rules, lots, caps, days), and a
 * replay asks it millions of times; Intl costs ~7 µs a call. A zone's offset from UTC is the same
 * through nearly every hour, so it is asked of Intl once per UTC hour (at the hour's first and last
 * second: the same offset at both means no change in between, as zones never change twice within
 * an hour), and the local time is then plain arithmetic on the instant plus that offset.
 */
const offsets = new Map<string, Map<number, number>>();
/** The last answer (one receipt asks about the same instant many times). */
let last: { ms: number; timeZone: string; time: LocalTime } = { ms: Number.NaN, timeZone: '', time: fromWallClock(0) };

export function localTime(instant: Date, timeZone: string): LocalTime {
  const ms = instant.getTime();
  if (ms === last.ms && timeZone === last.timeZone) return last.time;
  if (!(ms >= FAST_FROM && ms < FAST_TO)) return intlLocalTime(instant, timeZone);
  let known = offsets.get(timeZone);
  if (!known) offsets.set(timeZone, (known = new Map()));
  const hour = Math.floor(ms / HOUR);
  let offset = known.get(hour);
  if (offset === undefined) {
    const first = offsetAt(hour * HOUR, timeZone);
    offset = first === offsetAt(hour * HOUR + HOUR - 1000, timeZone) ? first : CHANGES;
    if (known.size >= MAX_KNOWN_HOURS) known.clear();
    known.set(hour, offset);
  }
  if (Number.isNaN(offset)) return intlLocalTime(instant, timeZone);
  const time = fromWallClock(ms + offset);
  last = { ms, timeZone, time };
  return time;
}

/** How far the zone's wall clock is ahead of UTC at `ms`, a whole second (Intl shows no milliseconds). */
function offsetAt(ms: number, timeZone: string): number {
  const parts = intlParts(new Date(ms), timeZone);
  const wall = new Date(0);
  wall.setUTCFullYear(Number(parts.year), Number(parts.month) - 1, Number(parts.day));
  wall.setUTCHours(Number(parts.hour), Number(parts.minute), Number(parts.second), 0);
  return wall.getTime() - ms;
}

/** Year, month, day, time and weekday of a wall-clock instant written as if it were UTC (days from the civil calendar, as in H. Hinnant's algorithm). */
function fromWallClock(wall: number): LocalTime {
  const days = Math.floor(wall / DAY_MS);
  const minuteOfDay = Math.floor((wall - days * DAY_MS) / 60_000);
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const month = mp < 10 ? mp + 3 : mp - 9;
  return {
    year: yoe + era * 400 + (month <= 2 ? 1 : 0),
    month,
    day: doy - Math.floor((153 * mp + 2) / 5) + 1,
    hour: Math.floor(minuteOfDay / 60),
    minute: minuteOfDay % 60,
    // 1970-01-01 was a Thursday.
    isoWeekday: ((((days + 3) % 7) + 7) % 7) + 1,
  };
}

function intlParts(instant: Date, timeZone: string): Record<string, string> {
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(instant)) parts[p.type] = p.value;
  return parts;
}

/** The local time as Intl tells it, with no cache: the reference the fast path must agree with. */
export function intlLocalTime(instant: Date, timeZone: string): LocalTime {
  const parts = intlParts(instant, timeZone);
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    isoWeekday: weekdays[parts.weekday ?? ''] ?? 0,
  };
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

export type MonthKey = string;

export function monthKey(year: number, month: number): MonthKey {
  // (The common case written directly: pricing makes several keys per receipt.)
  if (year >= 1000 && year <= 9999 && month >= 1 && month <= 12) return `${year}-${month < 10 ? '0' : ''}${month}`;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`;
}

/** Year and month of "YYYY-MM" (anything after a second dash ignored), read without splitting. */
function yearMonth(key: MonthKey): [number, number] {
  const dash = key.indexOf('-');
  if (dash < 0) return [Number(key), Number.NaN];
  const end = key.indexOf('-', dash + 1);
  return [Number(key.slice(0, dash)), Number(end < 0 ? key.slice(dash + 1) : key.slice(dash + 1, end))];
}

export function addMonths(key: MonthKey, months: number): MonthKey {
  const [y, m] = yearMonth(key);
  const index = y * 12 + (m - 1) + months;
  return monthKey(Math.floor(index / 12), (index % 12) + 1);
}

export function monthOf(instant: Date, timeZone: string): MonthKey {
  const t = localTime(instant, timeZone);
  return monthKey(t.year, t.month);
}

/** A lot keyed `key` expires at the end of that month, program time. */
export function isLotExpired(key: MonthKey, now: Date, timeZone: string): boolean {
  return key < monthOf(now, timeZone);
}

/** The last calendar day of a lot's month, for display ("expires at the end of 2027-03-31"). */
export function lotExpiryDate(key: MonthKey): string {
  const [y, m] = yearMonth(key);
  const last = y >= 100 && m >= 1 && m <= 12 ? daysInMonth(y, m) : new Date(Date.UTC(y, m, 0)).getUTCDate();
  return `${key}-${String(last).padStart(2, '0')}`;
}

const daysInMonth = (y: number, m: number): number =>
  m === 2 ? ((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28) : m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
