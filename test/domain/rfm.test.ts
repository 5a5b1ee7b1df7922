import { describe, expect, it } from 'vitest';
import { emptyAccount, type Account } from '#domain/account.ts';
import { priceReceipt } from '#domain/pricing.ts';
import { parseProgram } from '#domain/program.ts';
import { priceReturn } from '#domain/returns.ts';
import { classify, defaultRfm, rfmMeasures, rfmSettings, type RfmSettings } from '#domain/rfm.ts';
import { rfmSchema } from '#domain/schemas/rfm.ts';
import { line, program } from './fixtures.ts';

const p = program({ rfm: { windowMonths: 6, newDays: 14, atRiskDays: 60, lapsedDays: 120, regular: { minReceipts: 3 }, vip: { minReceipts: 6, minSpend: 100_000 } } });
const s = rfmSettings(p);

/** A customer who bought on each of these days, 20,000 each, priced by the real engine. */
function boughtOn(days: string[], settings = p): Account {
  let acc = emptyAccount();
  for (const d of days) {
    const at = new Date(`${d}T12:00:00+04:00`);
    acc = priceReceipt(settings, acc, { occurredAt: at, lines: [line('1', 20_000)], burnPoints: 0 }, at).accountAfter;
  }
  return acc;
}

describe('RFM classes', () => {
  it('should call a member who never bought a prospect', () => {
    expect(classify(s, emptyAccount(), '2026-11-30')).toMatchObject({ class: 'prospect', recencyDays: null, receipts: 0, spend: 0 });
  });

  it('should keep first and latest purchase days and receipts per month on the account the commit writes', () => {
    const acc = boughtOn(['2026-10-03', '2026-11-20', '2026-11-21']);
    expect(acc.firstPurchaseOn).toBe('2026-10-03');
    expect(acc.lastPurchaseOn).toBe('2026-11-21');
    expect(acc.activity['2026-11']).toMatchObject({ receipts: 2, paid: 40_000 });
    expect(acc.activity['2026-10']).toMatchObject({ receipts: 1, paid: 20_000 });
  });

  it('should not move the latest purchase back for a receipt a till posts late', () => {
    let acc = boughtOn(['2026-11-20']);
    const late = new Date('2026-11-18T12:00:00+04:00');
    acc = priceReceipt(p, acc, { occurredAt: late, lines: [line('1', 100)], burnPoints: 0 }, new Date('2026-11-20T13:00:00+04:00')).accountAfter;
    expect(acc.lastPurchaseOn).toBe('2026-11-20');
    expect(acc.firstPurchaseOn).toBe('2026-11-18');
  });

  it('should class by the first rule that holds: lapsed, at risk, new, VIP, regular, occasional', () => {
    const one = boughtOn(['2026-06-01']);
    expect(classify(s, one, '2026-06-10').class).toBe('new');
    expect(classify(s, one, '2026-06-20').class).toBe('occasional');
    expect(classify(s, one, '2026-07-31').class).toBe('atRisk'); // 60 days
    expect(classify(s, one, '2026-07-30').class).toBe('occasional'); // 59 days
    expect(classify(s, one, '2026-09-29').class).toBe('lapsed'); // 120 days

    const three = boughtOn(['2026-05-01', '2026-05-20', '2026-06-01']);
    expect(classify(s, three, '2026-06-05')).toMatchObject({ class: 'regular', receipts: 3, spend: 60_000, recencyDays: 4, tenureDays: 35 });

    const six = boughtOn(['2026-05-01', '2026-05-10', '2026-05-20', '2026-06-01', '2026-06-02', '2026-06-03']);
    expect(classify(s, six, '2026-06-05').class).toBe('vip');
    // VIP needs the money too.
    expect(classify({ ...s, vip: { minReceipts: 6, minSpend: 120_001 } }, six, '2026-06-05').class).toBe('regular');
    // A VIP who stopped coming is at risk.
    expect(classify(s, six, '2026-08-10').class).toBe('atRisk');
  });

  it('should count only the window: receipts older than windowMonths no longer make a regular', () => {
    const acc = boughtOn(['2026-01-05', '2026-01-06', '2026-06-20']);
    expect(rfmMeasures(acc, '2026-06-25', 6)).toMatchObject({ receipts: 3, spend: 60_000 });
    expect(rfmMeasures(acc, '2026-07-02', 6)).toMatchObject({ receipts: 1, spend: 20_000, recencyDays: 12 });
    expect(classify(s, acc, '2026-06-25').class).toBe('regular');
    expect(classify(s, acc, '2026-07-02').class).toBe('occasional');
  });

  it('should stop counting a receipt returned in full (and only once), but count a partly returned one', () => {
    const at = new Date('2026-11-20T12:00:00+04:00');
    const r = priceReceipt(p, emptyAccount(), { occurredAt: at, lines: [line('1', 20_000), line('2', 10_000)], burnPoints: 0 }, at);
    const stored = { lines: r.lines.map((l) => ({ ...l, returnedMilli: 0 })), earnLot: r.earn.lot, burnLotsRemaining: {}, month: r.month };
    const part = priceReturn(p, r.accountAfter, stored, [{ lineId: '2', quantityMilli: 1000 }], at);
    expect(part.accountAfter.activity['2026-11']).toMatchObject({ receipts: 1, paid: 20_000 });
    const rest = priceReturn(p, part.accountAfter, part.receiptAfter, [{ lineId: '1', quantityMilli: 1000 }], at);
    expect(rest.accountAfter.activity['2026-11']).toMatchObject({ receipts: 0, paid: 0 });
    // The visit happened: the latest purchase stays.
    expect(rest.accountAfter.lastPurchaseOn).toBe('2026-11-20');
  });

  it('should read accounts from before receipts and purchase days were kept from their month buckets', () => {
    const old: Account = { ...emptyAccount(), receiptCount: 4, paidTotal: 80_000, activity: { '2026-03': { paid: 50_000, points: 500 }, '2026-05': { paid: 30_000, points: 300 } } };
    expect(rfmMeasures(old, '2026-06-10', 6)).toMatchObject({ receipts: 2, spend: 80_000, recencyDays: 10 });
    // Bought once, long ago, nothing left in the kept months: lapsed, not a prospect.
    expect(classify(s, { ...emptyAccount(), receiptCount: 1 }, '2026-06-10').class).toBe('lapsed');
  });

  it('should default every threshold and refuse thresholds out of order, naming the field', () => {
    expect(rfmSettings(program())).toEqual(defaultRfm);
    expect(defaultRfm).toMatchObject({ windowMonths: 12, newDays: 30, atRiskDays: 90, lapsedDays: 180 });
    // The defaults are written out beside the classifier (the till builds no schema): the schema's own.
    expect(defaultRfm).toStrictEqual(rfmSchema.parse({}));
    const bad = (rfm: Partial<RfmSettings>) => {
      const r = parseProgram({ name: 'T', currency: 'AMD', timeZone: 'Asia/Yerevan', earning: { base: { points: 1, per: 100 } }, rfm });
      return r.ok ? [] : r.issues;
    };
    expect(bad({ atRiskDays: 200, lapsedDays: 100 })).toEqual([{ path: 'rfm.atRiskDays', message: 'must be fewer than lapsedDays' }]);
    expect(bad({ newDays: 90 })).toEqual([{ path: 'rfm.newDays', message: 'must be fewer than atRiskDays' }]);
    expect(bad({ regular: { minReceipts: 20 } })).toEqual([{ path: 'rfm.regular.minReceipts', message: 'may not exceed vip.minReceipts' }]);
    expect(bad({ windowMonths: 61 })[0]?.path).toBe('rfm.windowMonths');
    expect(bad({ lapsed: 3 } as never)[0]?.path).toBe('rfm');
  });
});
