/**
 * The nightly segments job over many customers: it reads every customer id from the `members`
 * index (a bounded number of Queries, never a Scan), the account worker evaluates each customer,
 * and only customers whose membership changed are written. Run again, it writes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runJob } from '#lib/app/jobs.ts';
import { createSegment } from '#lib/app/segments.ts';
import type { Principal } from '#lib/storage/api-keys.ts';
import { SHARDS } from '#lib/storage/keys.ts';
import { jobHarness, jobsProgram, jobsTenant, seedCustomers, type Harness } from './support.ts';

const N = 100;

describe('nightly segments job', () => {
  let h: Harness;
  let tenantId: string;
  let staff: Principal;

  beforeAll(async () => {
    tenantId = await jobsTenant({ ...jobsProgram, rfm: { atRiskDays: 60, lapsedDays: 120, newDays: 7 } });
    // Every fourth customer last bought on 1 October; the rest on 1 December; every third has 1,000 points.
    await seedCustomers(
      tenantId,
      Array.from({ length: N }, (_, i) => {
        const last = i % 4 === 0 ? '2026-10-01' : '2026-12-01';
        return {
          customerId: `c_${String(i).padStart(4, '0')}`,
          lots: (i % 3 === 0 ? { '9999-12': 1000 } : {}) as Record<string, number>,
          account: { firstPurchaseOn: '2026-01-01', lastPurchaseOn: last, receiptCount: 1, activity: { [last.slice(0, 7)]: { paid: 10_000, points: 100, receipts: 1 } } },
        };
      }),
    );
    h = await jobHarness();
    h.setNow('2027-01-15T10:00:00+04:00');
    staff = { tenantId, storeId: undefined, role: 'marketer', actor: 'staff:test', keyId: 'k_test' };
    await createSegment(h.deps, staff, { segmentId: 'at-risk', name: 'At risk', match: 'all', conditions: [{ kind: 'rfm', classes: ['atRisk'], not: false }] });
    await createSegment(h.deps, staff, { segmentId: 'rich', name: 'Rich', match: 'all', conditions: [{ kind: 'balance', min: 1000, not: false }] });
  }, 120_000);
  afterAll(() => h.close());

  const members = async (segment: string) => (await h.deps.customers.segmentMembers(tenantId, segment, 10_000)).ids;
  const versions = async () => Promise.all(Array.from({ length: N }, async (_, i) => (await h.deps.customers.get(tenantId, `c_${String(i).padStart(4, '0')}`))!.version));

  it('should evaluate every customer from the members index and write only the changed ones; a second run writes nothing', async () => {
    const before = await versions();
    const report = await runJob(h.deps, h.accounts, 'segments', { day: '2027-01-15', tenantId });
    await h.queues.drain();
    expect(report.tenants).toEqual([{ tenantId, day: '2027-01-15', customers: N, messages: N / 25 }]);
    // One Query per shard and page: the index holds keys only.
    expect(report.reads.queries).toBeLessThanOrEqual(SHARDS * 2);
    console.log(`segments job, ${N} customers: ${report.reads.queries} index queries, ${report.reads.capacity} read units (DynamoDB Local's count) + ${N} customer reads by the worker`);

    // 1 October → 15 January is 106 days: at risk (60–119). The others bought 45 days ago.
    expect((await members('at-risk')).length).toBe(N / 4);
    expect((await members('rich')).length).toBe(Math.ceil(N / 3));
    const after = await versions();
    const written = after.filter((v, i) => v !== before[i]).length;
    // The first night writes every customer: each gets their RFM class (for the members report).
    expect(written).toBe(N);
    const classes = await Promise.all(Array.from({ length: N }, async (_, i) => (await h.deps.customers.get(tenantId, `c_${String(i).padStart(4, '0')}`))!.account.rfmClass));
    expect(classes.filter((c) => c === 'atRisk').length).toBe(N / 4);
    expect(classes.filter((c) => c === 'occasional').length).toBe(N - N / 4);

    await runJob(h.deps, h.accounts, 'segments', { day: '2027-01-15', tenantId });
    await h.queues.drain();
    expect(await versions()).toEqual(after);

    // A month later the October buyers are lapsed (137 days) and leave "at risk"; the December ones (76 days) enter it.
    const october = await members('at-risk');
    await runJob(h.deps, h.accounts, 'segments', { day: '2027-02-15', tenantId });
    await h.queues.drain();
    const atRisk = await members('at-risk');
    expect(atRisk.length).toBe(N - N / 4);
    // Everyone's class moved (at risk → lapsed, occasional → at risk), so everyone was written once more.
    expect((await versions()).filter((v, i) => v !== after[i]).length).toBe(N);
    expect(atRisk.filter((id) => october.includes(id))).toEqual([]);
    expect(h.queues.queues.accounts!.deadLetters).toEqual([]);
  }, 120_000);
});
