import { beforeAll, describe, expect, it } from 'vitest';
import { deps } from '#lib/app/deps.ts';
import { newTenant, type TestTenant } from './harness.ts';

describe('PUT /v1/customers/{customerId}/devices', () => {
  let t: TestTenant;
  let customerId: string;
  beforeAll(async () => {
    t = await newTenant();
    customerId = (await t.pos('POST', '/v1/customers', { name: 'App user', consents: { sms: false, email: false, push: true } })).body.customerId;
  });

  it('stores the push tokens the app registered (replacing the list), and never shows them back', async () => {
    const tokens = [{ token: 'apns-0123456789abcdef0123', platform: 'APNS' }];
    const r = await t.staff('PUT', `/v1/customers/${customerId}/devices`, { devices: tokens });
    expect(r.status).toBe(200);
    expect(r.raw).not.toContain('apns-0123456789abcdef0123');
    expect((await deps().customers.get(t.tenantId, customerId))!.profile.devices).toEqual(tokens);
    await t.staff('PUT', `/v1/customers/${customerId}/devices`, { devices: [] });
    expect((await deps().customers.get(t.tenantId, customerId))!.profile.devices).toEqual([]);
  });

  it('refuses a token that is not one, naming the field, and a POS key', async () => {
    const bad = await t.staff('PUT', `/v1/customers/${customerId}/devices`, { devices: [{ token: '<script>', platform: 'GCM' }] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('devices.0.token');
    expect((await t.pos('PUT', `/v1/customers/${customerId}/devices`, { devices: [] })).status).toBe(403);
  });
});
