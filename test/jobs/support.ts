/**
 * Job tests: a tenant with many customers written straight through the customer repository
 * (the code that runs in AWS), and the account worker behind the in-process SQS.
 */
import { randomUUID } from 'node:crypto';
import { SQSClient } from '@aws-sdk/client-sqs';
import { emptyAccount, type Account } from '#domain/account.ts';
import { deps, makeDeps, type Deps } from '#lib/app/deps.ts';
import { handleAccountJob } from '#lib/app/jobs.ts';
import { provisionTenant } from '#lib/app/tenants.ts';
import { accountJobSchema, type AccountJob } from '#lib/messaging/queue.ts';
import { sqsQueue } from '#lib/messaging/sqs.ts';
import { sqsWorker } from '#lib/messaging/worker.ts';
import type { CustomerRecord } from '#lib/storage/customers.ts';
import { startLocalQueues, type LocalQueues, type SqsHandler } from '../../local/queues.ts';

export const jobsProgram = {
  name: 'Jobs',
  currency: 'AMD',
  timeZone: 'Asia/Yerevan',
  earning: { base: { points: 1, per: 100 } },
  expiry: { afterMonths: 12, remindDaysBefore: 14 },
  bonuses: { birthday: 100 },
};

export async function jobsTenant(program: unknown = jobsProgram): Promise<string> {
  const tenantId = `j${randomUUID().slice(0, 8)}`;
  await provisionTenant(deps(), { tenantId, program, stores: [{ storeId: 'S-01', name: 'Store 1' }], staff: [] });
  return tenantId;
}

export interface SeedCustomer {
  readonly customerId: string;
  readonly birthDate?: string;
  readonly lots?: Record<string, number>;
  /** Anything else the account should hold (levels, activity, pending points). */
  readonly account?: Partial<Account>;
}

/** Writes customers whose balance is their lots, with one ledger entry that says so. */
export async function seedCustomers(tenantId: string, customers: readonly SeedCustomer[], concurrency = 16): Promise<void> {
  const d = deps();
  let next = 0;
  const worker = async () => {
    while (next < customers.length) {
      const c = customers[next++]!;
      const lots = c.lots ?? {};
      const available = Object.values(lots).reduce((s, n) => s + n, 0);
      const account: Account = { ...emptyAccount(), ...c.account, lots, available };
      const record: CustomerRecord = {
        tenantId,
        profile: {
          customerId: c.customerId,
          card: c.customerId.replace(/[^A-Za-z0-9]/g, '').slice(-20).padStart(8, '0'),
          birthDate: c.birthDate,
          consents: { sms: false, email: false, push: false },
          createdAt: '2026-01-01T00:00:00.000Z',
        },
        account,
        ledgerSeq: available > 0 ? 1 : 0,
        version: 1,
        pendingReferrals: [],
      };
      const entries =
        available > 0
          ? [{ kind: 'adjustment' as const, points: available, lots, debt: 0, balanceAfter: available, seq: 1, at: record.profile.createdAt, source: { reason: 'seed' } }]
          : [];
      await d.customers.create(record, { entries });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

export interface Harness {
  readonly deps: Deps;
  readonly queues: LocalQueues;
  /** The queue the jobs fan out to, through the real SQS adapter. */
  readonly accounts: ReturnType<typeof sqsQueue<AccountJob>>;
  setNow(iso: string): void;
  close(): Promise<void>;
}

/**
 * The account worker behind a local queue. `wrap` lets a test put a fault around the real handler
 * (a crash half way through a batch); retries come fast so tests stay quick.
 */
export async function jobHarness(wrap: (handle: (job: AccountJob) => Promise<unknown>) => (job: AccountJob) => Promise<unknown> = (h) => h): Promise<Harness> {
  let now = new Date();
  const jobDeps = makeDeps(deps().db, () => now);
  const handle = wrap((job) => handleAccountJob(jobDeps, job));
  const handler = sqsWorker('accounts', accountJobSchema, handle) as SqsHandler;
  // Retry delays the worker asks for (15 s and up) pass in milliseconds here.
  const queues = await startLocalQueues({ accounts: { handler, retryDelayMs: 5, maxReceiveCount: 5, visibilityScale: 0.001 } });
  // Where the worker's own SQS calls (retry back-off) go, as the stack's environment would say.
  process.env.AWS_ENDPOINT_URL_SQS = queues.endpoint;
  const client = new SQSClient({ endpoint: queues.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  return {
    deps: jobDeps,
    queues,
    accounts: sqsQueue<AccountJob>(client, queues.queues.accounts!.url),
    setNow: (iso) => {
      now = new Date(iso);
    },
    close: async () => {
      client.destroy();
      await queues.close();
    },
  };
}
