/**
 * Tenant isolation: another tenant's customer, receipt, coupon or ledger answers exactly as a
 * missing one does — the tenant always comes from the key.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { deps } from '#lib/app/deps.ts';
import { runImport } from '#lib/app/imports.ts';
import { routeGroups, routeKey } from '#lib/http/routes.ts';
import { newTenant, receipt, type TestTenant } from '../integration/harness.ts';

describe('Tenant isolation across every route that names something', () => {
  let a: TestTenant;
  let b: TestTenant;
  let c: TestTenant;
  let owned: { customerId: string; card: string; receiptId: string; coupon: string; keyId: string; journeyId: string; webhookId: string; deliveryId: string; storeId: string; importId: string; sku: string; simulationId: string };

  beforeAll(async () => {
    [a, b, c] = await Promise.all([newTenant(), newTenant(), newTenant()]);
    const cust = (await a.pos('POST', '/v1/customers', { name: 'Owned', phone: '+37491777777' })).body;
    const r = receipt(cust.card, [{ amount: 10_000 }]);
    await a.pos('POST', '/v1/receipts', r);
    const coupon = (await a.staff('POST', '/v1/coupons', { campaignId: 'welcome' })).body.codes[0];
    const keyId = (await a.staff('POST', '/v1/keys', { role: 'pos', storeId: 'S-02', name: 'till 9' })).body.keyId;
    const journeyId = (
      await a.staff('POST', '/v1/journeys', {
        journeyId: 'owned-journey',
        name: 'Owned',
        trigger: { kind: 'event', eventType: 'customer.enrolled' },
        steps: [{ kind: 'message', channels: ['sms'], templates: { en: { text: 'Hi' } } }],
      })
    ).body.journeyId;
    const webhookId = (await a.staff('POST', '/v1/webhooks', { url: 'https://hooks.example.com/owned', eventTypes: ['points.earned'] })).body.webhookId;
    // A real delivery of tenant a's, taken in as the webhook worker would (no queue needed to exist for the record).
    const { deps } = await import('#lib/app/deps.ts');
    const { deliveryIdOf } = await import('#lib/app/webhooks.ts');
    const at = new Date().toISOString();
    const deliveryId = deliveryIdOf({ id: 'owned-event', occurredAt: at });
    await deps().webhooks.accept(a.tenantId, { deliveryId, webhookId, eventId: 'owned-event', eventType: 'points.earned', customerId: cust.customerId, occurredAt: at, body: '{}', state: 'parked', attempts: 1, replays: 0, acceptedAt: at, windowEndsAt: at, parkedAt: at });
    // Every test tenant has S-01 and S-02; this store only tenant a has.
    const storeId = (await a.staff('POST', '/v1/stores', { storeId: `OWN-${a.tenantId}`, name: 'Owned store' })).body.storeId;
    const imported = await runImport(deps(), {
      tenantId: a.tenantId,
      importId: 'owned-import',
      format: 'csv',
      source: 'owned.csv',
      bytesTotal: null,
      open: () => Readable.from(['card\n70000001\nbad\n']),
      writeReport: async () => 'owned.errors.csv',
      actor: 'test',
    });
    // A simulation of tenant a's, stored as POST /v1/simulations stores it (no queue needed for the record).
    const { simulationRepository } = await import('#lib/storage/simulations.ts');
    const simulationId = 'sim_owned';
    await simulationRepository(deps().db).create(
      { tenantId: a.tenantId, simulationId, status: 'queued', draftHash: 'h', currentVersion: 1, from: at, to: at, topN: 20, shards: 16, shardsDone: 0, receipts: 0, returns: 0, unreplayable: 0, readUnits: 0, createdAt: at, createdBy: 'test', updatedAt: at },
      {},
      deps().audit.item({ tenantId: a.tenantId, actor: 'test', keyId: 'k', role: 'admin' }, { at, action: 'simulation.start', target: `simulation:${simulationId}` }),
    );
    // A segment definition only tenant a has.
    expect((await a.staff('POST', '/v1/segments', { segmentId: 'owned-seg', name: 'Owned', conditions: [{ kind: 'balance', min: 1 }] })).status).toBe(201);
    // A product only tenant a's catalog has.
    const sku = `OWN-${a.tenantId}`;
    expect((await a.staff('PUT', `/v1/catalog/${sku}`, { name: 'Owned product', category: 'general' })).status).toBe(200);
    owned = { customerId: cust.customerId, card: cust.card, receiptId: r.receiptId, coupon, keyId, journeyId, webhookId, deliveryId, storeId, importId: imported.progress.importId, sku, simulationId };
  });

  const cases = (): Array<[string, string, string, unknown]> => [
    ['POST /v1/identify', 'POST', '/v1/identify', { customer: { card: owned.card } }],
    ['POST /v1/identify', 'POST', '/v1/identify', { customer: { phone: '+37491777777' } }],
    ['POST /v1/identify', 'POST', '/v1/identify', { customer: { customerId: owned.customerId } }],
    ['POST /v1/receipts/quote', 'POST', '/v1/receipts/quote', receipt(owned.card, [{ amount: 1_000 }], { receiptId: 'X-1' })],
    ['POST /v1/receipts', 'POST', '/v1/receipts', receipt(owned.card, [{ amount: 1_000 }], { receiptId: 'X-2' })],
    ['POST /v1/returns', 'POST', '/v1/returns', { returnId: 'XR-1', receiptId: owned.receiptId, lines: [{ lineId: '1', quantity: 1 }] }],
    ['GET /v1/customers/{customerId}', 'GET', `/v1/customers/${owned.customerId}`, undefined],
    ['GET /v1/customers/{customerId}/ledger', 'GET', `/v1/customers/${owned.customerId}/ledger`, undefined],
    ['POST /v1/customers/{customerId}/adjustments', 'POST', `/v1/customers/${owned.customerId}/adjustments`, { adjustmentId: 'X', points: 5, reason: 'cross-tenant try' }],
    ['PUT /v1/customers/{customerId}/tier', 'PUT', `/v1/customers/${owned.customerId}/tier`, { tierId: 'vip', reason: 'cross-tenant try' }],
    ['PUT /v1/customers/{customerId}/segments', 'PUT', `/v1/customers/${owned.customerId}/segments`, { segments: ['x'] }],
    ['POST /v1/customers/{customerId}/reviews', 'POST', `/v1/customers/${owned.customerId}/reviews`, { sku: 'A' }],
    ['POST /v1/customers/{customerId}/app-key', 'POST', `/v1/customers/${owned.customerId}/app-key`, undefined],
    ['POST /v1/customers/{customerId}/events', 'POST', `/v1/customers/${owned.customerId}/events`, { eventId: 'cross-tenant', type: 'app.installed' }],
    ['POST /v1/customers/{customerId}/link', 'POST', `/v1/customers/${owned.customerId}/link`, {}],
    ['GET /v1/customers/{customerId}/budgets', 'GET', `/v1/customers/${owned.customerId}/budgets`, undefined],
    ['GET /v1/customers/{customerId}/export', 'GET', `/v1/customers/${owned.customerId}/export`, undefined],
    ['POST /v1/customers/{customerId}/erase', 'POST', `/v1/customers/${owned.customerId}/erase`, { reason: 'cross-tenant try' }],
    ['PUT /v1/customers/{customerId}/devices', 'PUT', `/v1/customers/${owned.customerId}/devices`, { devices: [{ token: 'fcm-token-0123456789abcdef', platform: 'GCM' }] }],
    ['GET /v1/coupons/{code}', 'GET', `/v1/coupons/${owned.coupon}`, undefined],
    ['POST /v1/coupons', 'POST', '/v1/coupons', { campaignId: 'welcome', customerId: owned.customerId }],
    ['POST /v1/keys/{keyId}/rotate', 'POST', `/v1/keys/${owned.keyId}/rotate`, {}],
    ['DELETE /v1/keys/{keyId}', 'DELETE', `/v1/keys/${owned.keyId}`, undefined],
    ['GET /v1/journeys/{journeyId}', 'GET', `/v1/journeys/${owned.journeyId}`, undefined],
    ['POST /v1/journeys/{journeyId}/start', 'POST', `/v1/journeys/${owned.journeyId}/start`, undefined],
    ['POST /v1/journeys/{journeyId}/stop', 'POST', `/v1/journeys/${owned.journeyId}/stop`, undefined],
    ['GET /v1/webhooks/{webhookId}', 'GET', `/v1/webhooks/${owned.webhookId}`, undefined],
    ['PATCH /v1/webhooks/{webhookId}', 'PATCH', `/v1/webhooks/${owned.webhookId}`, { active: false }],
    ['DELETE /v1/webhooks/{webhookId}', 'DELETE', `/v1/webhooks/${owned.webhookId}`, undefined],
    ['POST /v1/webhooks/{webhookId}/rotate-secret', 'POST', `/v1/webhooks/${owned.webhookId}/rotate-secret`, {}],
    ['GET /v1/webhooks/{webhookId}/deliveries', 'GET', `/v1/webhooks/${owned.webhookId}/deliveries`, undefined],
    ['POST /v1/webhooks/{webhookId}/deliveries/{deliveryId}/replay', 'POST', `/v1/webhooks/${owned.webhookId}/deliveries/${owned.deliveryId}/replay`, undefined],
    ['GET /v1/stores/{storeId}', 'GET', `/v1/stores/${owned.storeId}`, undefined],
    ['PATCH /v1/stores/{storeId}', 'PATCH', `/v1/stores/${owned.storeId}`, { active: false }],
    ['POST /v1/keys', 'POST', '/v1/keys', { role: 'pos', storeId: owned.storeId, name: 'cross-tenant till' }],
    ['GET /v1/imports/{importId}', 'GET', `/v1/imports/${owned.importId}`, undefined],
    ['GET /v1/catalog/{sku}', 'GET', `/v1/catalog/${owned.sku}`, undefined],
    ['DELETE /v1/catalog/{sku}', 'DELETE', `/v1/catalog/${owned.sku}`, undefined],
    ['GET /v1/simulations/{simulationId}', 'GET', `/v1/simulations/${owned.simulationId}`, undefined],
    ['GET /v1/segments/{segmentId}', 'GET', '/v1/segments/owned-seg', undefined],
    ['PUT /v1/segments/{segmentId}', 'PUT', '/v1/segments/owned-seg', { name: 'Taken over', conditions: [{ kind: 'balance', min: 2 }] }],
    ['DELETE /v1/segments/{segmentId}', 'DELETE', '/v1/segments/owned-seg', undefined],
  ];

  it('should cover every route that takes an id of something a tenant owns', () => {
    // Reports name nothing a tenant owns: the tenant comes from the credential.
    const covered = new Set([...cases().map(([k]) => k), ...routeGroups.reports.map(routeKey)]);
    const owning = Object.values(routeGroups)
      .flat()
      .map(routeKey)
      // GET /v1/customers (lookup) and a segment's members answer a list, not a 404: their own tests below.
      .filter((k) => !['POST /v1/customers', 'GET /v1/customers', 'GET /v1/customers/search', 'POST /v1/links', 'POST /v1/links/exchange', 'GET /v1/program', 'POST /v1/program', 'POST /v1/program/validate', 'GET /v1/program/versions', 'GET /v1/program/versions/{version}', 'GET /v1/program/schema', 'GET /v1/audit', 'GET /v1/keys', 'POST /v1/journeys', 'GET /v1/journeys', 'POST /v1/webhooks', 'GET /v1/webhooks', 'GET /v1/me', 'GET /v1/me/ledger', 'PUT /v1/me/devices', 'GET /v1/me/coupons', 'GET /v1/me/stamps', 'POST /v1/stores', 'GET /v1/stores', 'GET /v1/tenant', 'PATCH /v1/tenant', 'GET /v1/health', 'POST /v1/imports', 'GET /v1/budgets', 'POST /v1/segments', 'GET /v1/segments', 'GET /v1/segments/{segmentId}/members', 'GET /v1/segments/{segmentId}/export', 'GET /v1/catalog', 'PUT /v1/catalog/{sku}', 'POST /v1/simulations'].includes(k));
    expect(owning.filter((k) => !covered.has(k))).toEqual([]);
  });

  it('should find nothing by another tenant’s card or phone, exactly as for identifiers nobody holds', async () => {
    for (const query of [`card=${owned.card}`, `phone=${encodeURIComponent('+37491777777')}`]) {
      const fromB = await b.staff('GET', `/v1/customers?${query}`);
      expect(fromB.body, query).toEqual({ customers: [] });
      expect(fromB.raw).toBe((await c.staff('GET', `/v1/customers?${query}`)).raw);
    }
    expect((await a.staff('GET', `/v1/customers?card=${owned.card}`)).body.customers).toHaveLength(1);
  });

  it('should find nobody by another tenant’s customer’s name, exactly as for a name nobody has', async () => {
    for (const name of ['Owned', 'own', 'OWNED']) {
      const fromB = await b.staff('GET', `/v1/customers/search?name=${name}`);
      expect(fromB.body, name).toEqual({ customers: [], nextCursor: null });
      expect(fromB.raw).toBe((await c.staff('GET', `/v1/customers/search?name=${name}`)).raw);
    }
    // A cursor tenant a was given reads only the caller's own tenant in tenant b.
    await a.pos('POST', '/v1/customers', { name: 'Owned too' });
    const first = await a.staff('GET', '/v1/customers/search?name=owned&limit=1');
    expect(first.body.customers).toHaveLength(1);
    expect(first.body.nextCursor).not.toBeNull();
    const next = await b.staff('GET', `/v1/customers/search?name=owned&cursor=${first.body.nextCursor}`);
    expect(next.body).toEqual({ customers: [], nextCursor: null });
  });

  it('should show another tenant’s segment as empty, exactly as a segment nobody defined', async () => {
    for (const path of ['/v1/segments/owned-seg/members', '/v1/segments/owned-seg/export']) {
      const fromB = await b.staff('GET', path);
      expect(fromB.status, path).toBe(200);
      expect(fromB.raw, path).toBe((await c.staff('GET', path)).raw);
    }
    expect((await b.staff('GET', '/v1/segments')).body).toEqual((await c.staff('GET', '/v1/segments')).body);
  });

  it('should answer 404 to another tenant, byte for byte as to a tenant that never had it, and change nothing', async () => {
    const before = await a.items();
    for (const [key, method, path, body] of cases()) {
      const call = (t: TestTenant) => (key.startsWith('POST /v1/identify') || key.includes('receipts') || key.includes('returns') ? t.pos : t.staff)(method, path, body);
      const fromB = await call(b);
      const fromC = await call(c);
      expect(fromB.status, `${key}: ${fromB.raw}`).toBe(404);
      expect(fromB.raw, key).toBe(fromC.raw);
    }
    expect(await a.items()).toEqual(before);
  });
});
