import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { runJob } from '#lib/app/jobs.ts';
import { keys } from '#lib/storage/keys.ts';
import { jobHarness, jobsTenant, seedCustomers, type Harness, type SeedCustomer } from './support.ts';

/** Lot months ("expires at the end of") spread around the sweep day 2027-02-01. */
const lotMonths = ['2026-11', '2026-12', '2027-01', '2027-02', '2027-03', '2027-06', '9999-12'];

describe('expiry sweep and reminders', () => {
  let h: Harness;
  let tenantId: string;
  const customers: SeedCustomer[] = Array.from({ length: 400 }, (_, i) => {
    // Each customer holds one to three lots, earliest first in a varying month.
    const first = i % lotMonths.length;
    const lots: Record<string, number> = {};
    for (let k = 0; k < 1 + (i % 3); k++) {
      const m = lotMonths[Math.min(first + k * 2, lotMonths.length - 1)]!;
      lots[m] = (lots[m] ?? 0) + 10 + k;
    }
    return { customerId: `c_e${String(i).padStart(4, '0')}`, lots };
  });

  beforeAll(async () => {
    tenantId = await jobsTenant();
    await seedCustomers(tenantId, customers);
    h = await jobHarness();
  }, 120_000);
  afterAll(() => h.close());

  const ledgerSum = async (customerId: string) => {
    const r = await h.deps.customers.ledger(tenantId, customerId, 100, undefined);
    return r.rows.reduce((s, row) => s + row.points, 0);
  };

  it('expires exactly the lots whose month has ended, reading only the customers that hold them', async () => {
    h.setNow('2027-02-01T00:30:00+04:00');
    const due = customers.filter((c) => Object.keys(c.lots!).some((m) => m < '2027-02'));
    const report = await runJob(h.deps, h.accounts, 'expiry', { tenantId, day: '2027-02-01' });
    await h.queues.drain();
    // Reminders are not due on this day (14 days before a month's end is never the 1st).
    expect(report.tenants[0]!.customers).toBe(due.length);

    for (const c of customers) {
      const kept = Object.entries(c.lots!).filter(([m]) => m >= '2027-02');
      const r = (await h.deps.customers.get(tenantId, c.customerId))!;
      expect(r.account.lots, c.customerId).toEqual(Object.fromEntries(kept));
      expect(r.account.available).toBe(kept.reduce((s, [, n]) => s + n, 0));
      expect(await ledgerSum(c.customerId)).toBe(r.account.available);
    }
    const sample = due[0]!;
    const ledger = await h.deps.customers.ledger(tenantId, sample.customerId, 10, undefined);
    expect(ledger.rows[0]).toMatchObject({ kind: 'expiry', source: { reason: 'expiry' } });

    // The same day again: the index no longer holds anyone due.
    const again = await runJob(h.deps, h.accounts, 'expiry', { tenantId, day: '2027-02-01' });
    expect(again.tenants[0]!.customers).toBe(0);
  });

  it('reminds, 14 days before the end of March, the customers whose earliest lot ends then, once', async () => {
    h.setNow('2027-03-01T00:30:00+04:00');
    await runJob(h.deps, h.accounts, 'expiry', { tenantId, day: '2027-03-01' });
    await h.queues.drain();
    h.setNow('2027-03-17T09:00:00+04:00');
    const holders = customers.filter((c) => {
      const live = Object.keys(c.lots!).filter((m) => m >= '2027-03' && m !== '9999-12').sort();
      return live[0] === '2027-03';
    });
    expect(holders.length).toBeGreaterThan(10);
    for (let run = 0; run < 2; run++) {
      const report = await runJob(h.deps, h.accounts, 'expiry', { tenantId, day: '2027-03-17' });
      expect(report.tenants[0]!.customers).toBe(holders.length);
      await h.queues.drain();
    }
    for (const c of holders) {
      const r = await h.deps.db.doc.send(
        new QueryCommand({
          TableName: h.deps.db.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :r)',
          ExpressionAttributeValues: { ':pk': keys.customer(tenantId, c.customerId).pk, ':r': 'REMIND#' },
        }),
      );
      expect(r.Items, c.customerId).toEqual([expect.objectContaining({ lot: '2027-03', points: c.lots!['2027-03'], expiresOn: '2027-03-31' })]);
    }
  });

  it('a program without expiry is skipped, not swept', async () => {
    const other = await jobsTenant({ name: 'No expiry', currency: 'AMD', timeZone: 'Asia/Yerevan', earning: { base: { points: 1, per: 100 } } });
    const report = await runJob(h.deps, h.accounts, 'expiry', { tenantId: other, day: '2027-02-01' });
    expect(report.tenants[0]).toMatchObject({ customers: 0, skipped: 'points neither expire nor wait in the program' });
  });
});
