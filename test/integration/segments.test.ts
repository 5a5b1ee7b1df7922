/**
 * `PUT /v1/customers/{id}/segments` replaces the customer's segments in one transaction (the
 * customer, a membership item per segment added or removed, the audit record): the most segments
 * a customer may have must let the largest replacement fit DynamoDB's 100 items.
 */
import { describe, expect, it } from 'vitest';
import { MAX_SEGMENTS } from '#domain/account-bounds.ts';
import { newTenant } from './harness.ts';

const named = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

describe('segments per customer', () => {
  it('should replace the most segments a customer may have with as many others in one request', async () => {
    const t = await newTenant();
    const c = (await t.pos('POST', '/v1/customers', { name: 'Segmented' })).body;
    const first = await t.staff('PUT', `/v1/customers/${c.customerId}/segments`, { segments: named('a', MAX_SEGMENTS) });
    expect(first.status).toBe(200);
    const second = await t.staff('PUT', `/v1/customers/${c.customerId}/segments`, { segments: named('b', MAX_SEGMENTS) });
    expect(second.status).toBe(200);
    expect(second.body.segments).toEqual(named('b', MAX_SEGMENTS).sort());
  });

  it('should refuse more segments than a customer may have with a 400 naming the field and the limit, writing nothing', async () => {
    const t = await newTenant();
    const c = (await t.pos('POST', '/v1/customers', { name: 'Segmented' })).body;
    const before = (await t.items()).length;
    const r = await t.staff('PUT', `/v1/customers/${c.customerId}/segments`, { segments: named('a', 50) });
    expect(r.status).toBe(400);
    expect(r.body.error.field).toBe('segments');
    expect(r.body.error.message).toContain(`at most ${MAX_SEGMENTS}`);
    expect((await t.items()).length).toBe(before);
  });
});
