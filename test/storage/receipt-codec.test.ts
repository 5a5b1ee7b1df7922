/**
 * The receipt item's packed attribute (storage/receipt-codec.ts): the first answer comes back byte
 * for byte in every format, a receipt packed before (brotli, format 1) is still read, and format 2's
 * dictionary cannot change under the receipts packed with it.
 */
import { createHash } from 'node:crypto';
import { brotliCompressSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { CommittedReceipt } from '#domain/returns.ts';
import { DICTIONARY_2, packReceipt, receiptAnswerOf, unpackReceipt } from '#lib/storage/receipt-codec.ts';

/** An answer and an allocation as a commit writes them (the shape of lib/app/receipts.ts), with `n` lines. */
function sample(n: number) {
  const lines = Array.from({ length: n }, (_, i) => ({ lineId: String(i + 1), amount: 1_000 + i * 37, tierDiscount: 0, rewardDiscount: 0, couponDiscount: 0, pointsDiscount: 0, paid: 1_000 + i * 37, pointsEarned: 10 + i, pointsBurned: 0, pointsUsable: 5, earnedBy: [{ source: 0, points: 10 + i }] }));
  const response = JSON.stringify({ receiptId: `R-${n}`, customerId: 'c_vycvntHYTmVBoP4r', currency: 'UAH', programVersion: 3, tier: { id: 'gold', name: 'Золото', discountBps: 500, assignedBy: 'program' }, lines, totals: { amount: 1, paid: 1 }, storeId: 'S-01', committedAt: '2026-12-01T03:47:12.816Z' });
  const receipt = { lines: lines.map((l) => ({ lineId: l.lineId, quantityMilli: 1000, amount: l.amount, paid: l.paid, pointsEarned: l.pointsEarned, pointsBurned: 0, sku: `SKU-${l.lineId}`, category: 'otc', returnedMilli: 0 })), earnLot: '2027-12', pendingKey: null, burnLotsRemaining: {}, month: '2026-12', rewardsUsed: [], coupons: [], progressEffects: [] } as unknown as CommittedReceipt;
  return { response, receipt };
}

describe('receipt codec', () => {
  it('gives back the answer byte for byte and the allocation as it was, small (format 2) and past deflate\'s window (format 1)', () => {
    for (const n of [1, 5, 55, 400]) {
      const p = sample(n);
      const packed = packReceipt(p);
      expect(packed[0], `${n} lines`).toBe(n <= 55 ? 2 : 1);
      const back = unpackReceipt(packed);
      expect(back.response).toBe(p.response);
      expect(back.receipt).toEqual(p.receipt);
      expect(receiptAnswerOf({ packed })).toBe(p.response);
    }
  });

  it('packs a 5-line receipt to under 70 % of what brotli at its best makes of it', () => {
    const p = sample(5);
    const text = `${p.response}\n${JSON.stringify(p.receipt)}`;
    const brotli = brotliCompressSync(text).length;
    expect(packReceipt(p).length).toBeLessThan(brotli * 0.7);
  });

  it('still reads a receipt packed before the dictionary (brotli, format 1), and refuses a format it does not know', () => {
    const p = sample(5);
    const body = brotliCompressSync(Buffer.from(`${p.response}\n${JSON.stringify(p.receipt)}`));
    const before = new Uint8Array(body.length + 1);
    before[0] = 1;
    before.set(body, 1);
    expect(unpackReceipt(before)).toEqual(p);
    expect(() => unpackReceipt(Uint8Array.of(9, 0))).toThrow(/unknown packed format 9/);
  });

  it('keeps format 2\'s dictionary as it was when receipts were first packed with it', () => {
    expect(createHash('sha256').update(DICTIONARY_2).digest('hex')).toBe('4a6cd9d22b9c804e69824a4c87471d20f499fe729d8676c5427babc31d460ba8');
  });
});
