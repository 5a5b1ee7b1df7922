import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runJob } from '#lib/app/jobs.ts';
import { jobHarness, jobsTenant, seedCustomers, type Harness } from './support.ts';

const program = {
  name: 'Rolling tiers',
  currency: 'AMD',
  timeZone: 'Asia/Yerevan',
  earning: { base: { points: 1, per: 100 } },
  pending: { days: 14 },
  tiers: {
    window: { kind: 'rollingMonths', months: 3 },
    levels: [
      { id: 'bronze', name: 'Bronze', threshold: 0, discountBps: 0 },
      { id: 'silver', name: 'Silver', threshold: 10_000, discountBps: 100 },
      { id: 'gold', name: 'Gold', threshold: 50_000, discountBps: 300 },
    ],
  },
};

describe('tier review and pending release jobs', () => {
  let h: Harness;
  let tenantId: string;

  beforeAll(async () => {
    tenantId = await jobsTenant(program);
    await seedCustomers(tenantId, [
      // Gold from spending in October; on 1 February the window is December to February: nothing.
      { customerId: 'c_gold', account: { tierId: 'gold', tierRank: 2, activity: { '2026-10': { paid: 60_000, points: 600 } } } },
      { customerId: 'c_silver', account: { tierId: 'silver', tierRank: 1, activity: { '2027-01': { paid: 20_000, points: 200 } } } },
      { customerId: 'c_bronze', account: { tierId: 'bronze', tierRank: 0 } },
      { customerId: 'c_pending', account: { pendingLots: { '2027-01-20#9999-12': 50 } } },
      { customerId: 'c_later', account: { pendingLots: { '2027-02-10#9999-12': 30 } } },
    ]);
    h = await jobHarness();
  }, 60_000);
  afterAll(() => h.close());

  const get = async (id: string) => (await h.deps.customers.get(tenantId, id))!.account;

  it('reviews only the customers above the first level when a period starts, lowering whom the window no longer carries', async () => {
    h.setNow('2027-02-02T10:00:00+04:00');
    expect((await runJob(h.deps, h.accounts, 'tiers', { tenantId })).tenants[0]).toMatchObject({ skipped: 'no tier period starts today' });
    h.setNow('2027-02-01T00:30:00+04:00');
    const report = await runJob(h.deps, h.accounts, 'tiers', { tenantId });
    await h.queues.drain();
    expect(report.tenants[0]).toMatchObject({ customers: 2 });
    expect(await get('c_gold')).toMatchObject({ tierId: 'bronze', tierRank: 0 });
    expect(await get('c_silver')).toMatchObject({ tierId: 'silver', tierRank: 1 });
    // Gold dropped out of the index: the next review reads only the silver customer.
    expect((await runJob(h.deps, h.accounts, 'tiers', { tenantId, day: '2027-03-01' })).tenants[0]).toMatchObject({ customers: 1 });
    await h.queues.drain();
  });

  it('releases pending points whose day has come, with a ledger entry, and leaves later ones waiting', async () => {
    h.setNow('2027-02-01T00:30:00+04:00');
    const report = await runJob(h.deps, h.accounts, 'expiry', { tenantId, day: '2027-02-01' });
    await h.queues.drain();
    expect(report.tenants[0]).toMatchObject({ customers: 1 });
    expect(await get('c_pending')).toMatchObject({ available: 50, pendingLots: {} });
    expect(await get('c_later')).toMatchObject({ available: 0, pendingLots: { '2027-02-10#9999-12': 30 } });
    const ledger = await h.deps.customers.ledger(tenantId, 'c_pending', 5, undefined);
    expect(ledger.rows[0]).toMatchObject({ kind: 'release', points: 50, balanceAfter: 50 });
  });
});
