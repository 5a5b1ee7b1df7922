/** The sample events in events/jobs and events/sqs, run through the real handlers as Lambda would. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { JobReport } from '#lib/app/jobs.ts';
import { fakeLambdaContext } from '../../local/api-event.ts';
import { startLocalQueues, type LocalQueues } from '../../local/queues.ts';
import { startLocalS3 } from '../../local/s3.ts';
import { jobsTenant, seedCustomers } from './support.ts';

const sample = (path: string, vars: Record<string, string>) =>
  JSON.parse(Object.entries(vars).reduce((t, [k, v]) => t.replaceAll(`\${${k}}`, v), readFileSync(new URL(`../../events/${path}`, import.meta.url), 'utf8')));

describe('job and worker sample events', () => {
  let queues: LocalQueues;
  let tenantId: string;

  beforeAll(async () => {
    const { handler: worker } = await import('../../functions/workers/accounts.ts');
    queues = await startLocalQueues({ accounts: { handler: worker, retryDelayMs: 5 } });
    // What the stack sets for the job function, pointed at the in-process SQS.
    Object.assign(process.env, { ACCOUNT_QUEUE_URL: queues.queues.accounts!.url, AWS_ENDPOINT_URL_SQS: queues.endpoint });
    tenantId = await jobsTenant();
    await seedCustomers(tenantId, [
      { customerId: 'c_feb28', birthDate: '1990-02-28' },
      { customerId: 'c_feb29', birthDate: '1992-02-29' },
      { customerId: 'c_mar01', birthDate: '1990-03-01' },
    ]);
  });
  afterAll(() => queues.close());

  it('events/jobs/birthday.by-hand.json fans out 28 and 29 February, and the worker grants them', async () => {
    const { handler } = await import('../../functions/jobs/run.ts');
    const report = (await handler(sample('jobs/birthday.by-hand.json', { TENANT: tenantId }))) as JobReport;
    expect(report.tenants).toEqual([{ tenantId, day: '2027-02-28', customers: 2, messages: 1 }]);
    await queues.drain();
    const { deps } = await import('#lib/app/deps.ts');
    const points = async (id: string) => (await deps().customers.get(tenantId, id))!.account.available;
    expect([await points('c_feb28'), await points('c_feb29'), await points('c_mar01')]).toEqual([100, 100, 0]);
  });

  it('events/jobs/insight.by-hand.json sums the given UTC day for the tenant and writes its day items', async () => {
    // The history bucket, as the stack gives the job function (empty: nothing was bought that day).
    const dir = mkdtempSync(join(tmpdir(), 'tally-insight-job-'));
    const s3 = await startLocalS3({ dir, bucket: 'tally-local-history', prefix: 'imports/', onCreated: () => undefined });
    Object.assign(process.env, { AWS_ENDPOINT_URL_S3: s3.endpoint, HISTORY_BUCKET: 'tally-local-history', AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'local', AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'local' });
    onTestFinished(() => s3.close());
    const { handler } = await import('../../functions/jobs/run.ts');
    const report = (await handler(sample('jobs/insight.by-hand.json', { TENANT: tenantId }))) as { tenants: Array<Record<string, unknown>> };
    expect(report.tenants).toEqual([{ tenantId, day: '2026-11-20', receipts: 0, returns: 0, customers: 0, parts: 16, outcome: 'done' }]);
    const { deps } = await import('#lib/app/deps.ts');
    const days = await deps().dayInsight.days(tenantId, 'sales', '2026-11-20', '2026-11-20', { queries: 0, items: 0 });
    const empty = { receipts: 0, revenue: 0, returns: { count: 0, returned: 0, unpriced: 0 }, skus: [], categories: [], otherSkus: { revenue: 0, count: 0, largest: 0 }, otherCategories: { revenue: 0, count: 0 } };
    expect(days.map((d) => [d.day, d.body])).toEqual([['2026-11-20', empty]]);
    // The continuation of a day that did not fit the jobs function: the simulation worker takes it up (a new run here: from its first part).
    const { handler: worker } = await import('../../functions/workers/simulations.ts');
    expect(await worker(sample('sqs/simulations.insight.json', { TENANT: tenantId }), { ...fakeLambdaContext('simulations'), getRemainingTimeInMillis: () => 15 * 60_000 })).toEqual({ batchItemFailures: [] });
    expect((await deps().dayInsight.run(tenantId, '2026-11-20'))!.run).toMatchObject({ run: 'nightly', done: true, part: 16 });
    // Scheduled (no day): yesterday, UTC, once; the next hourly tick skips it.
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const first = (await handler({ job: 'insight', tenantId })) as { day: string; tenants: Array<{ skipped?: string }> };
    expect(first.day).toBe(yesterday);
    expect(first.tenants[0]!.skipped).toBeUndefined();
    expect(((await handler({ job: 'insight', tenantId })) as typeof first).tenants[0]!.skipped).toBe('already ran for this day');
  });

  it('events/sqs/accounts.birthday.json runs through the worker with no failures, and again with no second grant', async () => {
    const { handler } = await import('../../functions/workers/accounts.ts');
    const event = sample('sqs/accounts.birthday.json', { TENANT: tenantId, CUSTOMER: 'c_feb28' });
    expect(await handler(event, fakeLambdaContext('accounts'))).toEqual({ batchItemFailures: [] });
    expect(await handler(event, fakeLambdaContext('accounts'))).toEqual({ batchItemFailures: [] });
    const { deps } = await import('#lib/app/deps.ts');
    expect((await deps().customers.get(tenantId, 'c_feb28'))!.account.available).toBe(100);
  });

  it('a scheduled event (no day) runs each tenant on its own today, and a malformed event names the field', async () => {
    const { handler } = await import('../../functions/jobs/run.ts');
    // Limited to this file's tenant: other test files share the table and keep their own clocks.
    const report = (await handler({ ...sample('jobs/expiry.scheduled.json', {}), tenantId })) as JobReport;
    expect(report.tenants).toEqual([expect.objectContaining({ tenantId, customers: 0 })]);
    expect(((await handler({ ...sample('jobs/expiry.scheduled.json', {}), tenantId })) as JobReport).tenants[0]).toMatchObject({ skipped: 'already ran today' });
    await expect(handler({ job: 'birthday', day: '2027-02-30' })).rejects.toThrow(/job event day/);
    await expect(handler({ job: 'everything' })).rejects.toThrow(/job event job/);
  });
});
