import { describe, expect, it } from 'vitest';
import { apiKeyRepository } from '#lib/storage/api-keys.ts';
import { db } from '#lib/storage/client.ts';
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

  it('should stop a rotated key once its overlap is over', async () => {
    let now = Date.parse('2027-01-10T10:00:00Z');
    const repo = apiKeyRepository(db(), { clock: () => now, ttlMs: 0 });
    const t = await newTenant();
    const created = await repo.create({ tenantId: t.tenantId, storeId: 'S-01', role: 'pos', actor: 'pos:S-01' }, new Date(now).toISOString());
    await repo.end(t.tenantId, created.keyId, 'expiresAt', new Date(now + 3_600_000).toISOString(), new Date(now).toISOString());
    now += 3_599_000;
    expect(await repo.resolve(created.key)).toMatchObject({ tenantId: t.tenantId, storeId: 'S-01' });
    now += 2_000;
    expect(await repo.resolve(created.key)).toBeNull();
  });

  it('should never bring a rotated-out key back, nor make a second live replacement', async () => {
    const t = await newTenant();
    const old = (await t.staff('POST', '/v1/keys', { role: 'pos', storeId: 'S-01', name: 'till 7' })).body;
    const first = await t.staff('POST', `/v1/keys/${old.keyId}/rotate`, { overlapSeconds: 0 });
    expect(first.status).toBe(201);
    // Past its overlap: as if it no longer existed.
    const again = await t.staff('POST', `/v1/keys/${old.keyId}/rotate`, { overlapSeconds: 3_600 });
    expect(again.status).toBe(404);
    expect((await asKey(old.key)('POST', '/v1/identify', { customer: { card: '00000000' } })).status).toBe(401);
    // In its overlap: rotating it again would make a second live replacement.
    const inOverlap = await t.staff('POST', `/v1/keys/${first.body.keyId}/rotate`, { overlapSeconds: 3_600 });
    expect(inOverlap.status).toBe(201);
    const twice = await t.staff('POST', `/v1/keys/${first.body.keyId}/rotate`, { overlapSeconds: 3_600 });
    expect(twice.status).toBe(409);
    expect(twice.body.error).toMatchObject({ code: 'key_rotated', field: 'keyId' });
    const live = (await t.staff('GET', '/v1/keys')).body.keys.filter((k: { storeId?: string; revokedAt?: string; expiresAt?: string; actor: string }) => k.actor === 'pos:S-01' && !k.revokedAt && !(k.expiresAt && Date.parse(k.expiresAt) <= Date.now()));
    // The harness's own till key, the key in its overlap, and its one replacement.
    expect(live).toHaveLength(3);
  });

  it('should make customer keys only through the app-key route', async () => {
    const t = await newTenant();
    const r = await t.staff('POST', '/v1/keys', { role: 'customer', name: 'no customer' });
    expect(r.status).toBe(400);
    expect(r.body.error.field).toBe('role');
  });

  it('should audit every key change with the acting key and role beside the actor', async () => {
    const t = await newTenant();
    const k = (await t.staff('POST', '/v1/keys', { role: 'marketer', name: 'mo' })).body;
    await t.staff('POST', `/v1/keys/${k.keyId}/rotate`, { overlapSeconds: 60 });
    await t.staff('DELETE', `/v1/keys/${k.keyId}`);
    const records = (await t.staff('GET', '/v1/audit')).body.records.filter((r: { target: string }) => r.target === `key:${k.keyId}`);
    expect(records.map((r: { action: string }) => r.action).sort()).toEqual(['key.create', 'key.revoke', 'key.rotate']);
    for (const r of records) expect(r).toMatchObject({ actor: 'staff:anna', role: 'admin', keyId: expect.stringMatching(/^k_/) });
  });
});
