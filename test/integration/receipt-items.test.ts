/**
 * A receipt is one item: its first answer (the idempotency record) and the per-line allocation
 * returns need, packed into one compressed attribute. Receipts written in the two layouts before
 * (allocation on the receipt item; allocation in an item of its own) must still be replayed,
 * returned and exported as they were.
 */
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { itemSizeBytes } from '#lib/storage/item-size.ts';
import { unpackReceipt } from '#lib/storage/receipt-codec.ts';
import { describe, expect, it } from 'vitest';
import { deps } from '#lib/app/deps.ts';
import { keys } from '#lib/storage/keys.ts';
import { newTenant, receipt, receiptId } from './harness.ts';

/** Rewrites a packed receipt item in the layout receipts had before packing. */
async function toLayout(tenantId: string, receiptId: string, layout: 'inline' | 'split') {
  const d = deps();
  const answerKey = keys.receipt(tenantId, 'S-01', receiptId);
  const { packed, receipt: _r, version, ...item } = (await d.db.doc.send(new GetCommand({ TableName: d.db.table, Key: answerKey }))).Item!;
  const { response, receipt } = unpackReceipt(packed as Uint8Array);
  if (layout === 'inline') {
    await d.db.doc.send(new PutCommand({ TableName: d.db.table, Item: { ...item, response, receipt, version } }));
  } else {
    await d.db.doc.send(new PutCommand({ TableName: d.db.table, Item: { ...item, response } }));
    const ids = { tenantId, storeId: 'S-01', receiptId, customerId: item.customerId };
    await d.db.doc.send(new PutCommand({ TableName: d.db.table, Item: { ...keys.receiptAllocation(tenantId, 'S-01', receiptId), type: 'receiptAllocation', ...ids, receipt, version } }));
  }
  return { answerKey, response };
}

describe('receipt items', () => {
  for (const layout of ['inline', 'split'] as const) {
    it(`should replay, return and export a receipt kept in the ${layout} layout of before, and keep it in that layout`, async () => {
      const t = await newTenant();
      const c = (await t.pos('POST', '/v1/customers', { name: `Before packing ${layout}` })).body;
      const body = receipt(c.card, [{ amount: 10_000 }, { amount: 20_000 }]);
      const committed = await t.pos('POST', '/v1/receipts', body);
      expect(committed.status).toBe(200);
      const { answerKey, response } = await toLayout(t.tenantId, body.receiptId, layout);
      const d = deps();
      const replay = await t.pos('POST', '/v1/receipts', body);
      expect(replay.raw).toBe(committed.raw);
      expect(replay.headers['idempotent-replayed']).toBe('true');

      const ret = await t.pos('POST', '/v1/returns', { returnId: receiptId('RET'), receiptId: body.receiptId, lines: [{ lineId: '2', quantity: 1 }] });
      expect(ret.status).toBe(200);
      expect(ret.body.totals.pointsReversed).toBe(committed.body.lines[1].pointsEarned);
      const after = (await d.db.doc.send(new GetCommand({ TableName: d.db.table, Key: answerKey }))).Item!;
      expect(after.response).toBe(response);
      expect(after).not.toHaveProperty('packed');
      if (layout === 'inline') expect(after.version).toBe(2);
      else {
        const allocation = (await d.db.doc.send(new GetCommand({ TableName: d.db.table, Key: keys.receiptAllocation(t.tenantId, 'S-01', body.receiptId) }))).Item!;
        expect(allocation).toMatchObject({ version: 2, receipt: { lines: [{ lineId: '1' }, { lineId: '2', returnedMilli: 1000 }] } });
      }
      const more = await t.pos('POST', '/v1/returns', { returnId: receiptId('RET'), receiptId: body.receiptId, lines: [{ lineId: '2', quantity: 1 }] });
      expect(more.status).toBe(409);
      const exported = await t.staff('GET', `/v1/customers/${c.customerId}/export`);
      expect(exported.body.receipts).toEqual([expect.objectContaining({ receiptId: body.receiptId, answer: committed.body })]);
    });
  }

  it('should keep the answer and the allocation packed in one item under 1 KB for five lines, and change only the allocation on a return', async () => {
    const t = await newTenant();
    const c = (await t.pos('POST', '/v1/customers', { name: 'Packed' })).body;
    const body = receipt(c.card, [1, 2, 3, 4, 5].map((i) => ({ amount: 1_000 * i })));
    const committed = await t.pos('POST', '/v1/receipts', body);
    expect(committed.status).toBe(200);
    const d = deps();
    const answerKey = keys.receipt(t.tenantId, 'S-01', body.receiptId);
    const item = (await d.db.doc.send(new GetCommand({ TableName: d.db.table, Key: answerKey }))).Item!;
    expect(item).not.toHaveProperty('response');
    expect(item).not.toHaveProperty('receipt');
    expect(itemSizeBytes(item)).toBeLessThan(1024);
    expect(unpackReceipt(item.packed as Uint8Array).response).toBe(committed.raw);
    expect((await d.db.doc.send(new GetCommand({ TableName: d.db.table, Key: keys.receiptAllocation(t.tenantId, 'S-01', body.receiptId) }))).Item).toBeUndefined();

    expect((await t.pos('POST', '/v1/returns', { returnId: receiptId('RET'), receiptId: body.receiptId, lines: [{ lineId: '1', quantity: 1 }] })).status).toBe(200);
    const after = (await d.db.doc.send(new GetCommand({ TableName: d.db.table, Key: answerKey }))).Item!;
    expect(after.version).toBe(2);
    const unpacked = unpackReceipt(after.packed as Uint8Array);
    expect(unpacked.response).toBe(committed.raw);
    expect(unpacked.receipt.lines[0]).toMatchObject({ lineId: '1', returnedMilli: 1000 });
    expect((await t.pos('POST', '/v1/receipts', body)).raw).toBe(committed.raw);
  });
});
