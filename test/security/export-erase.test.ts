/** Export and erasure: everything out as one document; personal data gone, books intact, both audited. */
import { beforeAll, describe, expect, it } from 'vitest';
import { deps } from '#lib/app/deps.ts';
import { EXPORT_PAGE_ITEMS } from '#lib/app/privacy.ts';
import { handlers, newTenant, receipt, type TestTenant } from '../integration/harness.ts';
import { invoke } from '../support/http.ts';

describe('customer export and erasure', () => {
  let t: TestTenant;
  let c: { customerId: string; card: string; referralCode?: string };
  let receiptId: string;

  beforeAll(async () => {
    t = await newTenant();
    c = (await t.pos('POST', '/v1/customers', { name: 'Lusine Hakobyan', phone: '+37493111222', email: 'lusine@example.am', birthDate: '1988-06-01', locale: 'hy' })).body;
    const r = receipt(c.card, [{ amount: 40_000 }, { amount: 10_000 }]);
    receiptId = r.receiptId;
    expect((await t.pos('POST', '/v1/receipts', r)).status).toBe(200);
    await t.staff('POST', `/v1/customers/${c.customerId}/adjustments`, { adjustmentId: 'goodwill-1', points: 50, reason: 'goodwill' });
  });

  it('exports profile, points, ledger and the receipts the ledger names, and audits it', async () => {
    const r = await t.staff('GET', `/v1/customers/${c.customerId}/export`);
    expect(r.status).toBe(200);
    expect(r.body.profile).toMatchObject({ name: 'Lusine Hakobyan', phone: '+37493111222', email: 'lusine@example.am' });
    expect(r.body.ledger.map((e: { kind: string }) => e.kind)).toEqual(['earn', 'adjustment']);
    expect(r.body.receipts).toEqual([expect.objectContaining({ receiptId, storeId: 'S-01', answer: expect.objectContaining({ receiptId }) })]);
    expect(r.body.points.available).toBe(550);
    const audit = await t.staff('GET', '/v1/audit');
    expect(audit.body.records.map((a: { action: string }) => a.action)).toContain('customer.export');
  });

  it('erases the person but keeps the books: identifiers freed, profile emptied, ledger intact, audited without the values', async () => {
    const before = await deps().customers.get(t.tenantId, c.customerId);
    expect((await t.staff('GET', '/v1/customers/search?name=lusine')).body.customers.map((x: { customerId: string }) => x.customerId)).toEqual([c.customerId]);
    const r = await t.staff('POST', `/v1/customers/${c.customerId}/erase`, { reason: 'customer request #4711' });
    expect(r.status).toBe(200);
    // Nothing of the person is left in the tenant's items.
    const text = JSON.stringify(await t.items());
    for (const pii of ['Lusine', 'Hakobyan', '37493111222', 'lusine@example.am', '1988-06-01', c.card]) expect(text, pii).not.toContain(pii);
    // Nor the name as the names index keeps it (normalised), and a search by it finds nobody.
    expect(before!.profile.name).toBe('Lusine Hakobyan');
    expect(text.toLowerCase()).not.toContain('lusine');
    expect((await t.staff('GET', '/v1/customers/search?name=lusine')).body.customers).toEqual([]);
    // Cannot be identified again, by anything.
    for (const customer of [{ card: c.card }, { phone: '+37493111222' }, { customerId: c.customerId }]) {
      expect((await t.pos('POST', '/v1/identify', { customer })).status).toBe(404);
    }
    expect((await t.staff('GET', `/v1/customers/${c.customerId}`)).status).toBe(404);
    // The books: the ledger still sums to the balance the account holds.
    const after = (await deps().customers.get(t.tenantId, c.customerId))!;
    expect(after.account).toEqual(before!.account);
    const ledger = await deps().customers.ledger(t.tenantId, c.customerId, 200, undefined);
    expect(ledger.rows.reduce((s: number, e: { points: number }) => s + e.points, 0)).toBe(after.account.available);
    const audit = (await t.staff('GET', '/v1/audit')).body.records.find((a: { action: string }) => a.action === 'customer.erase');
    expect(audit).toMatchObject({ before: { fields: ['name', 'phone', 'email', 'birthDate', 'locale'] }, after: { reason: 'customer request #4711' } });
    // The card number and phone are free for someone else.
    expect((await t.pos('POST', '/v1/customers', { card: c.card, phone: '+37493111222' })).status).toBe(201);
    // Erasing again changes nothing and says when it happened.
    expect((await t.staff('POST', `/v1/customers/${c.customerId}/erase`, { reason: 'again' })).body.erasedAt).toBe(r.body.erasedAt);
  });

  it('should treat an erased customer as missing on every route, and stop their app keys', async () => {
    const x = (await t.pos('POST', '/v1/customers', { name: 'Gone Soon', phone: '+37493999001' })).body;
    const appKey = (await t.staff('POST', `/v1/customers/${x.customerId}/app-key`)).body;
    const app = (method: string, path: string, body?: unknown) => invoke(handlers, { method, path, body, headers: { authorization: `Bearer ${appKey.key}` } });
    expect((await app('GET', '/v1/me')).status).toBe(200);
    await t.staff('POST', `/v1/customers/${x.customerId}/reviews`, { sku: 'SKU-1', text: 'Great shampoo, my name is Gone Soon' });
    expect((await t.staff('POST', `/v1/customers/${x.customerId}/erase`, { reason: 'request' })).status).toBe(200);

    for (const [method, path] of [['GET', '/v1/me'], ['GET', '/v1/me/ledger']] as const) expect((await app(method, path)).status, path).toBeGreaterThanOrEqual(400);
    expect((await app('PUT', '/v1/me/devices', { devices: [{ token: 'tok-123456789', platform: 'GCM' }] })).status).toBeGreaterThanOrEqual(400);
    const listed = (await t.staff('GET', '/v1/keys')).body.keys.find((k: { keyId: string }) => k.keyId === appKey.keyId);
    expect(listed.revokedAt).toBeDefined();
    const staffCalls: Array<[string, string, unknown?]> = [
      ['GET', `/v1/customers/${x.customerId}`],
      ['GET', `/v1/customers/${x.customerId}/ledger`],
      ['GET', `/v1/customers/${x.customerId}/export`],
      ['POST', `/v1/customers/${x.customerId}/adjustments`, { adjustmentId: 'after-erase', points: 5, reason: 'after erasure' }],
      ['PUT', `/v1/customers/${x.customerId}/tier`, { tierId: 'vip', reason: 'after erasure' }],
      ['PUT', `/v1/customers/${x.customerId}/segments`, { segments: ['a'] }],
      ['POST', `/v1/customers/${x.customerId}/reviews`, { sku: 'SKU-2' }],
      ['PUT', `/v1/customers/${x.customerId}/devices`, { devices: [] }],
      ['POST', `/v1/customers/${x.customerId}/app-key`],
    ];
    for (const [method, path, body] of staffCalls) expect((await t.staff(method, path, body)).status, `${method} ${path}`).toBe(404);
    // The review's text went with the person.
    expect(JSON.stringify(await t.items())).not.toContain('Great shampoo');
  });

  it('should export review texts, and a long history a page at a time', async () => {
    const y = (await t.pos('POST', '/v1/customers', { name: 'Long History' })).body;
    await t.staff('POST', `/v1/customers/${y.customerId}/reviews`, { sku: 'SKU-9', text: 'Works well' });
    for (let i = 0; i < EXPORT_PAGE_ITEMS + 5; i++) {
      await t.staff('POST', `/v1/customers/${y.customerId}/adjustments`, { adjustmentId: `h-${i}`, points: 1, reason: 'history' });
    }
    const pages = [];
    let cursor: string | null = null;
    do {
      const r = await t.staff('GET', `/v1/customers/${y.customerId}/export${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(r.status).toBe(200);
      pages.push(r.body);
      cursor = r.body.next;
    } while (cursor);
    expect(pages.length).toBeGreaterThan(1);
    expect(pages.flatMap((p) => p.ledger)).toHaveLength(EXPORT_PAGE_ITEMS + 5);
    expect(pages.flatMap((p) => p.reviews)).toEqual([expect.objectContaining({ sku: 'SKU-9', text: 'Works well' })]);
    // One export, one audit record, however many pages.
    const exports = (await t.staff('GET', '/v1/audit')).body.records.filter((a: { action: string; target: string }) => a.action === 'customer.export' && a.target === `customer:${y.customerId}`);
    expect(exports).toHaveLength(1);
    expect((await t.staff('GET', `/v1/customers/${y.customerId}/export?cursor=bm9wZQ`)).status).toBe(400);
  });
});
