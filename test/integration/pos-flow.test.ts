import { beforeAll, describe, expect, it } from 'vitest';
import { newTenant, receipt, type TestTenant } from './harness.ts';

describe('POS flow through the handlers on DynamoDB Local', () => {
  let t: TestTenant;
  let card: string;
  let customerId: string;

  beforeAll(async () => {
    t = await newTenant();
  });

  it('should enrol a customer found later by phone, issuing a card', async () => {
    const r = await t.pos('POST', '/v1/customers', { phone: '+374 91 234567', name: 'Armen', consents: { sms: true } });
    expect(r.status).toBe(201);
    expect(r.body.card).toMatch(/^\d{16}$/);
    expect(r.body.phone).toBe('+37491234567');
    card = r.body.card;
    customerId = r.body.customerId;

    const id = await t.pos('POST', '/v1/identify', { customer: { phone: '+37491234567' } });
    expect(id.status).toBe(200);
    expect(id.body).toMatchObject({ customerId, card, points: { available: 0, pending: 0 }, tier: { id: 'standard' } });
  });

  it('should refuse a second customer with the same phone, naming the field', async () => {
    const r = await t.pos('POST', '/v1/customers', { phone: '+37491234567' });
    expect(r.status).toBe(409);
    expect(r.body.error).toMatchObject({ code: 'identifier_taken', field: 'phone' });
  });

  let first: ReturnType<typeof receipt>;
  it('should quote and commit the same numbers, excluding rx from earning', async () => {
    first = receipt(card, [{ amount: 30_000, quantity: 3 }, { amount: 50_000, category: 'rx' }]);
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
    const a = await t.pos('POST', '/v1/receipts', first);
    const b = await t.pos('POST', '/v1/receipts', first);
    expect(a.raw).toBe(b.raw);
    expect(a.headers['idempotent-replayed']).toBe('true');
    const id = await t.pos('POST', '/v1/identify', { customer: { card } });
    expect(id.body.points.available).toBe(300);
  });

  it('should refuse the same receiptId with another body with 422', async () => {
    const r = await t.pos('POST', '/v1/receipts', { ...first, lines: [{ ...first.lines[0]!, amount: 1 }] });
    expect(r.status).toBe(422);
    expect(r.body.error).toMatchObject({ code: 'idempotency_conflict', field: 'receiptId' });
  });

  let second: ReturnType<typeof receipt>;
  it('should apply the tier reached by earlier purchases and let points pay part', async () => {
    second = receipt(card, [{ amount: 10_000 }], { burn: { points: 40 } });
    const c = await t.pos('POST', '/v1/receipts', second);
    expect(c.status).toBe(200);
    expect(c.body.tier.id).toBe('gold');
    expect(c.body.totals).toEqual({ amount: 10_000, tierDiscount: 200, rewardDiscount: 0, couponDiscount: 0, pointsDiscount: 4_000, paid: 5_800, pointsEarned: 58, pointsBurned: 40 });
    expect(c.body.burn.maxPoints).toBe(49);
    expect(c.body.balance).toEqual({ before: 300, after: 318 });
  });

  it('should refuse a burn above what the receipt allows with 422 and write nothing', async () => {
    const before = (await t.items()).length;
    const r = await t.pos('POST', '/v1/receipts', receipt(card, [{ amount: 10_000 }], { burn: { points: 50 } }));
    expect(r.status).toBe(422);
    expect(r.body.error.field).toBe('burn.points');
    expect((await t.items()).length).toBe(before);
  });

  it('should reverse a partial return in proportion and refuse returning more than bought', async () => {
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
    const r = await t.pos('POST', '/v1/returns', { returnId: 'RET-3', receiptId: second.receiptId, lines: [{ lineId: '1', quantity: 1 }] });
    expect(r.status).toBe(200);
    expect(r.body.totals).toEqual({ refund: 5_800, pointsReversed: 58, pointsRefunded: 40 });
    expect(r.body.balance.after).toBe(200);
  });

  it('should record a staff adjustment with who and why, once however often it is retried', async () => {
    const body = { adjustmentId: 'ADJ-1', points: 50, reason: 'goodwill: late delivery' };
    const a = await t.staff('POST', `/v1/customers/${customerId}/adjustments`, body);
    const b = await t.staff('POST', `/v1/customers/${customerId}/adjustments`, body);
    expect(a.status).toBe(200);
    expect(b.raw).toBe(a.raw);
    expect(a.body).toMatchObject({ actor: 'staff:anna', balance: { before: 200, after: 250 } });
    const posTry = await t.pos('POST', `/v1/customers/${customerId}/adjustments`, { ...body, adjustmentId: 'ADJ-2' });
    expect(posTry.status).toBe(403);
  });

  it('should list the ledger newest first with a cursor, summing to the balance', async () => {
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
    expect(seen.map((e) => e.seq)).toEqual([...seen.map((e) => e.seq)].sort((a, b) => b - a));
    expect(seen.reduce((s, e) => s + e.points, 0)).toBe(250);
    expect(seen[0]).toMatchObject({ kind: 'adjustment', source: { actor: 'staff:anna', reason: 'goodwill: late delivery' } });
    const c = await t.staff('GET', `/v1/customers/${customerId}`);
    expect(c.body.points.available).toBe(250);
  });

  it('should let staff make the customer VIP, giving 5 % on the next receipt', async () => {
    const r = await t.staff('PUT', `/v1/customers/${customerId}/tier`, { tierId: 'vip', reason: 'chain partner' });
    expect(r.status).toBe(200);
    expect(r.body.tier).toMatchObject({ id: 'vip', assignedBy: 'staff' });
    const c = await t.pos('POST', '/v1/receipts', receipt(card, [{ amount: 20_000 }]));
    expect(c.body.totals.tierDiscount).toBe(1_000);
  });

  it('should answer 404 for another tenant\'s customer, exactly as for a missing one', async () => {
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
