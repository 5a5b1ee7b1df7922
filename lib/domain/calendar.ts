/**
 * Calendar days in the program's time zone ("YYYY-MM-DD" strings) for the background jobs:
 * whose birthday a day is, which lots a day expires, when a reminder is due.
 */
import { localTime, lotExpiryDate, monthKey, type MonthKey } from './time.ts';

export type Day = string;

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether `s` is a real calendar day (2027-02-29 is not). */
export function isDay(s: string): boolean {
  const m = DAY.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === s;
}

/** The day it is at `instant` in `timeZone`. */
export function dayOf(instant: Date, timeZone: string): Day {
  const t = localTime(instant, timeZone);
  return `${monthKey(t.year, t.month)}-${String(t.day).padStart(2, '0')}`;
}

/**
 * The first instant of `day` in `timeZone` (its local midnight, or the first minute after a
 * midnight that a DST change skipped), found by correcting a UTC guess by the zone's offset.
 */
export function startOfDay(day: Day, timeZone: string): Date {
  const wall = Date.parse(`${day}T00:00:00Z`);
  let t = wall;
  for (let i = 0; i < 3; i++) {
    const l = localTime(new Date(t), timeZone);
    const shown = Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute);
    if (shown === wall) return new Date(t);
    t += wall - shown;
  }
  // No local midnight that day (a skipped hour): the first minute that is on that day.
  while (dayOf(new Date(t), timeZone) !== day) t += 60_000;
  return new Date(t);
}

/**
 * The instant a job for `day` acts as of: now when `day` is today in the program's time zone (a
 * scheduled run), otherwise the start of `day` — so a run by hand for a past or future day does
 * what it says, not what today would.
 */
export function actingInstant(day: Day, now: Date, timeZone: string): Date {
  return dayOf(now, timeZone) === day ? now : startOfDay(day, timeZone);
}

export function addDays(day: Day, days: number): Day {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

export const isLeapYear = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

/**
 * The birthdays ("MM-DD") celebrated on `day`: its own, and on 28 February of a non-leap year
 * also 29 February's, so those customers get their bonus once a year like everyone else.
 */
export function birthdaysOn(day: Day): string[] {
  const md = day.slice(5);
  return md === '02-28' && !isLeapYear(Number(day.slice(0, 4))) ? ['02-28', '02-29'] : [md];
}

/** "MM-DD" of a birth date "YYYY-MM-DD" (or "--MM-DD" when the year is not given). */
export const birthdayOf = (birthDate: string): string => birthDate.slice(-5);

/** Lots whose month ended before `day` are expired on it. */
export const firstLiveLot = (day: Day): MonthKey => day.slice(0, 7);

/**
 * The lot whose expiry a reminder `daysBefore` days ahead announces on `day`, if any: lots expire
 * at the end of their month, so that is the month of `day + daysBefore` when that is its last day.
 */
export function lotToRemindOn(day: Day, daysBefore: number): MonthKey | null {
  const target = addDays(day, daysBefore);
  const lot = target.slice(0, 7);
  return lotExpiryDate(lot) === target ? lot : null;
}
