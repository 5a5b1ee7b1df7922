/**
 * The jobs at scale: N customers (100k by default) with birthdays spread over the year and ten
 * point lots each, 1 % of the lots due. Each job's fan-out and worker time and its read units are
 * set against a Scan of the same table in the same run — what a job without the sparse indexes
 * would pay — to show that the cost grows with what is due, not with the table.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { BatchWriteCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { emptyAccount } from '../lib/domain/account.ts';
import { startDynamoLocal, ensureTable, localClient } from '../local/dynamo-local.ts';
import { startLocalQueues } from '../local/queues.ts';
/** Milliseconds as a short human figure. */
const ms = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(0)} ms`);

export interface JobsBench {
  markdown: string;
}

const MONTHS_DUE = ['2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10', '2026-11', '2026-12'];
const MONTHS_LIVE = ['2027-02', '2027-03', '2027-04', '2027-05', '2027-06', '2027-07', '2027-08', '2027-09', '2027-10', '2027-11'];

export async function runJobsBench(customers: number, log: (s: string) => void): Promise<JobsBench> {
  const ddb = await startDynamoLocal();
  const table = 'tally-bench-jobs';
  const client = localClient(ddb.endpoint);
  await ensureTable(client, table);
  Object.assign(process.env, { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'ERROR' });
  const { createDb } = await import('../lib/storage/client.ts');
  const { makeDeps } = await import('../lib/app/deps.ts');
  const { customerItem, customerProfileItem } = await import('../lib/storage/customers.ts');
  const { provisionTenant } = await import('../lib/app/tenants.ts');
  const { runJob, handleAccountJob } = await import('../lib/app/jobs.ts');
  const { accountJobSchema } = await import('../lib/messaging/queue.ts');
  const { sqsQueue } = await import('../lib/messaging/sqs.ts');
  const { sqsWorker } = await import('../lib/messaging/worker.ts');
  const db = createDb({ table, endpoint: ddb.endpoint });
  let now = new Date('2027-03-15T08:00:00+04:00');
  const deps = makeDeps(db, () => now);
  const tenantId = 'bench-jobs';
  await provisionTenant(deps, {
    tenantId,
    program: { name: 'Jobs bench', currency: 'AMD', timeZone: 'Asia/Yerevan', earning: { base: { points: 1, per: 100 } }, expiry: { afterMonths: 12 }, bonuses: { birthday: 100 } },
    stores: [],
    staff: [],
  });

  try {
    log(`jobs: writing ${customers} customers with ${customers * 10} lots`);
    const started = performance.now();
    const dueEvery = 100; // 1 % of customers hold only due lots: 1 % of all lots
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < customers) {
          const from = next;
          // Two items a customer (storage/customers.ts), 25 items a BatchWriteItem.
          next = Math.min(customers, next + 12);
          const items = [];
          for (let i = from; i < next; i++) {
            const months = i % dueEvery === 0 ? MONTHS_DUE : MONTHS_LIVE;
            const lots = Object.fromEntries(months.map((m) => [m, 10]));
            const birth = new Date(Date.UTC(1992, 0, 1 + ((i * 37) % 366))).toISOString().slice(0, 10);
            const record = {
              tenantId,
              profile: { customerId: `c_${i}`, card: String(1_000_000 + i), birthDate: birth, consents: { sms: false, email: false, push: false }, createdAt: '2026-01-01T00:00:00Z' },
              account: { ...emptyAccount(), lots, available: 100 },
              ledgerSeq: 0,
              version: 1,
              pendingReferrals: [],
            };
            items.push(customerItem(record), customerProfileItem(record));
          }
          let request: Record<string, unknown[]> | undefined = { [table]: items.map((Item) => ({ PutRequest: { Item } })) };
          while (request && Object.keys(request).length) {
            const r = await db.doc.send(new BatchWriteCommand({ RequestItems: request as never }));
            request = r.UnprocessedItems as typeof request;
          }
        }
      }),
    );
    log(`jobs: wrote them in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    const handler = sqsWorker('accounts', accountJobSchema, (job) => handleAccountJob(deps, job));
    const queues = await startLocalQueues({ accounts: { handler, retryDelayMs: 50 } });
    const sqs = new SQSClient({ endpoint: queues.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const queue = sqsQueue<import('../lib/messaging/queue.ts').AccountJob>(sqs, queues.queues.accounts!.url);

    const timed = async <T>(f: () => Promise<T>) => {
      const t0 = performance.now();
      const value = await f();
      return { value, ms: performance.now() - t0 };
    };

    // Baseline: what finding the same customers costs without an index (a filtered Scan reads every item).
    const scan = async (filter: string, values: Record<string, unknown>) => {
      let start: Record<string, unknown> | undefined;
      let units = 0;
      let found = 0;
      let calls = 0;
      do {
        const r = await db.doc.send(
          new ScanCommand({ TableName: table, FilterExpression: filter, ExpressionAttributeNames: { '#t': 'type' }, ExpressionAttributeValues: values, ExclusiveStartKey: start, ReturnConsumedCapacity: 'TOTAL' }),
        );
        units += r.ConsumedCapacity?.CapacityUnits ?? 0;
        found += r.Count ?? 0;
        calls += 1;
        start = r.LastEvaluatedKey;
      } while (start);
      return { units, found, calls };
    };

    log('jobs: birthday');
    const bdayScan = await timed(() => scan('#t = :c AND contains(birthDate, :md)', { ':c': 'customer', ':md': '-03-15' }));
    const bday = await timed(() => runJob(deps, queue, 'birthday', { tenantId, day: '2027-03-15' }));
    const bdayWork = await timed(() => queues.drain(600_000));
    const granted = bday.value.tenants[0]!.customers;

    log('jobs: expiry');
    now = new Date('2027-02-01T00:30:00+04:00');
    // Lot months are map keys, which a filter cannot range over: without the index every customer is read.
    const expScan = await timed(() => scan('#t = :c', { ':c': 'customer' }));
    const exp = await timed(() => runJob(deps, queue, 'expiry', { tenantId, day: '2027-02-01' }));
    const expWork = await timed(() => queues.drain(600_000));
    const swept = exp.value.tenants[0]!.customers;
    const dlq = queues.queues.accounts!.deadLetters.length;
    sqs.destroy();
    await queues.close();

    const row = (name: string, fan: { ms: number }, reads: { queries: number; capacity: number }, work: { ms: number }, due: number, base: { ms: number; units: number; calls: number }) =>
      `| ${name} | ${due.toLocaleString('en')} | ${ms(fan.ms)} | ${reads.queries} queries, ${reads.capacity.toFixed(1)} RCU | ${ms(work.ms)} | ${ms(base.ms)}, ${base.calls} pages, ${base.units.toFixed(0)} RCU | ${(base.units / Math.max(reads.capacity, 0.5)).toFixed(0)}× fewer read units |`;
    return {
      markdown: [
        `## Jobs: ${customers.toLocaleString('en')} customers, ${(customers * 10).toLocaleString('en')} lots (1 % due)`,
        '',
        'Fan-out = reading the sparse index and sending the customer ids to the queue; worker = the account worker granting or expiring each due customer (one conditional transaction each) through the in-process SQS. Baseline = a filtered Scan of the same table in the same run, which is what finding the same customers costs without the index.',
        '',
        '| job | customers due | fan-out | fan-out reads | worker | baseline Scan | reads vs Scan |',
        '|---|---:|---:|---:|---:|---:|---:|',
        row('birthday (15 March)', bday, bday.value.reads, bdayWork, granted, { ms: bdayScan.ms, ...bdayScan.value }),
        row('expiry sweep (1 Feb)', exp, exp.value.reads, expWork, swept, { ms: expScan.ms, ...expScan.value }),
        '',
        `Dead-lettered messages: ${dlq}. The index reads are KEYS_ONLY pages of the due customers only, so they stay the same when the table grows and the due set does not.`,
      ].join('\n'),
    };
  } finally {
    client.destroy();
    await ddb.stop();
  }
}
