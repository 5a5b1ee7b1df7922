import { beforeAll, describe, expect, it } from 'vitest';
import { newTenant, receipt, type TestTenant } from './harness.ts';

describe('Bad input is refused with a 4xx naming the field, and nothing is written', () => {
  let t: TestTenant;
  let card: string;
  let customerId: string;

  beforeAll(async () => {
    t = await newTenant();
    const c = await t.pos('POST', '/v1/customers', { name: 'Valid' });
    card = c.body.card;
    customerId = c.body.customerId;
    await t.staff('POST', `/v1/customers/${customerId}/adjustments`, { adjustmentId: 'seed', points: 10, reason: 'seed points' });
  });

  const valid = () => receipt(card, [{ amount: 1_000 }]);
  const line = (over: Record<string, unknown>) => ({ ...valid(), lines: [{ ...valid().lines[0]!, ...over }] });

  const cases: Array<[string, string, unknown, number, string]> = [
    ['missing receiptId', '/v1/receipts', (({ receiptId: _r, ...rest }) => rest)(receipt('0000', [{ amount: 1 }])), 400, 'receiptId'],
    ['missing lines', '/v1/receipts', (({ lines: _l, ...rest }) => rest)(receipt('0000', [{ amount: 1 }])), 400, 'lines'],
    ['negative amount', '/v1/receipts', null, 400, 'lines.0.amount'],
    ['fractional amount', '/v1/receipts', null, 400, 'lines.0.amount'],
    ['quantity with 4 decimals', '/v1/receipts', null, 400, 'lines.0.quantity'],
    ['amount as a string', '/v1/receipts', null, 400, 'lines.0.amount'],
    ['unknown currency', '/v1/receipts', null, 400, 'currency'],
    ['currency of another program', '/v1/receipts', null, 422, 'currency'],
    ['10,000 lines', '/v1/receipts', null, 400, 'lines'],
    ['unknown customer', '/v1/receipts', null, 404, 'customer.card'],
    ['two customer identifiers', '/v1/receipts', null, 400, 'customer'],
    ['unknown field', '/v1/receipts', null, 400, 'discount'],
    ['burn with fractional points', '/v1/receipts', null, 400, 'burn.points'],
    ['burn above balance', '/v1/receipts', null, 409, 'burn.points'],
    ['duplicate lineId', '/v1/receipts', null, 400, 'lines.1.lineId'],
    ['total not matching lines', '/v1/receipts', null, 400, 'total'],
    ['receiptId with a key separator', '/v1/receipts', null, 400, 'receiptId'],
    ['return of an unknown receipt', '/v1/returns', { returnId: 'X1', receiptId: 'nope', lines: [{ lineId: '1', quantity: 1 }] }, 404, 'receiptId'],
    ['return with zero quantity', '/v1/returns', { returnId: 'X2', receiptId: 'nope', lines: [{ lineId: '1', quantity: 0 }] }, 400, 'lines.0.quantity'],
    ['enrolment with a bad phone', '/v1/customers', { phone: '12' }, 400, 'phone'],
    ['enrolment with a bad e-mail', '/v1/customers', { email: 'not-an-email' }, 400, 'email'],
  ];
  const bodies: Record<string, () => unknown> = {
    'negative amount': () => line({ amount: -1 }),
    'fractional amount': () => line({ amount: 10.5 }),
    'quantity with 4 decimals': () => line({ quantity: 1.0001 }),
    'amount as a string': () => line({ amount: '100' }),
    'unknown currency': () => ({ ...valid(), currency: 'XYZ' }),
    'currency of another program': () => ({ ...valid(), currency: 'EUR' }),
    '10,000 lines': () => ({ ...valid(), lines: Array.from({ length: 10_000 }, (_, i) => ({ ...valid().lines[0]!, lineId: String(i) })) }),
    'unknown customer': () => ({ ...valid(), customer: { card: '9999999999999999' } }),
    'two customer identifiers': () => ({ ...valid(), customer: { card, phone: '+37491234567' } }),
    'unknown field': () => ({ ...valid(), discount: 5 }),
    'burn with fractional points': () => ({ ...valid(), burn: { points: 1.5 } }),
    'burn above balance': () => ({ ...receipt(card, [{ amount: 100_000 }]), burn: { points: 11 } }),
    'duplicate lineId': () => ({ ...valid(), lines: [valid().lines[0]!, valid().lines[0]!] }),
    'total not matching lines': () => ({ ...valid(), total: 1 }),
    'receiptId with a key separator': () => ({ ...valid(), receiptId: 'R#1' }),
  };

  for (const [name, path, body, status, field] of cases) {
    it(`should answer ${status} naming "${field}" for ${name}`, async () => {
      const before = await t.items();
      const r = await t.pos('POST', path, body ?? bodies[name]!());
      expect(r.status).toBe(status);
      expect(r.body.error.field).toBe(field);
      expect(r.body.error.message).toContain(field);
      expect(r.raw).not.toMatch(/at .*\.ts|Exception|stack/i);
      expect(await t.items()).toEqual(before);
    });
  }

  it('should answer 401 without a key and 400 for a body that is not JSON', async () => {
    const { invoke } = await import('../support/http.ts');
    const { handlers } = await import('./harness.ts');
    // Without the header API Gateway answers itself (the authorizer's identity source is missing).
    const noKey = await invoke(handlers, { method: 'POST', path: '/v1/identify', body: { customer: { card } } });
    expect(noKey.status).toBe(401);
    expect(noKey.body).toEqual({ message: 'Unauthorized' });
    const badKey = await invoke(handlers, { method: 'POST', path: '/v1/identify', body: { customer: { card } }, headers: { authorization: 'Bearer tly_pos_wrong' } });
    expect(badKey.status).toBe(401);
    expect(badKey.body.error.field).toBe('authorization');
    const malformed = await invoke(handlers, { method: 'POST', path: '/v1/identify', body: { customer: { card } }, headers: { authorization: 'Basic abc' } });
    expect(malformed.body.error.message).toContain('Bearer');
    const notJson = await invoke(handlers, { method: 'POST', path: '/v1/identify', body: '{"customer":', headers: { authorization: `Bearer ${t.posKey}` } });
    expect(notJson.status).toBe(400);
    expect(notJson.body.error).toMatchObject({ code: 'invalid_json', field: 'body' });
  });
});
