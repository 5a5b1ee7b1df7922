/** Report increments from single changes (pure): what each kind of change counts, and nothing twice. */
import { describe, expect, it } from 'vitest';
import { deferStores, foldMoves, incrementsFromChange, mergeIncrements, NONE, UNFOLDED, type ChangeRecord, type Increment } from '#domain/insight.ts';
import { expectedBreakageBps, lotBreakage } from '#domain/liability.ts';

const ZONE = 'Asia/Yerevan';
const at = '2026-11-30T21:30:00.000Z'; // 1 December in Yerevan

const customer = (account: Record<string, unknown>, version = 2) => ({ pk: 'T#t1#C#c1', sk: 'CUSTOMER', type: 'customer', tenantId: 't1', customerId: 'c1', createdAt: at, version, account });

describe('Report increments', () => {
  it('a ledger entry: points by kind at its store, the lots it moved, debt and pending, on the program-time day', () => {
    const change: ChangeRecord = {
      eventName: 'INSERT',
      at,
      newImage: { pk: 'T#t1#C#c1', sk: 'LEDGER#000000000007', type: 'ledger', kind: 'earn_reversal', at, points: -120, lots: { '2027-11': -100 }, debt: 20, pending: { '2026-12-10#2027-11': -5 }, source: { storeId: 'S-02' } },
    };
    const incs = incrementsFromChange(change, ZONE);
    expect(incs).toContainEqual({ series: 'store', period: '2026-12-01', key: 'S-02', add: { pts_earn_reversal: -120, pend_earn_reversal: -5 } });
    expect(incs).toContainEqual({ series: 'liabExpiry', period: '2026-12-01', key: '2027-11', add: { points: -100 } });
    expect(incs).toContainEqual({ series: 'liabExpiry', period: '2026-12-01', key: 'debt', add: { points: -20 } });
    expect(incs).toContainEqual({ series: 'liabExpiry', period: '2026-12-01', key: 'pending', add: { points: -5 } });
    expect(incs).toContainEqual({ series: 'liabStore', period: '2026-12-01', key: 'S-02', add: { points: -125 } });
    expect(incs).toContainEqual({ series: 'lots', period: '2027-11', key: '-', add: { out_earn_reversal: 100 } });
    // The liability views add up to the same change.
    const liab = (s: string) => incs.filter((i) => i.series === s).reduce((n, i) => n + (i.add.points ?? 0), 0);
    expect(liab('liabExpiry')).toBe(liab('liabStore'));
  });

  it('a customer who changes tier moves their whole balance; a first receipt in a month makes them active', () => {
    const before = { available: 300, pendingLots: { '2026-12-05#2027-11': 50 }, tierId: 'silver', staffTierId: null, activity: { '2026-11': { paid: 1, points: 1 } } };
    const after = { available: 420, pendingLots: {}, tierId: 'gold', staffTierId: null, activity: { '2026-11': { paid: 1, points: 1 }, '2026-12': { paid: 5, points: 120 } } };
    const incs = incrementsFromChange({ eventName: 'MODIFY', at, oldImage: customer(before, 4), newImage: customer(after, 5) }, ZONE);
    expect(incs).toEqual([
      { series: 'liabTier', period: '2026-12-01', key: 'silver', add: { points: -350 } },
      { series: 'liabTier', period: '2026-12-01', key: 'gold', add: { points: 420 } },
      { series: 'active', period: '2026-12', key: 'gold', add: { members: 1 } },
    ]);
    // A staff tier overrides the program's level; an unchanged tier is a plain difference.
    const vip = incrementsFromChange({ eventName: 'MODIFY', at, oldImage: customer({ ...after, staffTierId: 'vip' }), newImage: customer({ ...after, staffTierId: 'vip', available: 400 }) }, ZONE);
    expect(vip).toEqual([{ series: 'liabTier', period: '2026-12-01', key: 'vip', add: { points: -20 } }]);
  });

  it('merged increments add up per cell', () => {
    const a = { series: 'store' as const, period: '2026-12-01', key: 'S-01', add: { receipts: 1, paid: 100 } };
    expect(mergeIncrements([a, a, { ...a, add: { paid: -200 } }])).toEqual([{ ...a, add: { receipts: 2 } }]);
  });

  it('breakage: expired / issued per lot, and the expected rate over final lots only', () => {
    const sept = lotBreakage({ lot: '2026-09', flows: { in_earn: 1400, in_bonus: 100, out_burn: 100, out_expiry: 1400 } }, '2026-12', 12);
    expect(sept).toMatchObject({ cohortMonth: '2025-09', issued: 1500, redeemed: 100, expired: 1400, outstanding: 0, breakageBps: 9333, final: true });
    const open = lotBreakage({ lot: '2027-12', flows: { in_earn: 1000 } }, '2026-12', 12);
    expect(open.final).toBe(false);
    expect(expectedBreakageBps([sept, open])).toBe(9333);
    expect(expectedBreakageBps([open])).toBeNull();
  });
  it('a customer enrolled at a till counts under that store; a class the nightly job moves moves one member; a journey message counts under its step', () => {
    const enrolled = incrementsFromChange({ eventName: 'INSERT', at, newImage: { ...customer({ available: 0 }, 1), enrolmentStoreId: 'S-02' } }, ZONE);
    expect(enrolled).toContainEqual({ series: 'members', period: '2026-12', key: 'S-02', add: { enrolled: 1 } });
    expect(enrolled).toContainEqual({ series: 'rfm', period: '2026-12-01', key: '-', add: { members: 1 } });
    const moved = incrementsFromChange({ eventName: 'MODIFY', at, oldImage: customer({ rfmClass: 'new' }, 4), newImage: customer({ rfmClass: 'regular' }, 5) }, ZONE);
    expect(moved).toEqual([
      { series: 'rfm', period: '2026-12-01', key: 'new', add: { members: -1 } },
      { series: 'rfm', period: '2026-12-01', key: 'regular', add: { members: 1 } },
    ]);
    const sent = incrementsFromChange({ eventName: 'INSERT', at, newImage: { pk: 'T#t1#C#c1', sk: `JSENT#${at}#J#winback#2`, type: 'journeySend', at } }, ZONE);
    expect(sent).toEqual([{ series: 'journeys', period: '2026-12-01', key: 'winback#2', add: { sent: 1 } }]);
  });

  it('store figures: counted under `*` now, logged by store, and folded back so that the stores and `*` add up to what was counted', () => {
    const incs: Increment[] = [
      { series: 'store', period: '2026-12-01', key: 'S-01', add: { receipts: 1, paid: 100 } },
      { series: 'store', period: '2026-12-01', key: 'S-02', add: { receipts: 1, paid: 50 } },
      { series: 'store', period: '2026-12-01', key: NONE, add: { pts_expiry: -7 } },
      { series: 'liabStore', period: '2026-12-01', key: 'S-01', add: { points: 10 } },
      { series: 'tier', period: '2026-12-01', key: 'gold', add: { receipts: 1 } },
    ];
    const { counted, logged } = deferStores(incs);
    // Jobs' and staff's figures (no store) and other series are counted as they are.
    expect(counted).toEqual(
      expect.arrayContaining([
        { series: 'store', period: '2026-12-01', key: UNFOLDED, add: { receipts: 2, paid: 150 } },
        { series: 'store', period: '2026-12-01', key: NONE, add: { pts_expiry: -7 } },
        { series: 'liabStore', period: '2026-12-01', key: UNFOLDED, add: { points: 10 } },
        { series: 'tier', period: '2026-12-01', key: 'gold', add: { receipts: 1 } },
      ]),
    );
    expect(counted).toHaveLength(4);
    expect(logged.map((i) => i.key)).toEqual(['S-01', 'S-02', 'S-01']);
    // After the fold: the counted figures plus the moves are the original ones, `*` at zero.
    const moves = foldMoves([...logged, ...logged]);
    expect([...moves.keys()].sort()).toEqual(['S-01', 'S-02']);
    const after = mergeIncrements([...counted, ...counted, ...[...moves.values()].flat()]);
    expect(after.filter((i) => i.key === UNFOLDED)).toEqual([]);
    expect(after).toEqual(expect.arrayContaining(mergeIncrements([...incs, ...incs])));
    expect(after).toHaveLength(mergeIncrements(incs).length);
  });
});
