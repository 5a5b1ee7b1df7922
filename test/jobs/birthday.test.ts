import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { runJob } from '#lib/app/jobs.ts';
import { keys } from '#lib/storage/keys.ts';
import { jobHarness, jobsTenant, seedCustomers, type Harness, type SeedCustomer } from './support.ts';

/** A leap year's days, so 29 February is among the birthdays. */
const dayOfLeapYear = (i: number) => new Date(Date.UTC(1992, 0, 1 + (i % 366))).toISOString().slice(0, 10);

// 2,000 customers through DynamoDB Local: seconds on a quiet machine, past the default bound beside other test files on a busy one.
describe('birthday job: 2,000 customers, birthdays spread over the year', { timeout: 120_000 }, () => {
  let h: Harness;
  let tenantId: string;
  const customers: SeedCustomer[] = Array.from({ length: 2000 }, (_, i) => ({
    customerId: `c_b${String(i).padStart(5, '0')}`,
    // Every seventh customer gave no birthday: the index is sparse and the job never sees them.
    ...(i % 7 === 0 ? {} : { birthDate: dayOfLeapYear(i * 37) }),
    lots: { '9999-12': 10 },
  }));
  const celebrating = (c: SeedCustomer) => c.birthDate?.endsWith('02-28') || c.birthDate?.endsWith('02-29');

  beforeAll(async () => {
    tenantId = await jobsTenant();
    await seedCustomers(tenantId, customers);
    h = await jobHarness();
    // 28 February 2027 (not a leap year), morning in Yerevan.
    h.setNow('2027-02-28T08:00:00+04:00');
  }, 120_000);
  afterAll(() => h.close());

  const balances = async () => {
    const out = new Map<string, number>();
    for (const c of customers) out.set(c.customerId, (await h.deps.customers.get(tenantId, c.customerId))!.account.available);
    return out;
  };

  it('grants exactly the customers born on 28 and 29 February, once, and a second run changes nothing', async () => {
    const expected = customers.filter(celebrating);
    expect(expected.length).toBeGreaterThan(4);
    expect(expected.some((c) => c.birthDate!.endsWith('02-29'))).toBe(true);

    const report = await runJob(h.deps, h.accounts, 'birthday', { tenantId });
    await h.queues.drain();
    expect(report.tenants).toEqual([{ tenantId, day: '2027-02-28', customers: expected.length, messages: 1 }]);
    // Only the index entries for 02-28 and 02-29 were read: eight shards each, one page each.
    expect(report.reads.queries).toBe(16);

    const after = await balances();
    for (const c of customers) expect(after.get(c.customerId), c.customerId).toBe(celebrating(c) ? 110 : 10);

    // The hourly schedule ticks again the same day: the fan-out is skipped.
    const again = await runJob(h.deps, h.accounts, 'birthday', { tenantId });
    expect(again.tenants[0]).toMatchObject({ customers: 0, skipped: 'already ran today' });
    // Run by hand for the same day: fanned out again, granted nothing twice.
    const byHand = await runJob(h.deps, h.accounts, 'birthday', { tenantId, day: '2027-02-28' });
    expect(byHand.tenants[0]!.customers).toBe(expected.length);
    await h.queues.drain();
    expect(await balances()).toEqual(after);

    const marker = await h.deps.db.doc.send(new GetCommand({ TableName: h.deps.db.table, Key: keys.birthdayGrant(tenantId, expected[0]!.customerId, '2027') }));
    expect(marker.Item).toMatchObject({ points: 100, day: '2027-02-28' });
    const ledger = await h.deps.customers.ledger(tenantId, expected[0]!.customerId, 10, undefined);
    expect(ledger.rows.filter((r) => r.kind === 'bonus')).toEqual([expect.objectContaining({ points: 100, balanceAfter: 110, source: { reason: 'birthday 2027' } })]);
  });

  it('in a leap year 29 February is its own day', async () => {
    h.setNow('2028-02-28T08:00:00+04:00');
    const r28 = await runJob(h.deps, h.accounts, 'birthday', { tenantId, day: '2028-02-28' });
    expect(r28.tenants[0]!.customers).toBe(customers.filter((c) => c.birthDate?.endsWith('02-28')).length);
    const r29 = await runJob(h.deps, h.accounts, 'birthday', { tenantId, day: '2028-02-29' });
    expect(r29.tenants[0]!.customers).toBe(customers.filter((c) => c.birthDate?.endsWith('02-29')).length);
    await h.queues.drain();
    const feb29 = customers.find((c) => c.birthDate?.endsWith('02-29'))!;
    expect((await h.deps.customers.get(tenantId, feb29.customerId))!.account.available).toBe(210);
  });
});

describe('birthday worker: a crash half way through every batch', { timeout: 120_000 }, () => {
  it('redelivery finishes the batch and grants nobody twice', async () => {
    const tenantId = await jobsTenant();
    const customers = Array.from({ length: 300 }, (_, i) => ({ customerId: `c_k${String(i).padStart(4, '0')}`, birthDate: '1985-05-10' }));
    await seedCustomers(tenantId, customers);
    const crashed = new Set<string>();
    // First delivery of each message: half its customers are granted, then the process dies.
    const h = await jobHarness((handle) => async (job) => {
      const key = job.customerIds[0]!;
      if (!crashed.has(key)) {
        crashed.add(key);
        await handle({ ...job, customerIds: job.customerIds.slice(0, Math.ceil(job.customerIds.length / 2)) });
        throw new Error('worker crashed');
      }
      return handle(job);
    });
    try {
      h.setNow('2027-05-10T10:00:00+04:00');
      const report = await runJob(h.deps, h.accounts, 'birthday', { tenantId, day: '2027-05-10' });
      expect(report.tenants[0]).toMatchObject({ customers: 300, messages: 12 });
      await h.queues.drain();
      // Every message crashed once (more if the machine is slow enough to time a retry out) and was then done.
      const { stats } = h.queues.queues.accounts!;
      expect({ sent: stats.sent, delivered: stats.delivered }).toEqual({ sent: report.tenants[0]!.messages, delivered: report.tenants[0]!.messages });
      expect(stats.failed).toBeGreaterThanOrEqual(report.tenants[0]!.messages);
      expect(h.queues.queues.accounts!.deadLetters).toEqual([]);
      for (const c of customers) {
        const r = await h.deps.customers.get(tenantId, c.customerId);
        expect(r!.account.available, c.customerId).toBe(100);
        expect(r!.ledgerSeq).toBe(1);
      }
    } finally {
      await h.close();
    }
  });

  it('parks a message that can never be handled in the dead-letter list after five receives', async () => {
    const h = await jobHarness();
    try {
      await h.accounts.send([{ kind: 'birthday', tenantId: 'nobody', day: '2027-13-45', customerIds: ['c_x'] } as never]);
      await h.queues.drain();
      expect(h.queues.queues.accounts!.deadLetters).toEqual([expect.objectContaining({ receiveCount: 5 })]);
    } finally {
      await h.close();
    }
  });
});
