/** Personal identifiers: no phone number in any key of the table; the lookup still finds the customer. */
import { beforeAll, describe, expect, it } from 'vitest';
import { lookupHash } from '#lib/storage/lookup-key.ts';
import { newTenant, type TestTenant } from '../integration/harness.ts';

describe('phone numbers are looked up by a keyed hash', () => {
  let t: TestTenant;
  let customerId: string;
  beforeAll(async () => {
    t = await newTenant();
    customerId = (await t.pos('POST', '/v1/customers', { name: 'Private', phone: '+374 91 23-45-67' })).body.customerId;
  });

  it('keeps the number out of every key and every item but the profile', async () => {
    const items = await t.items();
    const withNumber = items.filter((i) => JSON.stringify(i).includes('37491234567'));
    // The profile item (storage/customers.ts): the customer item a receipt rewrites holds no contact.
    expect(withNumber.map((i) => i.type)).toEqual(['customerProfile']);
    const identifier = items.find((i) => i.type === 'identifier' && i.kind === 'phone')!;
    expect(identifier.pk).toBe(`T#${t.tenantId}#ID#phone#${await lookupHash(t.tenantId, 'phone', '+37491234567')}`);
  });

  it('finds the customer by phone, however it is typed, and the hash differs per tenant', async () => {
    expect((await t.pos('POST', '/v1/identify', { customer: { phone: '+37491234567' } })).body.customerId).toBe(customerId);
    expect((await t.pos('POST', '/v1/identify', { customer: { phone: '+374 (91) 234 567' } })).body.customerId).toBe(customerId);
    expect(await lookupHash(t.tenantId, 'phone', '+37491234567')).not.toBe(await lookupHash('other', 'phone', '+37491234567'));
  });
});
