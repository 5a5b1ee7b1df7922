/**
 * Returns by amount (a price adjustment) through the POS handlers on DynamoDB Local: money back
 * without units, points reversed in proportion, repeated refunds bounded by what the line earned,
 * idempotent on returnId, and the program's choice about one-time bonuses on a full return.
 */
import { describe, expect, it } from 'vitest';
import { newTenant, receipt, scenarioProgram, type TestTenant } from './harness.ts';

async function customerWith(t: TestTenant): Promise<string> {
  const r = await t.pos('POST', '/v1/customers', {});
  expect(r.status).toBe(201);
  return r.body.card;
}

const balanceOf = async (t: TestTenant, card: string) => (await t.pos('POST', '/v1/identify', { customer: { card } })).body.points.available;

describe('Returns by amount through the API', () => {
  it('should refund part of a line’s price, reverse points in proportion to the money, and replay the same answer', async () => {
    const t = await newTenant();
    const card = await customerWith(t);
    // 2 × 50.00 and 50.00 more: 150 points at 1 per 1.00.
    const r = receipt(card, [{ amount: 10_000, quantity: 2 }, { amount: 5_000 }]);
    expect((await t.pos('POST', '/v1/receipts', r)).body.earn.points).toBe(150);

    const adjust = { returnId: 'RET-A1', receiptId: r.receiptId, lines: [{ lineId: '1', amount: 2_550 }] };
    const first = await t.pos('POST', '/v1/returns', adjust);
    expect(first.status).toBe(200);
    // 25.50 of 100.00 back: floor(100 × 2550 / 10000) = 25 of the line's 100 points.
    expect(first.body.lines).toEqual([{ lineId: '1', amount: 2_550, refund: 2_550, pointsReversed: 25, pointsRefunded: 0 }]);
    expect(first.body.balance).toEqual({ before: 150, after: 125 });

    const again = await t.pos('POST', '/v1/returns', adjust);
    expect(again.raw).toBe(first.raw);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await balanceOf(t, card)).toBe(125);

    // Another 25.50: the cumulative share is floor(100 × 5100 / 10000) = 51, so this one reverses 26.
    const second = await t.pos('POST', '/v1/returns', { returnId: 'RET-A2', receiptId: r.receiptId, lines: [{ lineId: '1', amount: 2_550 }] });
    expect(second.body.lines[0]).toMatchObject({ refund: 2_550, pointsReversed: 26 });

    // Then both units come back: they take what is left of the line, 49.00 and 49 points.
    const units = await t.pos('POST', '/v1/returns', { returnId: 'RET-A3', receiptId: r.receiptId, lines: [{ lineId: '1', quantity: 2 }] });
    expect(units.status).toBe(200);
    expect(units.body.lines).toEqual([{ lineId: '1', quantity: 2, refund: 4_900, pointsReversed: 49, pointsRefunded: 0 }]);
    expect(await balanceOf(t, card)).toBe(50);

    const ledger = await t.staff('GET', `/v1/customers/${units.body.customerId}/ledger`);
    expect(ledger.body.entries.filter((e: { kind: string }) => e.kind === 'earn_reversal').map((e: { points: number }) => e.points)).toEqual([-49, -26, -25]);
  });

  it('should refuse a refund beyond the money left on the line, naming it, and write nothing', async () => {
    const t = await newTenant();
    const card = await customerWith(t);
    const r = receipt(card, [{ amount: 10_000 }]);
    await t.pos('POST', '/v1/receipts', r);
    expect((await t.pos('POST', '/v1/returns', { returnId: 'RET-B1', receiptId: r.receiptId, lines: [{ lineId: '1', amount: 9_000 }] })).status).toBe(200);

    const before = await t.items();
    const over = await t.pos('POST', '/v1/returns', { returnId: 'RET-B2', receiptId: r.receiptId, lines: [{ lineId: '1', amount: 1_001 }] });
    expect(over.status).toBe(409);
    expect(over.body.error).toMatchObject({ code: 'return_exceeds_purchase', field: 'lines.0.amount' });
    expect(over.body.error.message).toContain('only 1000');
    expect(await t.items()).toEqual(before);

    // Exactly what is left is fine, and the line has then given back all it earned.
    const rest = await t.pos('POST', '/v1/returns', { returnId: 'RET-B3', receiptId: r.receiptId, lines: [{ lineId: '1', amount: 1_000 }] });
    expect(rest.body.lines[0]).toMatchObject({ refund: 1_000, pointsReversed: 10 });
    expect(await balanceOf(t, card)).toBe(0);
  });

  it('should refuse a line that names both a quantity and an amount, or neither', async () => {
    const t = await newTenant();
    const card = await customerWith(t);
    const r = receipt(card, [{ amount: 10_000 }]);
    await t.pos('POST', '/v1/receipts', r);
    for (const line of [{ lineId: '1', quantity: 1, amount: 100 }, { lineId: '1' }]) {
      const bad = await t.pos('POST', '/v1/returns', { returnId: 'RET-C1', receiptId: r.receiptId, lines: [line] });
      expect(bad.status).toBe(400);
      expect(bad.body.error.field).toBe('lines.0');
      expect(bad.body.error.message).toContain('exactly one of quantity or amount');
    }
  });

  it.each([
    ['reverse', 0],
    ['keep', 500],
  ] as const)('should, with oneTimeBonusesOnReturn %s, leave %i first-purchase points after a full return', async (setting, left) => {
    const t = await newTenant({
      ...scenarioProgram,
      earning: { base: { points: 1, per: 100 }, rules: [{ id: 'welcome', name: 'First purchase', type: 'firstReceipt', points: 500 }] },
      receipts: { maxAgeDays: 3650, crossStoreReturns: true, oneTimeBonusesOnReturn: setting },
    });
    const card = await customerWith(t);
    const r = receipt(card, [{ amount: 10_000 }, { amount: 30_000 }]);
    expect((await t.pos('POST', '/v1/receipts', r)).body.earn).toMatchObject({ points: 900, rules: ['welcome'] });
    await t.pos('POST', '/v1/returns', { returnId: 'RET-D1', receiptId: r.receiptId, lines: [{ lineId: '1', amount: 10_000 }] });
    await t.pos('POST', '/v1/returns', { returnId: 'RET-D2', receiptId: r.receiptId, lines: [{ lineId: '2', quantity: 1 }] });
    expect(await balanceOf(t, card)).toBe(left);
  });
});
