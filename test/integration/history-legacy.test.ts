/**
 * Receipts and returns written while the simulator's history was a table index still carry its
 * keys (histPk, histSk). Now that the index is gone they are ordinary attributes: a receipt that
 * has them answers its retry byte for byte and takes a return, and the return's write drops them.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { deps } from '#lib/app/deps.ts';
import { keys } from '#lib/storage/keys.ts';
import { newTenant, receipt } from './harness.ts';

describe('receipts written with the old history index keys', () => {
  it('should replay, take a return and shed the keys; new receipts and returns carry none', async () => {
    const t = await newTenant();
    const card = (await t.pos('POST', '/v1/customers', { consents: {} })).body.card;
    const body = receipt(card, [{ amount: 10_000 }, { amount: 5_000 }]);
    const first = await t.pos('POST', '/v1/receipts', body);
    expect(first.status).toBe(200);
    const items = await t.items();
    expect(items.some((i) => 'histPk' in i || 'histSk' in i)).toBe(false);

    // As main wrote them before: the index keys on the receipt item.
    const d = deps();
    await d.db.doc.send(
      new UpdateCommand({
        TableName: d.db.table,
        Key: keys.receipt(t.tenantId, 'S-01', body.receiptId),
        UpdateExpression: 'SET histPk = :pk, histSk = :sk',
        ExpressionAttributeValues: { ':pk': `T#${t.tenantId}#HIST#2026-11-02#3`, ':sk': `${first.body.committedAt}#R#S-01#${body.receiptId}` },
      }),
    );
    const retry = await t.pos('POST', '/v1/receipts', body);
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(first.body);

    const ret = await t.pos('POST', '/v1/returns', { returnId: `RET-${Date.now()}`, receiptId: body.receiptId, lines: [{ lineId: '1', quantity: 1 }] });
    expect(ret.status, JSON.stringify(ret.body)).toBe(200);
    const after = await t.items();
    expect(after.filter((i) => 'histPk' in i || 'histSk' in i)).toEqual([]);
    expect(after.find((i) => i.type === 'return')).toBeDefined();
  });
});
