import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addDays, birthdaysOn, dayOf, isDay, lotToRemindOn } from '#domain/calendar.ts';
import { lotExpiryDate } from '#domain/time.ts';

describe('calendar days for the jobs', () => {
  it('celebrates 29 February on 28 February only in non-leap years', () => {
    expect(birthdaysOn('2027-02-28')).toEqual(['02-28', '02-29']);
    expect(birthdaysOn('2028-02-28')).toEqual(['02-28']);
    expect(birthdaysOn('2028-02-29')).toEqual(['02-29']);
    expect(birthdaysOn('2100-02-28')).toEqual(['02-28', '02-29']);
    expect(birthdaysOn('2000-02-28')).toEqual(['02-28']);
    expect(birthdaysOn('2027-03-01')).toEqual(['03-01']);
  });

  it('every birthday is celebrated exactly once in any year', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1901, max: 2399 }), fc.integer({ min: 0, max: 365 }), (year, offset) => {
        const birthday = addDays('2024-01-01', offset).slice(5); // a leap year: all 366 birthdays
        let days = 0;
        for (let d = `${year}-01-01`; d.startsWith(String(year)); d = addDays(d, 1)) if (birthdaysOn(d).includes(birthday)) days += 1;
        return days === 1;
      }),
      { numRuns: 40 },
    );
  });

  it('takes the day in the program time zone', () => {
    expect(dayOf(new Date('2027-02-27T21:30:00Z'), 'Asia/Yerevan')).toBe('2027-02-28');
    expect(dayOf(new Date('2027-02-27T21:30:00Z'), 'America/New_York')).toBe('2027-02-27');
  });

  it('reminds about a lot exactly N days before its month ends (scenario 7: 14 days before 31 March 2027)', () => {
    expect(lotToRemindOn('2027-03-17', 14)).toBe('2027-03');
    expect(lotToRemindOn('2027-03-16', 14)).toBeNull();
    expect(lotToRemindOn('2027-02-14', 14)).toBe('2027-02');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 1, max: 27 }), (offset, n) => {
        const day = addDays('2026-01-01', offset);
        const lot = lotToRemindOn(day, n);
        return lot === null ? lotExpiryDate(addDays(day, n).slice(0, 7)) !== addDays(day, n) : lotExpiryDate(lot) === addDays(day, n);
      }),
    );
  });

  it('knows real days', () => {
    expect(isDay('2028-02-29')).toBe(true);
    expect(isDay('2027-02-29')).toBe(false);
    expect(isDay('2027-2-1')).toBe(false);
  });
});
