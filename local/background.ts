/**
 * The background half of the local runtime: the same job, worker, outbox and notify handlers as
 * in AWS, wired to in-process peers — SQS-compatible queues (retries, DLQ), an EventBridge bus
 * with the stack's notify, journeys and webhooks rules, the table's stream read from DynamoDB Local, SNS/SES/Pinpoint
 * writing to a local outbox, and the schedules as timers. Handlers find all of it through the
 * same environment variables the stack sets.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { notifiableEvents } from '../lib/domain/notifications.ts';
import { segmentEvents } from '../lib/events/catalog.ts';
import { WEBHOOK_ENV } from '../lib/config.ts';
import { QUEUE_ENV } from '../lib/messaging/queues.ts';
import { LISTENER_QUEUE_ARN_ENV } from '../lib/events/routing.ts';
import { DELIVERY_QUEUE_MAX_RECEIVES } from '../lib/webhooks/retry.ts';
import { startLocalPeers, type LocalPeers, type OutboxMessage } from './peers.ts';
import { startLocalQueues, type LocalQueues, type SqsHandler } from './queues.ts';
import { startStreamReader, type StreamReader } from './stream.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IMPORT_BUCKET_ENV, IMPORT_PREFIX } from '../lib/storage/import-bucket.ts';
import { HISTORY_BUCKET_ENV } from '../lib/storage/history-bucket.ts';
import { startLocalS3 } from './s3.ts';

const LOCAL_IMPORT_BUCKET = 'tally-local-imports';

const WEBHOOK_DELIVERY_QUEUE = 'webhook-deliveries.fifo';

export interface Background {
  readonly queues: LocalQueues;
  readonly peers: LocalPeers;
  readonly stream: StreamReader;
  /** The table's second reader: the report counters, fed what the stack's filter lets through. */
  readonly reportStream: StreamReader;
  /** Runs a job as its schedule would (or by hand, with `day`), then waits until its effects settle. */
  runJob(job: 'birthday' | 'expiry' | 'tiers' | 'refills' | 'segments' | 'notifications' | 'insight', opts?: { day?: string; tenantId?: string }): Promise<unknown>;
  /** Waits until the stream, the bus and the queues have nothing left in flight. */
  settle(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startBackground(opts: {
  dynamoEndpoint: string;
  table: string;
  /** Milliseconds between schedule ticks; 0 turns the schedules off (tests and `npm run job`). */
  tickMs?: number;
  onMessage?: (m: OutboxMessage) => void;
  /** Scales the workers' retry back-off (15 s, doubling); tests shorten it. */
  retryScale?: number;
  /**
   * Where the stream is read from: its start (the runtime: nothing written while it was down is
   * lost), or only what is written from now on (tests that share the suite's table with every
   * other test and care only about their own tenant's writes).
   */
  streamFrom?: 'TRIM_HORIZON' | 'LATEST';
  /** Where the local import bucket keeps its files (a temporary folder if not given). */
  filesDir?: string;
  /**
   * Asked per batch: false has the report counters' reader drop what it read, so bench/till.ts can
   * tell what the till's local latency owes to counting (in AWS it is a function of its own).
   */
  countReports?: () => boolean;
}): Promise<Background> {
  // Handlers are imported after the environment is in place: they read it at first use.
  let queues: LocalQueues | undefined;
  // As in the stack: the outbox tags each event with the queues whose workers act on it, and each rule takes its own.
  const arn = (queue: string) => `arn:aws:sqs:us-east-1:000000000000:${queue}`;
  Object.assign(process.env, {
    [LISTENER_QUEUE_ARN_ENV.notify]: arn('notify'),
    [LISTENER_QUEUE_ARN_ENV.journeys]: arn('journeys'),
    [LISTENER_QUEUE_ARN_ENV.webhooks]: arn('webhooks'),
    [LISTENER_QUEUE_ARN_ENV.segments]: arn('accounts'),
  });
  const peers = await startLocalPeers({
    rules: [
      { name: 'notify', detailTypes: Object.keys(notifiableEvents), resource: arn('notify'), target: (event) => queues?.enqueue('notify', event) },
      { name: 'journeys', resource: arn('journeys'), target: (event) => queues?.enqueue('journeys', event) },
      { name: 'webhooks', resource: arn('webhooks'), target: (event) => queues?.enqueue('webhooks', event) },
      // Events that may change a customer's defined segments: the account worker re-evaluates them.
      { name: 'segments', detailTypes: [...segmentEvents], resource: arn('accounts'), target: (event) => queues?.enqueue('accounts', event) },
    ],
    ...(opts.onMessage ? { onMessage: opts.onMessage } : {}),
  });
  const lazy = (load: () => Promise<{ handler: unknown }>): SqsHandler => async (event, context) => ((await load()).handler as SqsHandler)(event, context);
  const retry = { visibilityScale: opts.retryScale ?? 1 };
  queues = await startLocalQueues({
    accounts: { handler: lazy(() => import('../functions/workers/accounts.ts')), ...retry },
    notify: { handler: lazy(() => import('../functions/workers/notify.ts')), ...retry },
    journeys: { handler: lazy(() => import('../functions/workers/journeys.ts')), ...retry },
    // The webhook worker serves both, as in AWS: the bus rule's intake queue and the FIFO deliveries.
    webhooks: { handler: lazy(() => import('../functions/workers/webhooks.ts')), ...retry },
    [WEBHOOK_DELIVERY_QUEUE]: { handler: lazy(() => import('../functions/workers/webhooks.ts')), fifo: true, maxReceiveCount: DELIVERY_QUEUE_MAX_RECEIVES, longRetries: true, ...retry },
    // One file per delivery and the stack's 15 minutes, as the import worker has in AWS.
    imports: { handler: lazy(() => import('../functions/workers/imports.ts')), ...retry, batchSize: 1, timeoutMs: 15 * 60_000 },
    // One simulation per delivery and the stack's 15 minutes, as the simulation worker has in AWS.
    simulations: { handler: lazy(() => import('../functions/workers/simulations.ts')), ...retry, batchSize: 1, timeoutMs: 15 * 60_000 },
  });
  // The import bucket: an upload under imports/ is announced to the import queue, as S3's notification does.
  const filesDir = opts.filesDir ?? mkdtempSync(join(tmpdir(), 'tally-local-s3-'));
  const s3 = await startLocalS3({ dir: filesDir, bucket: LOCAL_IMPORT_BUCKET, prefix: IMPORT_PREFIX, onCreated: (event) => queues?.enqueue('imports', event) });
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_SQS: queues.endpoint,
    ACCOUNT_QUEUE_URL: queues.queues.accounts!.url,
    NOTIFY_QUEUE_URL: queues.queues.notify!.url,
    JOURNEY_QUEUE_URL: queues.queues.journeys!.url,
    [QUEUE_ENV.webhookDeliveries]: queues.queues[WEBHOOK_DELIVERY_QUEUE]!.url,
    // Locally a webhook may go to any URL (a receiver on 127.0.0.1); in AWS only https to public addresses.
    [WEBHOOK_ENV.allowPrivateUrls]: process.env[WEBHOOK_ENV.allowPrivateUrls] ?? '1',
    IMPORT_QUEUE_URL: queues.queues.imports!.url,
    [QUEUE_ENV.simulations]: queues.queues.simulations!.url,
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    [IMPORT_BUCKET_ENV]: LOCAL_IMPORT_BUCKET,
    // One local bucket serves both: the history's files live under history/, the imports' under imports/.
    [HISTORY_BUCKET_ENV]: LOCAL_IMPORT_BUCKET,
    AWS_ENDPOINT_URL_EVENTBRIDGE: peers.endpoint,
    EVENT_BUS_NAME: 'tally-local-events',
    AWS_ENDPOINT_URL_SNS: peers.endpoint,
    AWS_ENDPOINT_URL_SES: peers.endpoint,
    AWS_ENDPOINT_URL_PINPOINT: peers.endpoint,
    EMAIL_FROM: process.env.EMAIL_FROM ?? 'club@tally.local',
    PINPOINT_APP_ID: process.env.PINPOINT_APP_ID ?? 'local-push',
  });
  const { handler: outbox } = await import('../functions/stream/outbox.ts');
  const { handler: jobs } = await import('../functions/jobs/run.ts');
  const client = new DynamoDBClient({ endpoint: opts.dynamoEndpoint, region: 'us-east-1' });
  // From the start of what the stream holds: nothing written while the runtime was down is
  // lost, and what was already handled comes again with the same event ids, which are dropped.
  const stream = await startStreamReader({ client, endpoint: opts.dynamoEndpoint, table: opts.table, handler: outbox, from: opts.streamFrom ?? 'TRIM_HORIZON' });
  const { handler: reportCounters } = await import('../functions/stream/report-counters.ts');
  const { isCounted } = await import('../lib/domain/insight.ts');
  // What the stack's event filter lets through to the function.
  const counted = (r: DynamoDBRecord) => isCounted(r.eventName, r.dynamodb?.NewImage?.type?.S);
  const reportStream = await startStreamReader({
    client,
    endpoint: opts.dynamoEndpoint,
    table: opts.table,
    handler: async (e) => {
      const Records = opts.countReports?.() === false ? [] : e.Records.filter(counted);
      return Records.length ? reportCounters({ Records }) : { batchItemFailures: [] };
    },
    from: opts.streamFrom ?? 'TRIM_HORIZON',
  });

  const settle = async (timeoutMs = 60_000) => {
    const until = Date.now() + timeoutMs;
    // Jobs write, the stream turns writes into events, events become notify messages: settle until a round changes nothing.
    for (let last = -1; ; ) {
      await stream.caughtUp(Math.max(1, until - Date.now()));
      await queues.drain(Math.max(1, until - Date.now()));
      await stream.caughtUp(Math.max(1, until - Date.now()));
      await reportStream.caughtUp(Math.max(1, until - Date.now()));
      const seen = stream.stats.records + peers.published.events + Object.values(queues.queues).reduce((s, q) => s + q.stats.sent, 0);
      if (seen === last) return;
      last = seen;
    }
  };

  const runJob: Background['runJob'] = async (job, o = {}) => {
    const report = await jobs({ job, ...(o.day ? { day: o.day } : {}), ...(o.tenantId ? { tenantId: o.tenantId } : {}) });
    await settle();
    return report;
  };

  let timer: NodeJS.Timeout | undefined;
  if (opts.tickMs) {
    let ticking = false;
    const tick = async () => {
      if (ticking) return;
      ticking = true;
      try {
        for (const job of ['expiry', 'birthday', 'tiers', 'refills', 'segments', 'notifications', 'insight'] as const) await jobs({ job });
      } catch (e) {
        console.error('local schedule: job failed', e);
      } finally {
        ticking = false;
      }
    };
    void tick();
    timer = setInterval(() => void tick(), opts.tickMs);
  }

  return {
    queues,
    peers,
    stream,
    reportStream,
    runJob,
    settle,
    async close() {
      clearInterval(timer);
      await stream.stop();
      await reportStream.stop();
      await queues.close();
      await s3.close();
      await peers.close();
      client.destroy();
    },
  };
}
