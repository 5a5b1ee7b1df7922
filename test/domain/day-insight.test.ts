/** The nightly day summary (pure): top SKUs and categories, and receipts joined to the sends before them. */
import { describe, expect, it } from 'vitest';
import { daySales, dayTouches, MAX_ATTRIBUTION_DAYS, type Touch } from '#domain/day-insight.ts';
import type { ReplayReceipt, ReplayReturn } from '#domain/simulation.ts';

const line = (sku: string, category: string, amount: number, quantityMilli = 1000) => ({ lineId: sku, sku, category, quantityMilli, unitPrice: amount, amount });
const receipt = (customerId: string, occurredAt: string, lines: ReturnType<typeof line>[], coupons: string[] = []): ReplayReceipt => ({
  type: 'receipt',
  customerId,
  storeId: 'S-01',
  receiptId: `${customerId}-${occurredAt}`,
  occurredAt: new Date(occurredAt),
  at: new Date(occurredAt),
  lines,
  burnPoints: 0,
  coupons,
});

describe('Day sales', () => {
  it('ranks SKUs by revenue, keeps the top N and adds up the rest; every category up to the maximum', () => {
    const rs = [receipt('a', '2026-12-01T10:00:00Z', [line('A', 'x', 500), line('B', 'y', 300), line('A', 'x', 100)]), receipt('b', '2026-12-01T11:00:00Z', [line('C', 'y', 50, 2500)])];
    const s = daySales(rs, [], 2, 1);
    expect(s).toMatchObject({ receipts: 2, revenue: 950 });
    expect(s.skus).toEqual([
      { sku: 'A', revenue: 600, quantityMilli: 2000, receipts: 1, returned: 0 },
      { sku: 'B', revenue: 300, quantityMilli: 1000, receipts: 1, returned: 0 },
    ]);
    expect(s.otherSkus).toEqual({ revenue: 50, count: 1, largest: 50 });
    expect(s.categories).toEqual([{ category: 'x', revenue: 600, quantityMilli: 2000, receipts: 1, returned: 0 }]);
    expect(s.otherCategories).toEqual({ revenue: 350, count: 1 });
  });
});

const ret = (customerId: string, receiptOccurredAt: string | undefined, lines: Array<{ sku?: string; category?: string; amountBack?: number; quantityMilli: number }>): ReplayReturn => ({
  type: 'return',
  customerId,
  storeId: 'S-01',
  returnId: `X-${customerId}-${lines.length}`,
  receiptId: 'R',
  receiptStoreId: 'S-01',
  at: new Date('2026-12-01T12:00:00Z'),
  ...(receiptOccurredAt ? { receiptOccurredAt: new Date(receiptOccurredAt) } : {}),
  lines: lines.map((l, i) => ({ lineId: String(i), ...l })),
});

describe('Day sales less returns', () => {
  it('takes a return’s money and units off its SKUs and categories on the return’s day; a return without its goods is counted, not taken off', () => {
    const rs = [receipt('a', '2026-12-01T10:00:00Z', [line('A', 'x', 500, 2000), line('B', 'y', 300)])];
    const s = daySales(rs, [ret('a', '2026-11-20T10:00:00Z', [{ sku: 'A', category: 'x', amountBack: 250, quantityMilli: 1000 }]), ret('b', undefined, [{ quantityMilli: 1000 }]), ret('c', '2026-11-01T10:00:00Z', [{ sku: 'Z', category: 'z', amountBack: 40, quantityMilli: 0 }, { sku: 'B', category: 'y', amountBack: 10, quantityMilli: 0 }])]);
    expect(s).toMatchObject({ receipts: 1, revenue: 800 - 300, returns: { count: 2, returned: 300, unpriced: 1 } });
    expect(s.skus).toEqual([
      { sku: 'B', revenue: 290, quantityMilli: 1000, receipts: 1, returned: 10 },
      { sku: 'A', revenue: 250, quantityMilli: 1000, receipts: 1, returned: 250 },
      // Returned today, sold another day: negative on the return's day.
      { sku: 'Z', revenue: -40, quantityMilli: 0, receipts: 0, returned: 40 },
    ]);
    expect(s.categories.reduce((n, c) => n + c.revenue, 0)).toBe(s.revenue);
  });
});

describe('Results of sends', () => {
  const sends: Record<string, Touch[]> = {
    a: [
      { kind: 'coupon', id: 'welcome', at: '2026-11-30T20:00:00Z', code: 'W-1' },
      { kind: 'journey', id: 'winback#1', at: '2026-09-01T00:00:00Z' },
    ],
  };
  it('counts a receipt towards each send before it within the window, by the send’s program day and whole days after it', () => {
    const rs = [
      receipt('a', '2026-12-01T10:00:00Z', [line('A', 'x', 1_000)], ['W-1']),
      // Before the coupon was sent: not its result.
      receipt('a', '2026-11-30T19:00:00Z', [line('A', 'x', 200)]),
      receipt('b', '2026-12-01T10:00:00Z', [line('A', 'x', 7)]),
    ];
    const t = dayTouches(rs, (c) => sends[c] ?? [], 'Asia/Yerevan');
    // 20:00 UTC is the next day in Yerevan; 14 hours later is day 0 after it. The journey message is 91 days old: outside.
    expect(t.cells).toEqual([{ kind: 'coupon', id: 'welcome', sentOn: '2026-12-01', after: 0, receipts: 1, revenue: 1_000, used: 1 }]);
    expect(t.dropped).toEqual({ cells: 0, revenue: 0 });
    const late = dayTouches([receipt('a', '2026-11-29T23:59:59Z', [line('A', 'x', 5)])], () => [{ kind: 'journey', id: 'j#0', at: new Date(Date.parse('2026-11-29T23:59:59Z') - (MAX_ATTRIBUTION_DAYS - 1) * 86_400_000).toISOString() }], 'UTC');
    expect(late.cells.map((c) => c.after)).toEqual([MAX_ATTRIBUTION_DAYS - 1]);
  });

  it('takes a return off the sends its receipt counted towards, in the receipt’s cell; no receipt or use is taken away', () => {
    const bought = receipt('a', '2026-12-01T10:00:00Z', [line('A', 'x', 1_000), line('B', 'x', 500)], ['W-1']);
    const day1 = dayTouches([bought], (c) => sends[c] ?? [], 'Asia/Yerevan');
    // Three days later a return of line A, and a return of a receipt from before the send (not counted towards it).
    const back = [ret('a', '2026-12-01T10:00:00Z', [{ sku: 'A', category: 'x', amountBack: 1_000, quantityMilli: 1000 }]), ret('a', '2026-11-30T19:00:00Z', [{ sku: 'A', category: 'x', amountBack: 7, quantityMilli: 1000 }, { sku: 'A', category: 'x', amountBack: 1, quantityMilli: 0 }])];
    const day4 = dayTouches([], (c) => sends[c] ?? [], 'Asia/Yerevan', undefined, back);
    expect(day4.cells).toEqual([{ kind: 'coupon', id: 'welcome', sentOn: '2026-12-01', after: 0, receipts: 0, revenue: -1_000, used: 0 }]);
    expect(day1.cells[0]!.revenue + day4.cells[0]!.revenue).toBe(500);
  });

  it('keeps at most the cells allowed, the largest; the rest are reported as dropped', () => {
    const many: Touch[] = Array.from({ length: 5 }, (_, i) => ({ kind: 'journey', id: `j#${i}`, at: '2026-12-01T00:00:00Z' }));
    const rs = [receipt('a', '2026-12-01T10:00:00Z', [line('A', 'x', 100)])];
    const t = dayTouches(rs, () => many, 'UTC', 3);
    expect(t.cells.length).toBe(3);
    expect(t.dropped).toEqual({ cells: 2, revenue: 200 });
  });
});
