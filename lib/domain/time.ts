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

/** Pricing asks the same instant several times (rules, lots, caps); Intl costs ~7 µs a call. */
const recent = new Map<string, LocalTime>();

export function localTime(instant: Date, timeZone: string): LocalTime {
  const key = `${timeZone}|${instant.getTime()}`;
  const hit = recent.get(key);
  if (hit) return hit;
  const t = computeLocalTime(instant, timeZone);
  if (recent.size >= 256) recent.clear();
  recent.set(key, t);
  return t;
}

function computeLocalTime(instant: Date, timeZone: string): LocalTime {
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(instant)) parts[p.type] = p.value;
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
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`;
}

export function addMonths(key: MonthKey, months: number): MonthKey {
  const [y, m] = key.split('-').map(Number) as [number, number];
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
  const [y, m] = key.split('-').map(Number) as [number, number];
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return `${key}-${String(last).padStart(2, '0')}`;
}
