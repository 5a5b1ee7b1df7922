/** Staff look a customer up by card or phone (the console's search): GET /v1/customers. */
import { beforeAll, describe, expect, it } from 'vitest';
import { newTenant, type TestTenant } from './harness.ts';

describe('GET /v1/customers (lookup by identifier)', () => {
  let t: TestTenant;
  let customer: { customerId: string; card: string };

  beforeAll(async () => {
    t = await newTenant();
    customer = (await t.pos('POST', '/v1/customers', { name: 'Lookup target', phone: '+37491234567' })).body;
  });

  it('finds the customer by card and by phone, in any spelling the identifiers accept', async () => {
    const byCard = await t.staff('GET', `/v1/customers?card=${encodeURIComponent(customer.card)}`);
    expect(byCard.status).toBe(200);
    expect(byCard.body.customers.map((c: { customerId: string }) => c.customerId)).toEqual([customer.customerId]);
    const byPhone = await t.staff('GET', `/v1/customers?phone=${encodeURIComponent('+374 91 23 45 67')}`);
    expect(byPhone.body.customers[0]).toMatchObject({ customerId: customer.customerId, name: 'Lookup target' });
  });

  it('answers an empty list when nobody holds the identifier, and an erased customer is nobody', async () => {
    expect((await t.staff('GET', '/v1/customers?card=NOSUCHCARD1')).body).toEqual({ customers: [] });
    const gone = (await t.pos('POST', '/v1/customers', { name: 'Gone', phone: '+37491000001' })).body;
    await t.staff('POST', `/v1/customers/${gone.customerId}/erase`, { reason: 'asked to be forgotten' });
    expect((await t.staff('GET', `/v1/customers?card=${gone.card}`)).body).toEqual({ customers: [] });
  });

  it('names the field when the query is not exactly one well-formed identifier', async () => {
    const none = await t.staff('GET', '/v1/customers');
    expect(none.status).toBe(400);
    expect(none.body.error).toMatchObject({ field: 'card', message: expect.stringContaining('exactly one') });
    const both = await t.staff('GET', `/v1/customers?card=${customer.card}&phone=%2B37491234567`);
    expect(both.status).toBe(400);
    const badPhone = await t.staff('GET', '/v1/customers?phone=12');
    expect(badPhone.status).toBe(400);
    expect(badPhone.body.error.field).toBe('phone');
    expect((await t.pos('GET', `/v1/customers?card=${customer.card}`)).status).toBe(403);
  });
});
