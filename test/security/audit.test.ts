import { describe, expect, it } from 'vitest';
import { newTenant, scenarioProgram } from '../integration/harness.ts';

describe('Audit trail', () => {
  it('should record every staff action with actor, before and after, newest first, for staff of that tenant only', async () => {
    const t = await newTenant();
    const other = await newTenant();
    const c = (await t.pos('POST', '/v1/customers', { name: 'Audited' })).body;
    await t.staff('POST', `/v1/customers/${c.customerId}/adjustments`, { adjustmentId: 'A1', points: 40, reason: 'complaint #1234' });
    await t.staff('PUT', `/v1/customers/${c.customerId}/tier`, { tierId: 'vip', reason: 'partner' });
    await t.staff('PUT', `/v1/customers/${c.customerId}/segments`, { segments: ['students'] });
    await t.staff('POST', '/v1/program', { document: { ...scenarioProgram, name: 'Edited' }, basedOnVersion: 1 });
    await t.staff('POST', '/v1/coupons', { campaignId: 'welcome', count: 3 });

    const page = await t.staff('GET', '/v1/audit');
    expect(page.status).toBe(200);
    // Newest first: the staff's actions, then the tenant's creation (by the provisioning, `system`).
    const actions = page.body.records.map((r: { action: string }) => r.action);
    expect(actions.slice(0, 5)).toEqual(['coupons.issue', 'program.publish', 'segments.set', 'tier.assign', 'points.adjust']);
    // (Records of the same millisecond have no order among themselves.)
    expect(actions.slice(5).sort()).toEqual(['key.create', 'key.create', 'key.create', 'program.publish', 'store.create', 'store.create', 'tenant.create']);
    expect(page.body.records.slice(5).every((r: { actor: string }) => r.actor === 'system')).toBe(true);
    expect(page.body.records[4]).toMatchObject({
      actor: 'staff:anna',
      target: `customer:${c.customerId}`,
      before: { available: 0 },
      after: { available: 40, points: 40, reason: 'complaint #1234' },
    });
    const paged = await t.staff('GET', '/v1/audit?limit=2');
    const rest = await t.staff('GET', `/v1/audit?limit=10&cursor=${paged.body.nextCursor}`);
    expect([...paged.body.records, ...rest.body.records]).toEqual(page.body.records);
    // The other tenant sees its own creation only, none of t's records.
    expect((await other.staff('GET', '/v1/audit')).body.records.every((r: { actor: string }) => r.actor === 'system')).toBe(true);
    expect((await other.staff('GET', '/v1/audit')).raw).not.toContain(t.tenantId);
    expect((await t.pos('GET', '/v1/audit')).status).toBe(403);
  });

  it('should audit staff enrolments, device changes and reviews, each with the acting key and role, but not a till\'s or an app\'s own acts', async () => {
    const t = await newTenant();
    const byTill = (await t.pos('POST', '/v1/customers', { name: 'Walk-in' })).body;
    const byStaff = (await t.staff('POST', '/v1/customers', { name: 'Phoned in', phone: '+37493555111' })).body;
    await t.staff('PUT', `/v1/customers/${byStaff.customerId}/devices`, { devices: [{ token: 'device-token-1234', platform: 'GCM' }] });
    await t.staff('POST', `/v1/customers/${byTill.customerId}/reviews`, { sku: 'SKU-7', text: 'private words' });
    const mine = new Set(['customer.enrol', 'devices.set', 'review.record']);
    const records = (await t.staff('GET', '/v1/audit')).body.records.filter((r: { action: string }) => mine.has(r.action));
    expect(records.map((r: { action: string }) => r.action).sort()).toEqual(['customer.enrol', 'devices.set', 'review.record']);
    for (const r of records) expect(r).toMatchObject({ actor: 'staff:anna', role: 'admin', keyId: expect.stringMatching(/^k_/) });
    // Ids and field names, never the values.
    expect(JSON.stringify(records)).not.toMatch(/Phoned in|37493555111|device-token|private words/);
  });
});
