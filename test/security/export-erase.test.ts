/** Export and erasure: everything out as one document; personal data gone, books intact, both audited. */
import { beforeAll, describe, expect, it } from 'vitest';
import { deps } from '#lib/app/deps.ts';
import { newTenant, receipt, type TestTenant } from '../integration/harness.ts';

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
    const r = await t.staff('POST', `/v1/customers/${c.customerId}/erase`, { reason: 'customer request #4711' });
    expect(r.status).toBe(200);
    // Nothing of the person is left in the tenant's items.
    const text = JSON.stringify(await t.items());
    for (const pii of ['Lusine', 'Hakobyan', '37493111222', 'lusine@example.am', '1988-06-01', c.card]) expect(text, pii).not.toContain(pii);
    // Cannot be identified again, by anything.
    for (const customer of [{ card: c.card }, { phone: '+37493111222' }, { customerId: c.customerId }]) {
      expect((await t.pos('POST', '/v1/identify', { customer })).status).toBe(404);
    }
    expect((await t.staff('GET', `/v1/customers/${c.customerId}`)).status).toBe(404);
    // The books: the ledger still sums to the balance the account holds.
    const after = (await deps().customers.get(t.tenantId, c.customerId))!;
    expect(after.account).toEqual(before!.account);
    const ledger = await t.staff('GET', `/v1/customers/${c.customerId}/ledger`);
    expect(ledger.body.entries.reduce((s: number, e: { points: number }) => s + e.points, 0)).toBe(after.account.available);
    const audit = (await t.staff('GET', '/v1/audit')).body.records.find((a: { action: string }) => a.action === 'customer.erase');
    expect(audit).toMatchObject({ before: { fields: ['name', 'phone', 'email', 'birthDate', 'locale'] }, after: { reason: 'customer request #4711' } });
    // The card number and phone are free for someone else.
    expect((await t.pos('POST', '/v1/customers', { card: c.card, phone: '+37493111222' })).status).toBe(201);
    // Erasing again changes nothing and says when it happened.
    expect((await t.staff('POST', `/v1/customers/${c.customerId}/erase`, { reason: 'again' })).body.erasedAt).toBe(r.body.erasedAt);
  });
});
