/** Stores and tenant settings through the HTTP API: register, list, change, deactivate; settings and health. */
import { beforeAll, describe, expect, it } from 'vitest';
import { deps } from '#lib/app/deps.ts';
import { apiKeyRepository } from '#lib/storage/api-keys.ts';
import { CHANNEL_ENV } from '#lib/notify/live-channels.ts';

const LIVE_CHANNELS_ENV = CHANNEL_ENV.live;
import { handlers, newTenant, receipt, type TestTenant } from './harness.ts';
import { invoke } from '../support/http.ts';
import { assertMatchesOpenApi } from '../support/openapi.ts';

const asKey = (key: string) => async (method: string, path: string, body?: unknown) => {
  const r = await invoke(handlers, { method, path, body, headers: { authorization: `Bearer ${key}` } });
  assertMatchesOpenApi(r.routeKey, r.status, r.body);
  return r;
};

const north = { storeId: 'N-7', name: 'Pharmacy 7', address: '12 Abovyan St, Yerevan', timeZone: 'Asia/Yerevan', tags: { region: 'north', format: 'pharmacy' } };

describe('Stores', () => {
  let t: TestTenant;
  beforeAll(async () => {
    t = await newTenant();
  });

  it('should register a store, answer a retry byte for byte, and refuse the same id with other details, writing nothing', async () => {
    const first = await t.staff('POST', '/v1/stores', north);
    expect(first.status).toBe(201);
    expect(first.body).toEqual({ ...north, active: true, createdAt: expect.any(String), updatedAt: first.body.createdAt });
    const again = await t.staff('POST', '/v1/stores', { ...north, tags: { format: 'pharmacy', region: 'north' } });
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.raw).toBe(first.raw);
    const before = await t.items();
    const other = await t.staff('POST', '/v1/stores', { ...north, name: 'Another name' });
    expect(other.status).toBe(422);
    expect(other.body.error).toMatchObject({ code: 'idempotency_conflict', field: 'storeId', message: expect.stringContaining('PATCH /v1/stores/N-7') });
    expect(await t.items()).toEqual(before);
    expect((await t.staff('GET', '/v1/stores/N-7')).body).toEqual(first.body);
    const audit = (await t.staff('GET', '/v1/audit')).body.records.filter((r: { action: string; actor: string }) => r.action === 'store.create' && r.actor === 'staff:anna');
    expect(audit).toEqual([expect.objectContaining({ actor: 'staff:anna', target: 'store:N-7', after: first.body })]);
  });

  it('should refuse bad details with a 400 naming the field and the rule, writing nothing', async () => {
    const before = await t.items();
    const cases: Array<[unknown, string, RegExp]> = [
      [{ ...north, storeId: 'S#1' }, 'storeId', /letters, digits/],
      // The reports' rows for no store and for till figures not yet folded by store.
      [{ ...north, storeId: '-' }, 'storeId', /reserved/],
      [{ ...north, storeId: '*' }, 'storeId', /letters, digits/],
      [{ ...north, timeZone: 'Mars/Olympus' }, 'timeZone', /IANA/],
      [{ ...north, tags: { Region: 'north' } }, 'tags.Region', /lowercase/],
      [{ ...north, tags: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`t${i}`, 'x'])) }, 'tags', /at most 20/],
      [{ ...north, tags: { region: 'x'.repeat(65) } }, 'tags.region', /65|64/],
      [{ ...north, name: '' }, 'name', /1/],
      [{ ...north, colour: 'red' }, 'colour', /not a known field/],
    ];
    for (const [body, field, rule] of cases) {
      const r = await t.staff('POST', '/v1/stores', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.field).toBe(field);
      expect(r.body.error.message).toMatch(rule);
    }
    expect((await t.staff('PATCH', '/v1/stores/S-01', {})).body.error).toMatchObject({ field: 'body', message: expect.stringContaining('at least one of') });
    expect(await t.items()).toEqual(before);
  });

  it('should list stores a page at a time with an opaque cursor, never all at once', async () => {
    const ids = ['L-1', 'L-2', 'L-3', 'L-4', 'L-5'];
    for (const storeId of ids) expect((await t.staff('POST', '/v1/stores', { storeId, name: storeId })).status).toBe(201);
    const all = (await t.staff('GET', '/v1/stores?limit=200')).body.stores.map((s: { storeId: string }) => s.storeId);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await t.staff('GET', `/v1/stores?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.stores.length).toBeLessThanOrEqual(3);
      seen.push(...page.body.stores.map((s: { storeId: string }) => s.storeId));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor);
    expect(seen).toEqual(all);
    expect(seen).toEqual(expect.arrayContaining([...ids, 'S-01', 'S-02']));
    expect(pages).toBeGreaterThanOrEqual(3);
    expect((await t.staff('GET', '/v1/stores?limit=201')).body.error.field).toBe('limit');
    expect((await t.staff('GET', '/v1/stores?cursor=bm9wZQ')).body.error).toMatchObject({ field: 'cursor' });
  });

  it('should change a store with PATCH, audited with before and after', async () => {
    const r = await t.staff('PATCH', '/v1/stores/N-7', { name: 'Pharmacy 7 (renovated)', address: null, tags: { region: 'south' } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ storeId: 'N-7', name: 'Pharmacy 7 (renovated)', timeZone: 'Asia/Yerevan', tags: { region: 'south' }, active: true });
    expect(r.body.address).toBeUndefined();
    expect((await t.staff('GET', '/v1/stores/N-7')).body).toEqual(r.body);
    const rec = (await t.staff('GET', '/v1/audit')).body.records.find((a: { action: string }) => a.action === 'store.update');
    expect(rec).toMatchObject({ target: 'store:N-7', before: { name: 'Pharmacy 7', address: north.address }, after: { name: 'Pharmacy 7 (renovated)' } });
    expect((await t.staff('PATCH', '/v1/stores/NOPE', { name: 'x' })).status).toBe(404);
    expect((await t.staff('GET', '/v1/stores/NOPE')).status).toBe(404);
  });

  it('should stop a deactivated store’s POS keys, keep its receipts returnable elsewhere, refuse it new keys, and bring the keys back on reactivation', async () => {
    const c = (await t.pos('POST', '/v1/customers', { name: 'Regular' })).body;
    const r = receipt(c.card, [{ amount: 20_000 }, { amount: 10_000 }]);
    expect((await t.pos('POST', '/v1/receipts', r)).status).toBe(200);
    // Another process (a warm authorizer elsewhere) with the key cached, on a clock we move.
    let now = Date.now();
    const elsewhere = apiKeyRepository(deps().db, { clock: () => now });
    expect(await elsewhere.resolve(t.posKey)).toMatchObject({ storeId: 'S-01', role: 'pos' });

    const off = await t.staff('PATCH', '/v1/stores/S-01', { active: false });
    expect(off.body).toMatchObject({ active: false, deactivatedAt: expect.any(String) });
    // This process forgets at once; the other one within its key cache time.
    const refused = await t.pos('POST', '/v1/identify', { customer: { card: c.card } });
    expect(refused.status).toBe(401);
    now += 4_000;
    expect(await elsewhere.resolve(t.posKey)).not.toBeNull();
    now += 1_001;
    expect(await elsewhere.resolve(t.posKey)).toBeNull();

    // The receipt is still there, and another store takes the goods back.
    const back = await t.pos2('POST', '/v1/returns', { returnId: 'RET-deact', receiptId: r.receiptId, receiptStoreId: 'S-01', lines: [{ lineId: '1', quantity: 1 }] });
    expect(back.status).toBe(200);
    const key = await t.staff('POST', '/v1/keys', { role: 'pos', storeId: 'S-01', name: 'new till' });
    expect(key.status).toBe(409);
    expect(key.body.error).toMatchObject({ code: 'store_inactive', field: 'storeId' });
    const actions = (await t.staff('GET', '/v1/audit')).body.records.map((a: { action: string }) => a.action);
    expect(actions).toContain('store.deactivate');

    const on = await t.staff('PATCH', '/v1/stores/S-01', { active: true });
    expect(on.body.active).toBe(true);
    expect(on.body.deactivatedAt).toBeUndefined();
    expect((await t.pos('POST', '/v1/identify', { customer: { card: c.card } })).status).toBe(200);
  });

  it('should let an auditor read stores but not change them', async () => {
    const auditor = asKey((await t.staff('POST', '/v1/keys', { role: 'auditor', name: 'auditor' })).body.key);
    expect((await auditor('GET', '/v1/stores')).status).toBe(200);
    expect((await auditor('GET', '/v1/stores/S-02')).body.storeId).toBe('S-02');
    expect((await auditor('PATCH', '/v1/stores/S-02', { name: 'x' })).status).toBe(403);
    expect((await auditor('POST', '/v1/stores', { storeId: 'A-1', name: 'x' })).status).toBe(403);
  });
});

describe('Tenant settings and health', () => {
  let t: TestTenant;
  beforeAll(async () => {
    t = await newTenant();
  });

  it('should show the settings to staff and let an admin change them, audited', async () => {
    const marketer = asKey((await t.staff('POST', '/v1/keys', { role: 'marketer', name: 'mia' })).body.key);
    const read = await marketer('GET', '/v1/tenant');
    expect(read.body).toMatchObject({ tenantId: t.tenantId, name: t.tenantId, defaultLocale: 'en' });
    expect((await marketer('PATCH', '/v1/tenant', { name: 'Nope' })).status).toBe(403);
    const before = await t.items();
    expect((await t.staff('PATCH', '/v1/tenant', { defaultLocale: 'de' })).body.error).toMatchObject({ field: 'defaultLocale', message: expect.stringContaining('hy') });
    expect((await t.staff('PATCH', '/v1/tenant', {})).body.error.field).toBe('body');
    expect(await t.items()).toEqual(before);
    const changed = await t.staff('PATCH', '/v1/tenant', { name: 'Acme Pharmacy', defaultLocale: 'hy' });
    expect(changed.body).toMatchObject({ name: 'Acme Pharmacy', defaultLocale: 'hy' });
    expect((await marketer('GET', '/v1/tenant')).body).toEqual(changed.body);
    const rec = (await t.staff('GET', '/v1/audit')).body.records.find((a: { action: string }) => a.action === 'tenant.update');
    expect(rec).toMatchObject({ actor: 'staff:anna', before: { name: t.tenantId, defaultLocale: 'en' }, after: { name: 'Acme Pharmacy', defaultLocale: 'hy' } });
  });

  it('should report the program version in force and the live channels', async () => {
    const h = await t.staff('GET', '/v1/health');
    expect(h.body).toMatchObject({ tenantId: t.tenantId, program: { version: 1 }, channels: ['sms', 'email', 'push'] });
    await t.staff('POST', '/v1/program', { document: (await t.staff('GET', '/v1/program')).body.document, basedOnVersion: 1 });
    const saved = process.env[LIVE_CHANNELS_ENV];
    process.env[LIVE_CHANNELS_ENV] = 'email, sms';
    try {
      expect((await t.staff('GET', '/v1/health')).body).toMatchObject({ program: { version: 2 }, channels: ['sms', 'email'] });
    } finally {
      if (saved === undefined) delete process.env[LIVE_CHANNELS_ENV];
      else process.env[LIVE_CHANNELS_ENV] = saved;
    }
    expect((await t.pos('GET', '/v1/health')).status).toBe(403);
  });
});
