import { describe, expect, it } from 'vitest';
import { credit, debit, emptyAccount, expireDue, lotFor } from '#domain/account.ts';
import { priceReceipt } from '#domain/pricing.ts';
import { line, program } from './fixtures.ts';

describe('Expiry by lots (scenario 7)', () => {
  const tz = 'Asia/Yerevan';

  it('should put points earned on 15 March 2026 in the lot that expires at the end of 31 March 2027', () => {
    const p = program({ expiry: { afterMonths: 12 } });
    const at = new Date('2026-03-15T10:00:00+04:00');
    const r = priceReceipt(p, emptyAccount(), { occurredAt: at, lines: [line('1', 10_000)], burnPoints: 0 }, at);
    expect(r.earn).toMatchObject({ points: 100, lot: '2027-03', pendingKey: null, expiresOn: '2027-03-31', rules: [] });
  });

  it('should expire the lot exactly when 31 March ends in program time, not in UTC', () => {
    const acc = credit(emptyAccount(), 100, lotFor(new Date('2026-03-15T10:00:00Z'), tz, 12), 'earn').account;
    expect(expireDue(acc, new Date('2027-03-31T23:59:00+04:00'), tz).entry).toBeNull();
    // 20:30 UTC on 31 March is already 1 April in Yerevan (UTC+4).
    const expired = expireDue(acc, new Date('2027-03-31T20:30:00Z'), tz);
    expect(expired.entry).toMatchObject({ kind: 'expiry', points: -100, lots: { '2027-03': -100 } });
    expect(expired.account.available).toBe(0);
  });

  it('should burn the points that expire first', () => {
    let acc = credit(emptyAccount(), 50, '2027-06', 'earn').account;
    acc = credit(acc, 30, '2027-03', 'earn').account;
    const d = debit(acc, 40, 'burn');
    expect(d.taken).toEqual({ '2027-03': 30, '2027-06': 10 });
    expect(d.account.lots).toEqual({ '2027-06': 40 });
  });

  it('should take a month boundary in the program time zone for the earning month', () => {
    // 21:30 UTC on 31 January is already 1 February in Yerevan; 19:30 UTC is still January there.
    expect(lotFor(new Date('2026-01-31T21:30:00Z'), tz, 1)).toBe('2026-03');
    expect(lotFor(new Date('2026-01-31T19:30:00Z'), tz, 1)).toBe('2026-02');
  });
});
