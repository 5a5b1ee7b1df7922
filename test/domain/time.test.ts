import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addMonths, intlLocalTime, localTime, lotExpiryDate, monthKey } from '#domain/time.ts';

/** Zones with DST both ways, half- and quarter-hour offsets, a 30-minute DST, a skipped day, negative DST, Ramadan breaks. */
const zones = [
  'UTC',
  'Asia/Yerevan',
  'America/New_York',
  'Europe/London',
  'Europe/Dublin',
  'Australia/Lord_Howe',
  'Asia/Kathmandu',
  'America/St_Johns',
  'Pacific/Apia',
  'Pacific/Chatham',
  'Africa/Casablanca',
  'America/Santiago',
  'Asia/Tehran',
];

describe('local time in a program time zone', () => {
  it('agrees with Intl at any instant from 1900 to 2200 (Intl is asked once an hour, the rest is arithmetic)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...zones), fc.integer({ min: Date.UTC(1890, 0, 1), max: Date.UTC(2200, 0, 1) }), (zone, ms) => {
        const at = new Date(ms);
        expect(localTime(at, zone)).toEqual(intlLocalTime(at, zone));
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees with Intl minute by minute around every offset change of 2026 and of Samoa\'s skipped day (30 December 2011)', () => {
    /** The zone's offset at `ms` (a whole minute), as Intl tells it. */
    const offset = (zone: string, ms: number) => {
      const t = intlLocalTime(new Date(ms), zone);
      return Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute) - ms;
    };
    let changes = 0;
    for (const zone of zones) {
      for (const [from, to] of [
        ['2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z'],
        ['2011-12-25T00:00:00Z', '2012-01-05T00:00:00Z'],
      ] as const) {
        for (let day = Date.parse(from); day < Date.parse(to); day += 86_400_000) {
          if (offset(zone, day) === offset(zone, day + 86_400_000)) continue;
          // The minute the offset changes, then every minute (and a second into it) for two hours either side.
          let lo = day;
          let hi = day + 86_400_000;
          while (hi - lo > 60_000) {
            const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
            if (offset(zone, mid) === offset(zone, lo)) lo = mid;
            else hi = mid;
          }
          changes++;
          for (let ms = hi - 2 * 3_600_000; ms <= hi + 2 * 3_600_000; ms += 60_000) {
            for (const at of [new Date(ms - 1), new Date(ms), new Date(ms + 1000)]) {
              expect({ zone, at: at.toISOString(), t: localTime(at, zone) }).toEqual({ zone, at: at.toISOString(), t: intlLocalTime(at, zone) });
            }
          }
        }
      }
    }
    // New York, London, Dublin, Lord Howe, St John's, Chatham, Santiago, Casablanca (4) change twice a year; Apia once in 2011.
    expect(changes).toBeGreaterThanOrEqual(17);
  });

  it('month keys and month ends as before', () => {
    expect(monthKey(2026, 3)).toBe('2026-03');
    expect(monthKey(2026, 12)).toBe('2026-12');
    expect(monthKey(99, 1)).toBe('0099-01');
    expect(addMonths('2026-11', 3)).toBe('2027-02');
    expect(addMonths('2026-01', -60)).toBe('2021-01');
    expect(addMonths('9999-12', 0)).toBe('9999-12');
    expect(lotExpiryDate('2028-02')).toBe('2028-02-29');
    expect(lotExpiryDate('2100-02')).toBe('2100-02-28');
    expect(lotExpiryDate('2000-02')).toBe('2000-02-29');
    expect(lotExpiryDate('2027-04')).toBe('2027-04-30');
    fc.assert(
      fc.property(fc.integer({ min: 1000, max: 9998 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: -120, max: 120 }), (y, m, n) => {
        const key = `${y}-${String(m).padStart(2, '0')}`;
        const [yy, mm] = key.split('-').map(Number) as [number, number];
        const index = yy * 12 + (mm - 1) + n;
        expect(addMonths(key, n)).toBe(`${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`);
        expect(lotExpiryDate(key)).toBe(`${key}-${String(new Date(Date.UTC(yy, mm, 0)).getUTCDate()).padStart(2, '0')}`);
      }),
    );
  });
});
