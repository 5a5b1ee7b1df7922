/**
 * A receipt is two items: its answer (the idempotency record) and the per-line allocation
 * returns need. Receipts committed before the split keep their allocation on the receipt item
 * and must still be returned.
 */
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { deps } from '#lib/app/deps.ts';
import { keys } from '#lib/storage/keys.ts';
import { newTenant, receipt, receiptId } from './harness.ts';

describe('receipt items', () => {
  it('should return lines of a receipt committed before its allocation had an item of its own', async () => {
    const t = await newTenant();
    const c = (await t.pos('POST', '/v1/customers', { name: 'Before the split' })).body;
    const body = receipt(c.card, [{ amount: 10_000 }, { amount: 20_000 }]);
    const committed = await t.pos('POST', '/v1/receipts', body);
    expect(committed.status).toBe(200);
    // The shape such a receipt had: its allocation and version on the receipt item.
    const d = deps();
    const answerKey = keys.receipt(t.tenantId, 'S-01', body.receiptId);
    const allocationKey = keys.receiptAllocation(t.tenantId, 'S-01', body.receiptId);
    const answer = (await d.db.doc.send(new GetCommand({ TableName: d.db.table, Key: answerKey }))).Item!;
    const allocation = (await d.db.doc.send(new GetCommand({ TableName: d.db.table, Key: allocationKey }))).Item!;
    await d.db.doc.send(new PutCommand({ TableName: d.db.table, Item: { ...answer, receipt: allocation.receipt, version: allocation.version } }));
    await d.db.doc.send(new DeleteCommand({ TableName: d.db.table, Key: allocationKey }));

    const ret = await t.pos('POST', '/v1/returns', { returnId: receiptId('RET'), receiptId: body.receiptId, lines: [{ lineId: '2', quantity: 1 }] });
    expect(ret.status).toBe(200);
    expect(ret.body.totals.pointsReversed).toBe(committed.body.lines[1].pointsEarned);
    const after = (await d.db.doc.send(new GetCommand({ TableName: d.db.table, Key: answerKey }))).Item!;
    expect(after.version).toBe(2);
    expect(after.response).toBe(answer.response);
    const more = await t.pos('POST', '/v1/returns', { returnId: receiptId('RET'), receiptId: body.receiptId, lines: [{ lineId: '2', quantity: 1 }] });
    expect(more.status).toBe(409);
  });

  it('should keep the answer and the allocation in two items of the receipt, and change only the allocation on a return', async () => {
    const t = await newTenant();
    const c = (await t.pos('POST', '/v1/customers', { name: 'After the split' })).body;
    const body = receipt(c.card, [{ amount: 10_000 }]);
    expect((await t.pos('POST', '/v1/receipts', body)).status).toBe(200);
    const d = deps();
    const answerKey = keys.receipt(t.tenantId, 'S-01', body.receiptId);
    const answer = (await d.db.doc.send(new GetCommand({ TableName: d.db.table, Key: answerKey }))).Item!;
    expect(answer).not.toHaveProperty('receipt');
    expect((await t.pos('POST', '/v1/returns', { returnId: receiptId('RET'), receiptId: body.receiptId, lines: [{ lineId: '1', quantity: 1 }] })).status).toBe(200);
    expect((await d.db.doc.send(new GetCommand({ TableName: d.db.table, Key: answerKey }))).Item).toEqual(answer);
    const allocation = (await d.db.doc.send(new GetCommand({ TableName: d.db.table, Key: keys.receiptAllocation(t.tenantId, 'S-01', body.receiptId) }))).Item!;
    expect(allocation).toMatchObject({ version: 2, receipt: { lines: [{ lineId: '1', returnedMilli: 1000 }] } });
  });
});
