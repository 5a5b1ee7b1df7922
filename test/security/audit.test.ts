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
    expect(page.body.records.map((r: { action: string }) => r.action)).toEqual(['coupons.issue', 'program.publish', 'segments.set', 'tier.assign', 'points.adjust']);
    expect(page.body.records.at(-1)).toMatchObject({
      actor: 'staff:anna',
      target: `customer:${c.customerId}`,
      before: { available: 0 },
      after: { available: 40, points: 40, reason: 'complaint #1234' },
    });
    const paged = await t.staff('GET', '/v1/audit?limit=2');
    const rest = await t.staff('GET', `/v1/audit?limit=10&cursor=${paged.body.nextCursor}`);
    expect([...paged.body.records, ...rest.body.records]).toEqual(page.body.records);
    expect((await other.staff('GET', '/v1/audit')).body.records).toEqual([]);
    expect((await t.pos('GET', '/v1/audit')).status).toBe(403);
  });

  it('should audit staff enrolments, device changes and reviews, each with the acting key and role, but not a till\'s or an app\'s own acts', async () => {
    const t = await newTenant();
    const byTill = (await t.pos('POST', '/v1/customers', { name: 'Walk-in' })).body;
    const byStaff = (await t.staff('POST', '/v1/customers', { name: 'Phoned in', phone: '+37493555111' })).body;
    await t.staff('PUT', `/v1/customers/${byStaff.customerId}/devices`, { devices: [{ token: 'device-token-1234', platform: 'GCM' }] });
    await t.staff('POST', `/v1/customers/${byTill.customerId}/reviews`, { sku: 'SKU-7', text: 'private words' });
    const records = (await t.staff('GET', '/v1/audit')).body.records;
    expect(records.map((r: { action: string }) => r.action).sort()).toEqual(['customer.enrol', 'devices.set', 'review.record']);
    for (const r of records) expect(r).toMatchObject({ actor: 'staff:anna', role: 'admin', keyId: expect.stringMatching(/^k_/) });
    // Ids and field names, never the values.
    expect(JSON.stringify(records)).not.toMatch(/Phoned in|37493555111|device-token|private words/);
  });
});
