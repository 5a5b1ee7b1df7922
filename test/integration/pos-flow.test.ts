import { beforeAll, describe, expect, it } from 'vitest';
import { newTenant, receipt, type TestTenant } from './harness.ts';

/**
 * Each test builds the state it needs (a fresh tenant, the customer, the receipts before it), so
 * any one of them runs alone, in any order, and means the same.
 */
interface Flow {
  t: TestTenant;
  card: string;
  customerId: string;
  first?: ReturnType<typeof receipt>;
  second?: ReturnType<typeof receipt>;
}

/** A tenant and Armen, enrolled at the till by phone. */
async function enrolled(): Promise<Flow> {
  const t = await newTenant();
  const r = await t.pos('POST', '/v1/customers', { phone: '+374 91 234567', name: 'Armen', consents: { sms: true } });
  expect(r.status).toBe(201);
  expect(r.body.phone).toBe('+37491234567');
  return { t, card: r.body.card, customerId: r.body.customerId };
}

/** … who bought 3 items for 300.00 and a prescription for 500.00 (300 points, gold). */
async function afterFirstReceipt(): Promise<Flow & { first: ReturnType<typeof receipt> }> {
  const f = await enrolled();
  const first = receipt(f.card, [{ amount: 30_000, quantity: 3 }, { amount: 50_000, category: 'rx' }]);
  expect((await f.t.pos('POST', '/v1/receipts', first)).status).toBe(200);
  return { ...f, first };
}

/** … and then 100.00 more, 40 points of it paid with points (balance 318). */
async function afterSecondReceipt(): Promise<Flow & { first: ReturnType<typeof receipt>; second: ReturnType<typeof receipt> }> {
  const f = await afterFirstReceipt();
  const second = receipt(f.card, [{ amount: 10_000 }], { burn: { points: 40 } });
  expect((await f.t.pos('POST', '/v1/receipts', second)).status).toBe(200);
  return { ...f, second };
}

describe('POS flow through the handlers on DynamoDB Local', () => {
  it('should enrol a customer found later by phone, issuing a card', async () => {
    const { t, card, customerId } = await enrolled();
    expect(card).toMatch(/^\d{16}$/);
    const id = await t.pos('POST', '/v1/identify', { customer: { phone: '+37491234567' } });
    expect(id.status).toBe(200);
    expect(id.body).toMatchObject({ customerId, card, points: { available: 0, pending: 0 }, tier: { id: 'standard' } });
  });

  it('should refuse a second customer with the same phone, naming the field', async () => {
    const { t } = await enrolled();
    const r = await t.pos('POST', '/v1/customers', { phone: '+37491234567' });
    expect(r.status).toBe(409);
    expect(r.body.error).toMatchObject({ code: 'identifier_taken', field: 'phone' });
  });

  it('should quote and commit the same numbers, excluding rx from earning', async () => {
    const { t, card } = await enrolled();
    const first = receipt(card, [{ amount: 30_000, quantity: 3 }, { amount: 50_000, category: 'rx' }]);
    const q = await t.pos('POST', '/v1/receipts/quote', first);
    expect(q.status).toBe(200);
    expect(q.body.lines.map((l: { pointsEarned: number }) => l.pointsEarned)).toEqual([300, 0]);

    const c = await t.pos('POST', '/v1/receipts', first);
    expect(c.status).toBe(200);
    const { storeId, committedAt, ...committed } = c.body;
    expect(committed).toEqual(q.body);
    expect(storeId).toBe('S-01');
    expect(typeof committedAt).toBe('string');
    expect(c.body.balance).toEqual({ before: 0, after: 300 });
    expect(c.body.tierAfter.id).toBe('gold');
  });

  it('should answer an identical retry with the first answer, byte for byte', async () => {
    const { t, card, first } = await afterFirstReceipt();
    const a = await t.pos('POST', '/v1/receipts', first);
    const b = await t.pos('POST', '/v1/receipts', first);
    expect(a.raw).toBe(b.raw);
    expect(a.headers['idempotent-replayed']).toBe('true');
    const id = await t.pos('POST', '/v1/identify', { customer: { card } });
    expect(id.body.points.available).toBe(300);
  });

  it('should refuse the same receiptId with another body with 422', async () => {
    const { t, first } = await afterFirstReceipt();
    const r = await t.pos('POST', '/v1/receipts', { ...first, lines: [{ ...first.lines[0]!, amount: 1 }] });
    expect(r.status).toBe(422);
    expect(r.body.error).toMatchObject({ code: 'idempotency_conflict', field: 'receiptId' });
  });

  it('should apply the tier reached by earlier purchases and let points pay part', async () => {
    const { t, card } = await afterFirstReceipt();
    const c = await t.pos('POST', '/v1/receipts', receipt(card, [{ amount: 10_000 }], { burn: { points: 40 } }));
    expect(c.status).toBe(200);
    expect(c.body.tier.id).toBe('gold');
    expect(c.body.totals).toEqual({ amount: 10_000, tierDiscount: 200, rewardDiscount: 0, couponDiscount: 0, pointsDiscount: 4_000, paid: 5_800, pointsEarned: 58, pointsBurned: 40 });
    expect(c.body.burn.maxPoints).toBe(49);
    expect(c.body.balance).toEqual({ before: 300, after: 318 });
  });

  it('should refuse a burn above what the receipt allows with 422 and write nothing', async () => {
    const { t, card } = await afterFirstReceipt();
    const before = (await t.items()).length;
    const r = await t.pos('POST', '/v1/receipts', receipt(card, [{ amount: 10_000 }], { burn: { points: 50 } }));
    expect(r.status).toBe(422);
    expect(r.body.error.field).toBe('burn.points');
    expect((await t.items()).length).toBe(before);
  });

  it('should reverse a partial return in proportion and refuse returning more than bought', async () => {
    const { t, first } = await afterSecondReceipt();
    const ret = { returnId: 'RET-1', receiptId: first.receiptId, lines: [{ lineId: '1', quantity: 1 }] };
    const r = await t.pos('POST', '/v1/returns', ret);
    expect(r.status).toBe(200);
    expect(r.body.totals).toEqual({ refund: 10_000, pointsReversed: 100, pointsRefunded: 0 });
    expect(r.body.balance).toEqual({ before: 318, after: 218 });

    const again = await t.pos('POST', '/v1/returns', ret);
    expect(again.raw).toBe(r.raw);

    const tooMany = await t.pos('POST', '/v1/returns', { returnId: 'RET-2', receiptId: first.receiptId, lines: [{ lineId: '1', quantity: 3 }] });
    expect(tooMany.status).toBe(409);
    expect(tooMany.body.error).toMatchObject({ code: 'return_exceeds_purchase', field: 'lines.0.quantity' });
  });

  it('should give back burned points and take back earned ones on a full return', async () => {
    const { t, second } = await afterSecondReceipt();
    const r = await t.pos('POST', '/v1/returns', { returnId: 'RET-3', receiptId: second.receiptId, lines: [{ lineId: '1', quantity: 1 }] });
    expect(r.status).toBe(200);
    expect(r.body.totals).toEqual({ refund: 5_800, pointsReversed: 58, pointsRefunded: 40 });
    expect(r.body.balance).toEqual({ before: 318, after: 300 });
  });

  it('should record a staff adjustment with who and why, once however often it is retried', async () => {
    const { t, customerId } = await afterFirstReceipt();
    const body = { adjustmentId: 'ADJ-1', points: 50, reason: 'goodwill: late delivery' };
    const a = await t.staff('POST', `/v1/customers/${customerId}/adjustments`, body);
    const b = await t.staff('POST', `/v1/customers/${customerId}/adjustments`, body);
    expect(a.status).toBe(200);
    expect(b.raw).toBe(a.raw);
    expect(a.body).toMatchObject({ actor: 'staff:anna', balance: { before: 300, after: 350 } });
    const posTry = await t.pos('POST', `/v1/customers/${customerId}/adjustments`, { ...body, adjustmentId: 'ADJ-2' });
    expect(posTry.status).toBe(403);
  });

  it('should list the ledger newest first with a cursor, summing to the balance', async () => {
    const { t, customerId } = await afterSecondReceipt();
    await t.staff('POST', `/v1/customers/${customerId}/adjustments`, { adjustmentId: 'ADJ-1', points: 50, reason: 'goodwill: late delivery' });
    const seen: Array<{ seq: number; points: number; kind: string; source: Record<string, string> }> = [];
    let cursor: string | null = null;
    do {
      const q: string = cursor ? `?limit=2&cursor=${cursor}` : '?limit=2';
      const page = await t.staff('GET', `/v1/customers/${customerId}/ledger${q}`);
      expect(page.status).toBe(200);
      expect(page.body.entries.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.entries);
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen.length).toBeGreaterThan(2);
    expect(seen.map((e) => e.seq)).toEqual([...seen.map((e) => e.seq)].sort((a, b) => b - a));
    expect(seen.reduce((s, e) => s + e.points, 0)).toBe(368);
    expect(seen[0]).toMatchObject({ kind: 'adjustment', source: { actor: 'staff:anna', reason: 'goodwill: late delivery' } });
    const c = await t.staff('GET', `/v1/customers/${customerId}`);
    expect(c.body.points.available).toBe(368);
  });

  it('should let staff make the customer VIP, giving 5 % on the next receipt', async () => {
    const { t, card, customerId } = await enrolled();
    const r = await t.staff('PUT', `/v1/customers/${customerId}/tier`, { tierId: 'vip', reason: 'chain partner' });
    expect(r.status).toBe(200);
    expect(r.body.tier).toMatchObject({ id: 'vip', assignedBy: 'staff' });
    const c = await t.pos('POST', '/v1/receipts', receipt(card, [{ amount: 20_000 }]));
    expect(c.body.totals.tierDiscount).toBe(1_000);
  });

  it('should answer 404 for another tenant\'s customer, exactly as for a missing one', async () => {
    const { customerId } = await enrolled();
    const other = await newTenant();
    const a = await other.staff('GET', `/v1/customers/${customerId}`);
    const b = await other.staff('GET', '/v1/customers/c_nobody');
    expect(a.status).toBe(404);
    expect(a.raw).toBe(b.raw);
  });
});

describe('Enrolment retries', () => {
  it('should answer a retried enrolment with the first answer, also when retries race, and refuse the same id with another body', async () => {
    const t = await newTenant();
    const body = { enrolmentId: 'EN-till3-0001', name: 'Retry', consents: { sms: true } };
    const results = await Promise.all(Array.from({ length: 5 }, () => t.pos('POST', '/v1/customers', body)));
    expect(new Set(results.map((r) => r.raw)).size).toBe(1);
    expect(results.map((r) => r.status)).toEqual(Array(5).fill(201));
    expect(results.filter((r) => r.headers['idempotent-replayed'] === 'true')).toHaveLength(4);
    const customers = (await t.items()).filter((i) => i.type === 'customer');
    expect(customers).toHaveLength(1);
    const other = await t.pos('POST', '/v1/customers', { ...body, name: 'Someone else' });
    expect(other.status).toBe(422);
    expect(other.body.error.field).toBe('enrolmentId');
  });
});
