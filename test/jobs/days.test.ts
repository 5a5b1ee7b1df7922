/**
 * A job's day: a run by hand acts as of the day it names (past or future), and a scheduled day
 * is marked done only after its fan-out finished, so a crash half way loses nobody.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runJob } from '#lib/app/jobs.ts';
import type { AccountJob, Queue } from '#lib/messaging/queue.ts';
import { jobHarness, jobsTenant, seedCustomers, type Harness } from './support.ts';

describe('job days', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await jobHarness();
  });
  afterAll(() => h.close());

  it('should expire, when run by hand for a future day, what ends before that day', async () => {
    const tenantId = await jobsTenant();
    await seedCustomers(tenantId, [{ customerId: 'c_future', lots: { '2027-01': 40, '2027-06': 5 } }]);
    h.setNow('2027-01-15T12:00:00+04:00');
    const report = await runJob(h.deps, h.accounts, 'expiry', { tenantId, day: '2027-02-01' });
    await h.queues.drain();
    expect(report.tenants[0]!.customers).toBe(1);
    const c = (await h.deps.customers.get(tenantId, 'c_future'))!;
    expect(c.account.lots).toEqual({ '2027-06': 5 });
    expect(c.account.available).toBe(5);
  });

  it('should not expire, when run by hand for a past day, what ended only after that day', async () => {
    const tenantId = await jobsTenant();
    await seedCustomers(tenantId, [{ customerId: 'c_past', lots: { '2027-01': 7, '2027-02': 11 } }]);
    h.setNow('2027-03-10T12:00:00+04:00');
    await runJob(h.deps, h.accounts, 'expiry', { tenantId, day: '2027-02-01' });
    await h.queues.drain();
    const c = (await h.deps.customers.get(tenantId, 'c_past'))!;
    // As of 1 February the January lot had ended and the February one had not.
    expect(c.account.lots).toEqual({ '2027-02': 11 });
  });

  it('should leave a scheduled day whose fan-out crashed to the next tick, and then run it once', async () => {
    const tenantId = await jobsTenant();
    // 250 ids make the first send (ten full messages); the rest, the second: the one that crashes.
    const many = Array.from({ length: 260 }, (_, i) => ({ customerId: `c_b${String(i).padStart(4, '0')}`, birthDate: '1990-04-02' }));
    await seedCustomers(tenantId, many);
    h.setNow('2027-04-02T00:20:00+04:00');
    let sends = 0;
    const crashing: Queue<AccountJob> = {
      send: async (messages) => {
        if (++sends === 2) throw new Error('the function timed out half way through the fan-out');
        return h.accounts.send(messages);
      },
    };
    await expect(runJob(h.deps, crashing, 'birthday', { tenantId })).rejects.toThrow(/half way/);
    await h.queues.drain();
    const next = await runJob(h.deps, h.accounts, 'birthday', { tenantId });
    expect(next.tenants[0]).toMatchObject({ customers: 260 });
    await h.queues.drain();
    const granted = await Promise.all(many.map(async (c) => (await h.deps.customers.get(tenantId, c.customerId))!.account.available));
    // Everyone got the bonus, nobody twice (the first, partial fan-out reached some already).
    expect(new Set(granted)).toEqual(new Set([100]));
    const third = await runJob(h.deps, h.accounts, 'birthday', { tenantId });
    expect(third.tenants[0]).toMatchObject({ skipped: 'already ran today' });
  }, 120_000);
});
