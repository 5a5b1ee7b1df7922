/** The customer page's coupons and stamp cards: GET /v1/me/coupons and GET /v1/me/stamps with the customer's app key. */
import { beforeAll, describe, expect, it } from 'vitest';
import { invoke } from '../support/http.ts';
import { assertMatchesOpenApi } from '../support/openapi.ts';
import { handlers, newTenant, receipt, scenarioProgram, type TestTenant } from './harness.ts';

const program = {
  ...scenarioProgram,
  rewards: [
    { id: 'household-card', name: 'Household stamp card', type: 'stampCard', skus: ['P1', 'P2', 'P3'], steps: [{ stamps: 2, discountBps: 300, gift: 'kitchen towel' }, { stamps: 4, discountBps: 500 }] },
  ],
};

describe('GET /v1/me/coupons and /v1/me/stamps', () => {
  let t: TestTenant;
  let c: { customerId: string; card: string };
  let key: string;
  const me = async (path: string) => {
    const r = await invoke(handlers, { method: 'GET', path, headers: { authorization: `Bearer ${key}` } });
    assertMatchesOpenApi(r.routeKey, r.status, r.body);
    return r;
  };

  beforeAll(async () => {
    t = await newTenant(program);
    c = (await t.pos('POST', '/v1/customers', { name: 'Coupon holder' })).body;
    key = (await t.staff('POST', `/v1/customers/${c.customerId}/app-key`, { rateLimit: 100 })).body.key;
  });

  it('lists the customer’s own coupons newest first, a page at a time, with what each gives and whether it can be used', async () => {
    const welcome = (await t.staff('POST', '/v1/coupons', { campaignId: 'welcome', customerId: c.customerId })).body.codes[0] as string;
    const bonus = (await t.staff('POST', '/v1/coupons', { campaignId: 'bonus', customerId: c.customerId, count: 2 })).body.codes as string[];
    // Someone else's coupon and a code for anyone are not this customer's.
    const other = (await t.pos('POST', '/v1/customers', { name: 'Other' })).body.customerId;
    await t.staff('POST', '/v1/coupons', { campaignId: 'welcome', customerId: other });
    await t.staff('POST', '/v1/coupons', { campaignId: 'welcome' });
    // One used at the till.
    expect((await t.pos('POST', '/v1/receipts', receipt(c.card, [{ amount: 10_000 }], { coupons: [welcome] }))).status).toBe(200);

    const seen: Array<Record<string, unknown>> = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r: Awaited<ReturnType<typeof me>> = await me(`/v1/me/coupons?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(r.status, r.raw).toBe(200);
      seen.push(...r.body.coupons);
      cursor = r.body.nextCursor;
      pages++;
    } while (cursor && pages < 5);
    expect(seen.map((x) => x.code).sort()).toEqual([welcome, ...bonus].sort());
    expect(seen.map((x) => x.issuedAt)).toEqual(seen.map((x) => x.issuedAt).sort().reverse());
    expect(seen.find((x) => x.code === welcome)).toMatchObject({ name: 'Welcome 10 %', reward: { type: 'percent', bps: 1_000 }, status: 'used', usable: false, usedAt: expect.any(String) });
    expect(seen.find((x) => x.code === bonus[0])).toMatchObject({ name: '+500 points', reward: { type: 'points', points: 500 }, status: 'issued', usable: true });
  });

  it('shows progress on the program’s stamp cards and the rewards unlocked', async () => {
    const before = await me('/v1/me/stamps');
    expect(before.body).toEqual({ customerId: c.customerId, rewards: [], stampCards: [{ ruleId: 'household-card', name: 'Household stamp card', type: 'stampCard', stamps: 0, of: 4 }] });
    await t.pos('POST', '/v1/receipts', receipt(c.card, [{ amount: 1_000, sku: 'P1' }]));
    await t.pos('POST', '/v1/receipts', receipt(c.card, [{ amount: 1_000, sku: 'P2' }, { amount: 1_000, sku: 'X' }]));
    const after = await me('/v1/me/stamps');
    expect(after.body.rewards).toHaveLength(1);
    expect(after.body.rewards[0]).toMatchObject({ rewardId: expect.any(String), discountBps: 300, gift: 'kitchen towel' });
  });

  it('refuses a made-up cursor and staff keys, naming the field', async () => {
    const bad = await me('/v1/me/coupons?cursor=bogus');
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('cursor');
    expect((await me('/v1/me/coupons?limit=51')).body.error.field).toBe('limit');
    expect((await t.staff('GET', '/v1/me/coupons')).status).toBe(403);
    expect((await t.staff('GET', '/v1/me/stamps')).status).toBe(403);
  });
});
