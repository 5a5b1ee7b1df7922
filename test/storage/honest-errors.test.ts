/**
 * A write DynamoDB refuses for one of its own limits must reach the caller as a 4xx that names
 * the limit — never a 503 "retry" (a till would retry forever) nor a 500 "may be retried".
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { db } from '#lib/storage/client.ts';
import { transactWrite, withOptimisticRetry, ContentionError, RETRY_BUDGET_MS, type TransactItem } from '#lib/storage/transact.ts';
import { toErrorResponse } from '#lib/http/errors.ts';
import { defaultFunctionTimeout } from '../../infra/constructs/tally-function.ts';

const item = (sk: string, extra: Record<string, unknown> = {}): TransactItem => ({
  Put: { TableName: db().table, Item: { pk: 'T#limits', sk, ...extra } },
});

async function refusal(p: Promise<unknown>) {
  try {
    await p;
  } catch (e) {
    return toErrorResponse(e);
  }
  throw new Error('expected the write to be refused');
}

describe('DynamoDB limits become 4xx answers that name the limit', () => {
  it('should answer 422 naming the item size limit when a transaction item is over 400 KB', async () => {
    const r = await refusal(transactWrite(db(), [item('big', { blob: 'x'.repeat(410 * 1024) }), item('small')]));
    expect(r.status).toBe(422);
    expect(r.body.error).toMatchObject({ code: 'limit_exceeded', field: 'dynamodb.itemSize' });
    expect(r.body.error.message).toMatch(/400 KB/);
    expect(r.headers['retry-after']).toBeUndefined();
  });

  it('should answer 422 naming the transaction size limit when a transaction has over 100 items', async () => {
    const items = Array.from({ length: 101 }, (_, i) => item(`many#${i}`));
    const r = await refusal(transactWrite(db(), items));
    expect(r.status).toBe(422);
    expect(r.body.error).toMatchObject({ code: 'limit_exceeded', field: 'dynamodb.transactionItems' });
  });

  it('should answer 422 when a single put is over 400 KB', async () => {
    const r = await refusal(db().doc.send(new PutCommand({ TableName: db().table, Item: { pk: 'T#limits', sk: 'put', blob: 'x'.repeat(410 * 1024) } })));
    expect(r.status).toBe(422);
    expect(r.body.error.field).toBe('dynamodb.itemSize');
  });

  it('should not invite a retry of an unexpected failure', () => {
    const r = toErrorResponse(new TypeError('boom'));
    expect(r.status).toBe(500);
    expect(r.body.error.message).not.toMatch(/retr/i);
  });
});

describe('The optimistic retry budget', () => {
  it('should give up with a 503 once its time budget is spent, however many tries are left', async () => {
    let t = 0;
    let tries = 0;
    const p = withOptimisticRetry(
      async () => {
        tries++;
        t += 250; // each attempt takes 250 ms of the fake clock
        return { done: false };
      },
      { now: () => t, sleep: async (ms) => void (t += ms) },
    );
    await expect(p).rejects.toBeInstanceOf(ContentionError);
    expect(t).toBeLessThanOrEqual(RETRY_BUDGET_MS + 250);
    expect(tries).toBeLessThan(64);
    expect(toErrorResponse(new ContentionError()).status).toBe(503);
  });

  it('should end well before the route function times out, so the caller sees 503 and not a 502', () => {
    expect(RETRY_BUDGET_MS * 2).toBeLessThanOrEqual(defaultFunctionTimeout.toMilliseconds());
  });
});
