import { beforeAll, describe, expect, it } from 'vitest';
import { newTenant, receipt, scenarioProgram, type TestTenant } from './harness.ts';

describe('Concurrency on one customer', () => {
  let t: TestTenant;
  let card: string;
  let customerId: string;

  beforeAll(async () => {
    // Lines in "services" earn nothing, so each burn only ever lowers the balance.
    t = await newTenant({ ...scenarioProgram, exclusions: { categories: ['rx', 'services'], skus: [] } });
    const c = await t.pos('POST', '/v1/customers', { name: 'Race' });
    card = c.body.card;
    customerId = c.body.customerId;
  });

  it('should accrue once when 20 identical commits race, and answer all of them the same', async () => {
    const body = receipt(card, [{ amount: 12_345 }]);
    const results = await Promise.all(Array.from({ length: 20 }, () => t.pos('POST', '/v1/receipts', body)));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(new Set(results.map((r) => r.raw)).size).toBe(1);
    expect(results.filter((r) => r.headers['idempotent-replayed'] !== 'true')).toHaveLength(1);
    const ledger = await t.staff('GET', `/v1/customers/${customerId}/ledger`);
    expect(ledger.body.entries.filter((e: { kind: string }) => e.kind === 'earn')).toHaveLength(1);
    expect(ledger.body.balance).toBe(123);
  });

  it('should let exactly 10 of 30 concurrent burns of 10 through from a balance of 100', async () => {
    const adj = await t.staff('POST', `/v1/customers/${customerId}/adjustments`, { adjustmentId: 'to-100', points: -23, reason: 'test setup to 100' });
    expect(adj.body.balance.after).toBe(100);
    // A 503 means "retry the same request" (the contention budget ran out on a busy machine):
    // each till does, with the same body, until it gets an answer that is not 503.
    let retried = 0;
    const till = async (body: unknown) => {
      for (;;) {
        const r = await t.pos('POST', '/v1/receipts', body);
        if (r.status !== 503) return r;
        retried++;
      }
    };
    const results = await Promise.all(Array.from({ length: 30 }, () => till(receipt(card, [{ amount: 10_000, category: 'services' }], { burn: { points: 10 } }))));
    if (retried) console.log(`concurrency: ${retried} answers were 503 and retried`);
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.filter((s) => s === 409)).toHaveLength(20);
    for (const r of results.filter((x) => x.status === 409)) expect(r.body.error).toMatchObject({ code: 'insufficient_points', field: 'burn.points' });
    const balances = results.filter((r) => r.status === 200).map((r) => r.body.balance.after);
    expect(Math.min(...balances)).toBe(0);
    const c = await t.staff('GET', `/v1/customers/${customerId}`);
    expect(c.body.points.available).toBe(0);
  });
});
