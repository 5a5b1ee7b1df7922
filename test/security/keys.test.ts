import { describe, expect, it } from 'vitest';
import { newTenant } from '../integration/harness.ts';
import { invoke } from '../support/http.ts';
import { handlers } from '../../local/handlers.ts';

const asKey = (key: string) => (method: string, path: string, body?: unknown) => invoke(handlers, { method, path, body, headers: { authorization: `Bearer ${key}` } });

describe('API keys', () => {
  it('should show a key once, store only its hash, list keys without secrets, and scope POS keys to their store', async () => {
    const t = await newTenant();
    const created = await t.staff('POST', '/v1/keys', { role: 'pos', storeId: 'S-02', name: 'till 4' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ role: 'pos', storeId: 'S-02', actor: 'pos:S-02', createdBy: 'staff:anna' });
    const till = asKey(created.body.key);
    const c = (await till('POST', '/v1/customers', { name: 'At store 2' })).body;
    expect(c.customerId).toBeDefined();
    const list = await t.staff('GET', '/v1/keys');
    expect(list.raw).not.toContain(created.body.key);
    expect(list.body.keys.map((k: { keyId: string }) => k.keyId)).toContain(created.body.keyId);
    const items = await t.items();
    expect(JSON.stringify(items)).not.toContain(created.body.key);
    expect((await t.staff('POST', '/v1/keys', { role: 'pos', name: 'no store' })).body.error.field).toBe('storeId');
    expect((await t.staff('POST', '/v1/keys', { role: 'pos', storeId: 'S-99', name: 'x' })).status).toBe(404);
    expect((await till('POST', '/v1/keys', { role: 'admin', name: 'escalate' })).status).toBe(403);
  });

  it('should keep a rotated key working through the overlap only, and stop a revoked key', async () => {
    const t = await newTenant();
    const old = (await t.staff('POST', '/v1/keys', { role: 'pos', storeId: 'S-01', name: 'till 1' })).body;
    const rotated = await t.staff('POST', `/v1/keys/${old.keyId}/rotate`, { overlapSeconds: 0 });
    expect(rotated.status).toBe(201);
    expect(rotated.body.replaces.keyId).toBe(old.keyId);
    expect((await asKey(old.key)('POST', '/v1/identify', { customer: { card: '0000' } })).status).toBe(401);
    const fresh = asKey(rotated.body.key);
    expect((await fresh('POST', '/v1/identify', { customer: { card: '00000000' } })).status).toBe(404);

    const withOverlap = await t.staff('POST', `/v1/keys/${rotated.body.keyId}/rotate`, { overlapSeconds: 3_600 });
    expect((await fresh('POST', '/v1/identify', { customer: { card: '00000000' } })).status).toBe(404);
    const revoked = await t.staff('DELETE', `/v1/keys/${withOverlap.body.keyId}`);
    expect(revoked.body.revokedAt).toBeDefined();
    expect((await asKey(withOverlap.body.key)('POST', '/v1/identify', { customer: { card: '00000000' } })).status).toBe(401);
    expect((await t.staff('DELETE', `/v1/keys/${withOverlap.body.keyId}`)).status).toBe(404);
    const actions = (await t.staff('GET', '/v1/audit')).body.records.map((r: { action: string }) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['key.create', 'key.rotate', 'key.revoke']));
  });
});
