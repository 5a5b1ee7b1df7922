import { describe, expect, it } from 'vitest';
import { emptyAccount } from '#domain/account.ts';
import { adjustPoints } from '#domain/adjustments.ts';
import { catchUp, pendingTotal } from '#domain/pending.ts';
import { priceReceipt } from '#domain/pricing.ts';
import { priceReturn } from '#domain/returns.ts';
import { line, program } from './fixtures.ts';

describe('Pending points', () => {
  const p = program({ pending: { days: 14 }, redemption: { pointValue: 1 } });
  const bought = new Date('2026-11-01T12:00:00+04:00');

  it('should keep earned points pending for 14 days, then release them at the next write', () => {
    const r = priceReceipt(p, emptyAccount(), { occurredAt: bought, lines: [line('1', 50_000)], burnPoints: 0 }, bought);
    expect(r.accountAfter.available).toBe(0);
    expect(pendingTotal(r.accountAfter)).toBe(500);
    expect(r.earn.pendingKey).toBe('2026-11-15#9999-12');

    const before = adjustPoints(p, r.accountAfter, 0, new Date('2026-11-14T23:00:00+04:00'));
    expect(before.accountAfter.available).toBe(0);
    const after = adjustPoints(p, r.accountAfter, 0, new Date('2026-11-15T00:30:00+04:00'));
    expect(after.entries).toMatchObject([{ kind: 'release', points: 500, pending: { '2026-11-15#9999-12': -500 } }]);
    expect(after.accountAfter.available).toBe(500);
    expect(pendingTotal(after.accountAfter)).toBe(0);
  });

  it('should take a return within the window from the pending points, leaving the balance alone', () => {
    const r = priceReceipt(p, { ...emptyAccount(), available: 30, lots: { '9999-12': 30 } }, { occurredAt: bought, lines: [line('1', 50_000)], burnPoints: 0 }, bought);
    const ret = priceReturn(p, r.accountAfter, { lines: r.lines.map((l) => ({ ...l, returnedMilli: 0 })), earnLot: r.earn.lot, pendingKey: r.earn.pendingKey, burnLotsRemaining: {} }, [{ lineId: '1', quantityMilli: 1000 }], bought);
    expect(ret.totals.pointsReversed).toBe(500);
    expect(ret.accountAfter.available).toBe(30);
    expect(pendingTotal(ret.accountAfter)).toBe(0);
  });

  it('should release a year of due pending buckets in one ledger entry, so one write never needs one item per bucket', () => {
    const pendingLots = Object.fromEntries(Array.from({ length: 366 }, (_, i) => [`${new Date(Date.UTC(2026, 0, 1 + i)).toISOString().slice(0, 10)}#9999-12`, 10]));
    const account = { ...emptyAccount(), debt: 5, pendingLots };
    const caught = catchUp(account, new Date('2027-01-02T12:00:00+04:00'), p.timeZone);
    expect(caught.entries).toHaveLength(1);
    expect(caught.entries[0]).toMatchObject({ kind: 'release', points: 3_660, debt: -5, lots: { '9999-12': 3_655 }, balanceAfter: 3_660 });
    expect(Object.keys(caught.entries[0]!.pending ?? {})).toHaveLength(366);
    expect(caught.account).toMatchObject({ available: 3_660, debt: 0, pendingLots: {} });
  });
});
