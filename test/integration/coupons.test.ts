import { beforeAll, describe, expect, it } from 'vitest';
import { newTenant, receipt, type TestTenant } from './harness.ts';
import { deps } from '#lib/app/deps.ts';

describe('Coupons', () => {
  let t: TestTenant;
  let card: string;
  let customerId: string;

  beforeAll(async () => {
    t = await newTenant();
    const c = await t.pos('POST', '/v1/customers', { name: 'Coupon holder' });
    card = c.body.card;
    customerId = c.body.customerId;
  });

  it('should take 10 % off with a code, once, and free the code again when the receipt is fully returned', async () => {
    const issued = await t.staff('POST', '/v1/coupons', { campaignId: 'welcome', customerId });
    expect(issued.status).toBe(201);
    const code: string = issued.body.codes[0];
    expect(code).toMatch(/^WELCOME-[A-Z2-9]{10}$/);

    const body = receipt(card, [{ amount: 10_000 }, { amount: 30_000 }], { coupons: [code.toLowerCase()] });
    const q = await t.pos('POST', '/v1/receipts/quote', body);
    expect(q.body.totals.couponDiscount).toBe(4_000);
    const c = await t.pos('POST', '/v1/receipts', body);
    expect(c.body.lines.map((l: { couponDiscount: number }) => l.couponDiscount)).toEqual([1_000, 3_000]);
    expect(c.body.totals).toMatchObject({ couponDiscount: 4_000, paid: 36_000, pointsEarned: 360 });
    expect((await t.staff('GET', `/v1/coupons/${code}`)).body).toMatchObject({ status: 'used', usedBy: { receiptId: body.receiptId } });

    const again = await t.pos('POST', '/v1/receipts/quote', receipt(card, [{ amount: 10_000 }], { coupons: [code] }));
    expect(again.status).toBe(422);
    expect(again.body.error).toMatchObject({ code: 'coupon_limit_reached', field: 'coupons.0' });

    const ret = await t.pos('POST', '/v1/returns', { returnId: `RET-${body.receiptId}`, receiptId: body.receiptId, lines: [{ lineId: '1', quantity: 1 }, { lineId: '2', quantity: 1 }] });
    expect(ret.body.couponsRestored).toEqual([code]);
    expect((await t.staff('GET', `/v1/coupons/${code}`)).body.status).toBe('issued');
    expect((await t.pos('POST', '/v1/receipts', receipt(card, [{ amount: 10_000 }], { coupons: [code] }))).body.totals.couponDiscount).toBe(1_000);
  });

  it('should let exactly one of two tills use the same code at the same moment', async () => {
    const { codes } = (await t.staff('POST', '/v1/coupons', { campaignId: 'bonus', count: 1 })).body;
    const other = (await t.pos('POST', '/v1/customers', { name: 'Second holder' })).body.card;
    const results = await Promise.all([
      t.pos('POST', '/v1/receipts', receipt(card, [{ amount: 5_000 }], { coupons: codes })),
      t.pos('POST', '/v1/receipts', receipt(other, [{ amount: 5_000 }], { coupons: codes })),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const winner = results.find((r) => r.status === 200)!;
    expect(winner.body.totals.pointsEarned).toBe(50 + 500);
    expect(results.find((r) => r.status === 409)!.body.error).toMatchObject({ code: 'coupon_unavailable', field: 'coupons.0' });
  });

  it('should refuse a code issued to another customer, and an unknown campaign prefix', async () => {
    const { codes } = (await t.staff('POST', '/v1/coupons', { campaignId: 'bonus', customerId })).body;
    const stranger = (await t.pos('POST', '/v1/customers', { name: 'Stranger' })).body.card;
    const r = await t.pos('POST', '/v1/receipts', receipt(stranger, [{ amount: 5_000 }], { coupons: codes }));
    expect(r.status).toBe(409);
    const unknown = await t.pos('POST', '/v1/receipts', receipt(stranger, [{ amount: 5_000 }], { coupons: ['NOPE-AAAAAAAAAA'] }));
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.code).toBe('unknown_coupon');
  });
});

describe('Coupons for a segment', () => {
  it('should issue one code to each customer of the segment, usable only by them', async () => {
    const t = await newTenant();
    const members = [];
    for (const name of ['a', 'b', 'c']) {
      const c = (await t.pos('POST', '/v1/customers', { name })).body;
      members.push(c);
      if (name !== 'c') await t.staff('PUT', `/v1/customers/${c.customerId}/segments`, { segments: ['vip-club'] });
    }
    const r = await t.staff('POST', '/v1/coupons', { campaignId: 'welcome', segment: 'vip-club' });
    expect(r.status).toBe(201);
    expect([...r.body.customers].sort()).toEqual([members[0].customerId, members[1].customerId].sort());
    const codeOfA = r.body.codes[r.body.customers.indexOf(members[0].customerId)];
    expect((await t.pos('POST', '/v1/receipts', receipt(members[2].card, [{ amount: 1_000 }], { coupons: [codeOfA] }))).status).toBe(409);
    expect((await t.pos('POST', '/v1/receipts', receipt(members[0].card, [{ amount: 1_000 }], { coupons: [codeOfA] }))).body.totals.couponDiscount).toBe(100);

    await t.staff('PUT', `/v1/customers/${members[1].customerId}/segments`, { segments: [] });
    const again = await t.staff('POST', '/v1/coupons', { campaignId: 'bonus', segment: 'vip-club' });
    expect(again.body.customers).toEqual([members[0].customerId]);
  });
});

describe('Issuing coupons is idempotent on issueId', () => {
  it('should resume an issue that failed half way with the same codes, and answer a finished one again', async () => {
    const t = await newTenant();
    // The third batch's transaction fails the first time, as a timeout or a crash would. Injected
    // on the process's DynamoDB client, which the coupons function shares with deps().
    let failed = false;
    const middleware = 'failThirdCouponBatch';
    deps().db.doc.middlewareStack.add(
      (next, context) => async (args) => {
        // The third batch moves the issue's progress from 2 batches done to 3.
        const items = (args.input as { TransactItems?: Array<{ Update?: { ExpressionAttributeValues?: Record<string, unknown> } }> }).TransactItems ?? [];
        const third = items.some((i) => i.Update?.ExpressionAttributeValues?.[':done'] === 2);
        if (!failed && /^TransactWrite(Items)?Command$/.test(context.commandName ?? '') && third && JSON.stringify(args.input).includes(t.tenantId)) {
          failed = true;
          throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError', $metadata: { httpStatusCode: 500 } });
        }
        return next(args);
      },
      { step: 'initialize', name: middleware },
    );
    try {
      const body = { campaignId: 'welcome', count: 500, issueId: 'spring-print-1' };
      const first = await t.staff('POST', '/v1/coupons', body);
      expect(first.status).toBe(503);
      const written = (await t.items()).filter((i) => i.type === 'coupon');
      expect(written).toHaveLength(2 * 98);
      const retry = await t.staff('POST', '/v1/coupons', body);
      expect(retry.status).toBe(201);
      expect(retry.body.codes).toHaveLength(500);
      expect(new Set(retry.body.codes).size).toBe(500);
      // The codes written before the failure are among the answer's: nothing was issued twice.
      expect(retry.body.codes).toEqual(expect.arrayContaining(written.map((c) => c.code)));
      const again = await t.staff('POST', '/v1/coupons', body);
      expect(again.body.codes).toEqual(retry.body.codes);
      expect((await t.items()).filter((i) => i.type === 'coupon')).toHaveLength(500);
      const audits = (await t.staff('GET', '/v1/audit')).body.records.filter((r: { action: string }) => r.action === 'coupons.issue');
      expect(audits).toHaveLength(1);
      expect((await t.staff('POST', '/v1/coupons', { ...body, count: 5 })).body.error).toMatchObject({ code: 'idempotency_conflict', field: 'issueId' });
      expect(failed).toBe(true);
    } finally {
      deps().db.doc.middlewareStack.remove(middleware);
    }
  });
});
