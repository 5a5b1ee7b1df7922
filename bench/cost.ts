/**
 * Cost per million receipts, term by term, from what the code really does for one receipt:
 * - DynamoDB: every call the authorizer, the pos function and the background functions make for
 *   one commit, recorded on the SDK client; write units from the sizes of the items written
 *   (rounded up per item per KB, twice inside a transaction, plus the index writes a changed
 *   index key costs), read units from the sizes of the items read (per 4 KB; half for an
 *   eventually consistent read);
 * - logs: every line the functions print for one receipt, captured at the log level AWS runs
 *   (Powertools' INFO, metrics on), plus API Gateway's access-log line;
 * - events, queue messages and stream records: counted from the local runtime's bus, queues and
 *   stream for one receipt;
 * - what cannot be measured here (AWS-side durations, batch sizes, stream shards, X-Ray sampling)
 *   is an assumption, stated in the row that uses it.
 * Prices: us-east-1 list prices, on-demand, as published in November 2026 (PRICES, with sources).
 *
 * `npx tsx bench/cost.ts` prints the table (it runs in its own process: log level and metrics
 * are fixed when the handlers are first imported).
 */
import { gzipSync } from 'node:zlib';
import type { DynamoDBRecord } from 'aws-lambda';
import type { BenchEnv } from './lib/env.ts';
import type { Db } from '../lib/storage/client.ts';
import { tableDefinition } from '../lib/storage/table.ts';

export const PRICES = {
  region: 'us-east-1',
  /** aws.amazon.com/api-gateway/pricing: HTTP APIs, first 300 million requests a month. */
  httpApiPerMillion: 1.0,
  /** aws.amazon.com/lambda/pricing: requests; arm64 duration per GB-second (first 6 billion GB-s). */
  lambdaRequestsPerMillion: 0.2,
  lambdaGbSecond: 0.0000133334,
  /** aws.amazon.com/dynamodb/pricing/on-demand: write and read request units; storage and PITR per GB-month. */
  dynamoWritePerMillionUnits: 0.625,
  dynamoReadPerMillionUnits: 0.125,
  dynamoStorageGbMonth: 0.25,
  dynamoPitrGbMonth: 0.2,
  /** aws.amazon.com/sqs/pricing: standard queue requests (per 64 KB chunk). */
  sqsPerMillion: 0.4,
  /** aws.amazon.com/eventbridge/pricing: custom events (per 64 KB chunk); archive processing per GB, storage per GB-month. */
  eventBridgePerMillionEvents: 1.0,
  archivePerGb: 0.1,
  archiveStorageGbMonth: 0.023,
  /** aws.amazon.com/cloudwatch/pricing: logs ingestion (standard class) per GB; archived (compressed) per GB-month. */
  logsIngestPerGb: 0.5,
  logsStorageGbMonth: 0.03,
  /** aws.amazon.com/xray/pricing: traces recorded. */
  xrayPerMillionTraces: 5.0,
  /** aws.amazon.com/s3/pricing: S3 Standard PUT, COPY, POST, LIST requests and GET requests, per 1,000; storage per GB-month. */
  s3PutPerThousand: 0.005,
  s3GetPerThousand: 0.0004,
  s3StorageGbMonth: 0.023,
  /** aws.amazon.com/api-gateway/pricing ("data transferred out … at the EC2 data transfer rates"); aws.amazon.com/ec2/pricing/on-demand: to the internet, first 10 TB a month. */
  dataTransferOutPerGb: 0.09,
} as const;

const KB = 1024;
const GB = 1024 ** 3;

// ---------------------------------------------------------------------------------------------
// What one receipt does, measured.

export interface WriteCost {
  /** Item type (its `type` attribute) or kind of write. */
  readonly what: string;
  readonly bytes: number;
  readonly units: number;
  readonly transactional: boolean;
  /** The bytes of the history index's keys on it (histPk, histSk), if any. */
  readonly historyBytes?: number;
}

export interface ReadCost {
  readonly what: string;
  readonly bytes: number;
  readonly units: number;
  readonly consistent: boolean;
}

export interface ReceiptMeasure {
  readonly lines: number;
  /** DynamoDB by function: the authorizer (a cache miss), the pos function, the background. */
  readonly ddb: Record<'authorizer' | 'pos' | 'background', { reads: ReadCost[]; writes: WriteCost[]; calls: Record<string, number> }>;
  /** Bytes and lines printed, by who printed them; `gzip` for archived storage. */
  readonly logs: Record<string, { lines: number; bytes: number; gzip: number }>;
  readonly events: { count: number; bytes: number; types: Record<string, number> };
  /** Messages sent to each queue. */
  readonly queues: Record<string, number>;
  readonly streamRecords: number;
  /** Items the receipt leaves in the table: their bytes as stored (plus DynamoDB's 100 B per item). */
  readonly storedBytes: number;
  /** The answer's body as sent to the till. */
  readonly answerBytes: number;
}

/** What the first receipt of a customer's month reads and writes (it also sets the month before on the profile item). */
export interface MonthTurn {
  readonly reads: ReadCost[];
  readonly writes: WriteCost[];
}

/** What the report counters write for a batch of receipts of one tenant and day (the real countChanges on DynamoDB Local). */
/** The commit through the handler beside the raw calls it makes: wall p50 and this process's CPU per call, ms. */
export interface Timing {
  readonly handlerP50: number;
  readonly rawP50: number;
  readonly handlerCpuMs: number;
  readonly rawCpuMs: number;
}

/** How the outbox relay's event source batches in prod (infra: OUTBOX_BATCH): its window and its batch size in records. */
export interface OutboxBatch {
  readonly windowSeconds: number;
  readonly size: number;
}

export interface ReportBatch {
  readonly rate: number;
  /** Stores the batch's receipts come from (round robin). */
  readonly stores: number;
  /** Receipts per batch per stream shard, and what capped it. */
  readonly receipts: number;
  readonly cappedBy: string;
  /** Stream records per receipt through the filter, and their bytes in Lambda's event. */
  readonly recordsPerReceipt: number;
  readonly eventBytesPerReceipt: number;
  readonly writeUnits: number;
  readonly transactions: number;
  readonly counterWrites: number;
  readonly markerBytes: number;
  /** Store logs written (the per-store split of the till's figures, lib/app/store-fold.ts) and their bytes. */
  readonly logWrites: number;
  readonly logBytes: number;
  /** The nightly fold of those logs: write units per store-day moved, read units per log byte read. */
  readonly foldUnitsPerStoreDay: number;
  readonly foldReadUnitsPerLogByte: number;
  /** CPU time of countChanges over the batch here. */
  readonly cpuMs: number;
}

/** Every index of the table (KEYS_ONLY, so an index item is its keys: one write unit each). */
const GSI_KEYS: Array<[string, string]> = tableDefinition.globalSecondaryIndexes.map((g) => [g.partitionKey, g.sortKey]);
/** Items the report counters write: priced per batch (ReportBatch), not per lone receipt. */
const REPORT_TYPES = new Set(['report', 'reportRange', 'reportPointer', 'reportLog', 'reportFold']);

/** Records every DynamoDB call on the handlers' client while `on`, with its item sizes. */
function recorder(env: BenchEnv, itemSizeBytes: (i: Record<string, unknown>) => number) {
  type Rec = { reads: ReadCost[]; writes: WriteCost[]; calls: Record<string, number>; seen: Map<string, Record<string, unknown>> };
  const fresh = (): Rec => ({ reads: [], writes: [], calls: {}, seen: new Map() });
  let current: Rec | undefined;
  const keyOf = (i: Record<string, unknown>) => `${String(i.pk)}|${String(i.sk)}`;
  const readUnits = (bytes: number, consistent: boolean) => Math.max(1, Math.ceil(bytes / (4 * KB))) * (consistent ? 1 : 0.5);
  const writeUnits = (bytes: number, transactional: boolean) => Math.max(1, Math.ceil(bytes / KB)) * (transactional ? 2 : 1);

  const write = (r: Rec, kind: string, item: Record<string, unknown> | undefined, key: Record<string, unknown>, transactional: boolean) => {
    const old = r.seen.get(keyOf(key));
    // A Put or Update that replaces an item is billed on the larger of the two.
    const bytes = Math.max(item ? itemSizeBytes(item) : 0, old ? itemSizeBytes(old) : 0);
    const what = item?.type ?? old?.type ?? (String(key.pk).includes('#RPT#') ? 'report' : kind);
    const historyBytes = item?.histPk !== undefined ? itemSizeBytes({ histPk: item.histPk, histSk: item.histSk }) : 0;
    r.writes.push({ what: String(what), bytes, units: writeUnits(bytes, transactional), transactional, ...(historyBytes ? { historyBytes } : {}) });
    // Index writes (KEYS_ONLY, under 1 KB): one to add or remove an entry, two to move it; an
    // update that leaves an index's keys alone writes nothing there (nothing else is projected).
    // An Update's new image is not in the request: its index keys are left as they were (the
    // counters and markers carry none).
    for (const [pk, sk] of GSI_KEYS) {
      const before = old && old[pk] !== undefined ? `${String(old[pk])}|${String(old[sk])}` : undefined;
      const after = kind === 'update' ? before : item && item[pk] !== undefined ? `${String(item[pk])}|${String(item[sk])}` : undefined;
      const n = before === after ? 0 : before && after ? 2 : 1;
      if (n) r.writes.push({ what: `index ${pk.replace(/Pk$/, '')}`, bytes: 0, units: n, transactional: false });
    }
  };

  let side: Db | undefined;
  const sideItem = async (Key: Record<string, unknown>) => {
    side ??= (await import('../lib/storage/client.ts')).createDb({ table: env.table });
    const { GetCommand } = await import('@aws-sdk/lib-dynamodb');
    return (await side.doc.send(new GetCommand({ TableName: env.table, Key, ConsistentRead: true }))).Item;
  };

  env.deps.db.doc.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const r = current;
      if (!r) return result;
      const name = (context.commandName ?? 'unknown').replace(/Command$/, '');
      r.calls[name] = (r.calls[name] ?? 0) + 1;
      const input = args.input as Record<string, any>;
      const output = result.output as Record<string, any>;
      const consistent = Boolean(input.ConsistentRead);
      if (name === 'GetItem') {
        const bytes = output.Item ? itemSizeBytes(output.Item) : 0;
        if (output.Item) r.seen.set(keyOf(output.Item), output.Item);
        r.reads.push({ what: String(output.Item?.type ?? 'absent'), bytes, units: readUnits(bytes, consistent), consistent });
      } else if (name === 'Query' || name === 'Scan') {
        const items = (output.Items ?? []) as Array<Record<string, unknown>>;
        for (const i of items) r.seen.set(keyOf(i), i);
        const bytes = items.reduce((s, i) => s + itemSizeBytes(i), 0);
        r.reads.push({ what: `${name} (${items.map((i) => String(i.type)).join(', ') || 'nothing'})`, bytes, units: readUnits(bytes, consistent), consistent });
      } else if (name === 'BatchGetItem') {
        for (const items of Object.values((output.Responses ?? {}) as Record<string, Array<Record<string, unknown>>>)) {
          for (const i of items) {
            const bytes = itemSizeBytes(i);
            r.reads.push({ what: String(i.type), bytes, units: readUnits(bytes, false), consistent: false });
          }
        }
      } else if (name === 'TransactWriteItems') {
        for (const t of input.TransactItems as Array<Record<string, any>>) {
          if (t.Put) write(r, 'put', t.Put.Item, t.Put.Item, true);
          else if (t.Update) write(r, 'update', undefined, t.Update.Key, true);
          else if (t.Delete) write(r, 'delete', undefined, t.Delete.Key, true);
          else if (t.ConditionCheck) write(r, 'condition check', undefined, t.ConditionCheck.Key, true);
        }
      } else if (name === 'PutItem') write(r, 'put', input.Item, input.Item, false);
      else if (name === 'UpdateItem') {
        // The month move's UpdateItem on a profile item the till did not read: billed on the item's
        // size, so read it after (on a client of its own, not recorded).
        const unseen = input.Key?.sk === 'PROFILE' && !r.seen.has(keyOf(input.Key));
        write(r, 'update', unseen ? await sideItem(input.Key) : undefined, input.Key, false);
      }
      else if (name === 'DeleteItem') write(r, 'delete', undefined, input.Key, false);
      else if (name === 'BatchWriteItem') {
        for (const reqs of Object.values(input.RequestItems as Record<string, Array<Record<string, any>>>)) {
          for (const w of reqs) if (w.PutRequest) write(r, 'put', w.PutRequest.Item, w.PutRequest.Item, false);
        }
      } else if (name === 'TransactGetItems') {
        for (const x of (output.Responses ?? []) as Array<{ Item?: Record<string, unknown> }>) {
          const bytes = x.Item ? itemSizeBytes(x.Item) : 0;
          r.reads.push({ what: String(x.Item?.type ?? 'absent'), bytes, units: readUnits(bytes, true) * 2, consistent: true });
        }
      }
      return result;
    },
    { step: 'initialize', name: 'costRecorder' },
  );
  return {
    start: () => void (current = fresh()),
    stop: () => {
      const r = current!;
      current = undefined;
      return { reads: r.reads, writes: r.writes, calls: r.calls };
    },
  };
}

/** Every line written to stdout/stderr while capturing, attributed to the function that printed it. */
function logCapture() {
  const lines: Array<{ who: string; text: string }> = [];
  let who: string | undefined;
  const orig = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
  const tap =
    (o: typeof orig.out) =>
    (chunk: unknown, ...rest: unknown[]): boolean => {
      if (who === undefined) return (o as (c: unknown, ...r: unknown[]) => boolean)(chunk, ...rest);
      if (who === 'discard') return true;
      for (const text of String(chunk).split('\n').filter(Boolean)) lines.push({ who: attribute(text, who), text });
      return true;
    };
  process.stdout.write = tap(orig.out) as typeof process.stdout.write;
  process.stderr.write = tap(orig.err) as typeof process.stderr.write;
  return {
    phase: (w: string | undefined) => void (who = w),
    take: () => lines.splice(0),
    close: () => {
      process.stdout.write = orig.out;
      process.stderr.write = orig.err;
    },
  };
}

/** Background lines name their function: the relay's start with `outbox:`, the workers carry `worker`. */
function attribute(text: string, phase: string): string {
  if (phase !== 'background') return phase;
  try {
    const o = JSON.parse(text) as { message?: string; worker?: string; _aws?: unknown; service?: string };
    if (o.worker) return `${o.worker} worker`;
    if (o.message?.startsWith('outbox')) return 'outbox';
    if (o._aws) return 'background (metrics)';
  } catch {
    // not JSON: still a line someone pays for
  }
  return 'background';
}

/** Measures one committed receipt of `lines` lines (after warm-up) through the real handlers and the local background. */
export async function measureReceipts(linesList: readonly number[]): Promise<{ measures: ReceiptMeasure[]; timing: Timing; reportBatches: ReportBatch[]; monthTurn: MonthTurn; outboxBatch: OutboxBatch }> {
  const { startBenchEnv, benchReceipt } = await import('./lib/env.ts');
  const env = await startBenchEnv({ customers: 3 });
  const { startBackground } = await import('../local/background.ts');
  const { itemSizeBytes } = await import('../lib/storage/item-size.ts');
  const { logger } = await import('../lib/observability/logger.ts');
  const { handler: authorizerHandler } = await import('../functions/http/authorizer.ts');
  const bg = await startBackground({ dynamoEndpoint: env.ddb.endpoint, table: env.table, tickMs: 0, streamFrom: 'LATEST' });
  let bgOpen = true;
  const rec = recorder(env, itemSizeBytes);
  const capture = logCapture();
  const staff = { authorization: `Bearer ${env.staffKey}` };
  const call = async (key: string, method: string, path: string, body: unknown) => {
    const r = await env.invoke(env.handlers, { method, path, body, headers: { authorization: `Bearer ${key}` } });
    if (r.status >= 300) throw new Error(`${method} ${path} → ${r.status} ${r.raw}`);
    return r;
  };
  try {
    const measures: ReceiptMeasure[] = [];
    // Every size twice: the first round warms every lazy import and cache; the second is the one reported.
    for (const lines of [...linesList, ...linesList]) {
      // A fresh till key: the authorizer's cache (API Gateway's and its own) misses, as it does
      // for a till whose receipts are further apart than the cache time.
      const till = (await call(env.staffKey, 'POST', '/v1/keys', { role: 'pos', storeId: 'S-01', name: `till ${lines}` })).body.key as string;
      await bg.settle();
      const queuesBefore = Object.fromEntries(Object.values(bg.queues.queues).map((q) => [q.name, q.stats.sent]));
      const streamBefore = bg.stream.stats.records;
      const eventsBefore = { count: bg.peers.published.events, bytes: bg.peers.published.bytes, types: { ...bg.peers.published.types } };
      capture.take();
      logger.setLogLevel('INFO');

      // The authorizer as API Gateway calls it on a cache miss; the commit's own authorizer step
      // then finds the key in the authorizer's in-process cache (no calls, no lines).
      capture.phase('authorizer');
      rec.start();
      await authorizerHandler({ headers: { authorization: `Bearer ${till}` } } as never);
      const authorizer = rec.stop();
      const authLines = capture.take();
      capture.phase('pos');
      rec.start();
      const answer = await call(till, 'POST', '/v1/receipts', benchReceipt(env, env.cards[0]!, lines));
      const pos = rec.stop();
      const posLines = capture.take();
      capture.phase('background');
      rec.start();
      await bg.settle();
      const background = rec.stop();
      const bgLines = capture.take();
      capture.phase('discard');
      logger.setLogLevel('ERROR');

      const logs: ReceiptMeasure['logs'] = {};
      const all = [...authLines, ...posLines, ...bgLines];
      for (const who of new Set(all.map((l) => l.who))) {
        const mine = all.filter((l) => l.who === who).map((l) => l.text);
        logs[who] = { lines: mine.length, bytes: sum(mine, (t) => Buffer.byteLength(t) + 1), gzip: gzipSync(mine.join('\n')).length };
      }
      const queues = Object.fromEntries(
        Object.values(bg.queues.queues)
          .map((q) => [q.name, q.stats.sent - (queuesBefore[q.name] ?? 0)] as const)
          .filter(([, n]) => n > 0),
      );
      const written = pos.writes.filter((w) => !w.what.startsWith('index'));
      const stored = written.reduce((s, w) => s + w.bytes + 100, 0);
      const m: ReceiptMeasure = {
        lines,
        ddb: { authorizer, pos, background },
        logs,
        events: {
          count: bg.peers.published.events - eventsBefore.count,
          bytes: bg.peers.published.bytes - eventsBefore.bytes,
          types: Object.fromEntries(Object.entries(bg.peers.published.types).map(([t, n]) => [t, n - (eventsBefore.types[t] ?? 0)] as const).filter(([, n]) => n > 0)),
        },
        queues,
        streamRecords: bg.stream.stats.records - streamBefore,
        storedBytes: stored,
        answerBytes: Buffer.byteLength(answer.raw),
      };
      if (measures.filter((x) => x.lines === lines).length === 0) measures.push(m);
      else measures[measures.findIndex((x) => x.lines === lines)] = m;
    }

    // The first receipt of a customer's month: the till reads the customer item and sets the month
    // before on the profile item (storage/customers.ts moveMonths). A customer whose latest activity
    // is last month's, as the bench's would be on the 1st.
    const { customerItem, customerProfileItem } = await import('../lib/storage/customers.ts');
    const { addMonths, monthOf } = await import('../lib/domain/time.ts');
    const { PutCommand } = await import('@aws-sdk/lib-dynamodb');
    const last = (await env.deps.customers.get(env.tenantId, env.customerIds[2]!))!;
    const prior = addMonths(monthOf(new Date(), (await env.deps.programs.current(env.tenantId))!.program.timeZone), -1);
    const moved = { ...last, account: { ...last.account, activity: { [prior]: { paid: 19_406, points: 170, receipts: 2 } } } };
    for (const Item of [customerItem(moved), customerProfileItem(moved)]) await env.deps.db.doc.send(new PutCommand({ TableName: env.table, Item }));
    await bg.settle();
    rec.start();
    await call(env.posKey, 'POST', '/v1/receipts', benchReceipt(env, env.cards[2]!, 5));
    const turn = rec.stop();
    // The commit's own: the authorizer's reads are priced on their own row (its key may have left
    // the cache here), and the report counters may count the receipt before while this runs.
    const monthTurn: MonthTurn = {
      reads: turn.reads.filter((r) => r.what !== 'apiKey' && r.what !== 'store'),
      writes: turn.writes.filter((w) => !w.what.startsWith('index') && !REPORT_TYPES.has(w.what)),
    };

    // The handler's own time beside the raw calls it makes, for the compute estimate: wall time,
    // and this process's CPU time per call (steadier on a busy machine), the background stopped
    // so that its work is not counted.
    await bg.close();
    bgOpen = false;
    const cpu = { raw: 0, handler: 0 };
    const counted = (label: 'raw' | 'handler', run: (i: number) => Promise<void>) => async (i: number) => {
      const before = process.cpuUsage();
      await run(i);
      const used = process.cpuUsage(before);
      if (i >= 0) cpu[label] += (used.user + used.system) / 1000;
    };
    const { GetCommand, TransactWriteCommand } = await import('@aws-sdk/lib-dynamodb');
    const { timeInterleaved } = await import('./lib/stats.ts');
    let k = 0;
    const template = env.meter.lastTransaction;
    env.meter.reset();
    await call(env.posKey, 'POST', '/v1/receipts', benchReceipt(env, env.cards[1]!, 5));
    const items = (env.meter.lastTransaction ?? template ?? []) as Array<{ Put?: { Item: Record<string, unknown> } }>;
    const raw = () => items.map((t) => ({ Put: { TableName: env.table, Item: { ...t.Put!.Item, pk: `RAW#${++k}#${String(t.Put!.Item.pk)}` } } }));
    const rows = await timeInterleaved(
      [
        {
          label: 'raw',
          run: counted('raw', async () => {
            await env.deps.db.doc.send(new GetCommand({ TableName: env.table, Key: { pk: 'RAW#none', sk: 'ID' }, ConsistentRead: true }));
            await env.deps.db.doc.send(new GetCommand({ TableName: env.table, Key: { pk: 'RAW#none', sk: 'CUSTOMER' }, ConsistentRead: true }));
            await env.deps.db.doc.send(new TransactWriteCommand({ TransactItems: raw() as never }));
          }),
        },
        { label: 'handler', run: counted('handler', async (i) => void (await call(env.posKey, 'POST', '/v1/receipts', benchReceipt(env, env.cards[Math.abs(i) % env.cards.length]!, 5)))) },
      ],
      150,
      30,
    );
    const timing: Timing = { rawP50: rows[0]!.p50, handlerP50: rows[1]!.p50, rawCpuMs: cpu.raw / 150, handlerCpuMs: cpu.handler / 150 };
    // The report counters over batches, without the local background counting beside them.
    const reportBatches: ReportBatch[] = [];
    for (const stores of REPORT_STORES) reportBatches.push(...(await measureReportBatches(env, rec, RATES, stores)));
    const { OUTBOX_BATCH } = await import('../infra/stacks/background-stack.ts');
    return { measures, timing, reportBatches, monthTurn, outboxBatch: { windowSeconds: OUTBOX_BATCH.prodWindowSeconds, size: OUTBOX_BATCH.size } };
  } finally {
    capture.close();
    if (bgOpen) await bg.close();
    await env.stop();
  }
}

/** The rates the model prices, in receipts per second. */
export const RATES = [10, 100] as const;
/** Stores a tenant's receipts come from, for the report counters (most of their items are per store): the total uses the first. */
export const REPORT_STORES = [10, 1000] as const;
/** Lambda's invocation payload for a stream batch (aws.amazon.com/lambda: 6 MB synchronous invocation payload). */
const LAMBDA_PAYLOAD_BYTES = 6 * 1024 * 1024;

/**
 * Commits receipts of one tenant and day (stores in turn, `RATES`' batches' worth), reads their
 * stream records through the reports filter, and counts one batch per rate with the real
 * `countChanges` on DynamoDB Local, recording what it writes. A batch holds what one stream shard
 * gathers in the batching window (rate × window ÷ shards receipts), capped by the mapping's
 * batch size and by Lambda's payload. In AWS a receipt's item and its customer's lie in
 * different partitions (different shards): every shard's batch then holds a mix of receipts,
 * ledger entries and customers, as the batch of all of them here does.
 */
async function measureReportBatches(env: BenchEnv, rec: ReturnType<typeof recorder>, rates: readonly number[], stores: number): Promise<ReportBatch[]> {
  const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
  const { commit } = await import('../lib/app/receipts.ts');
  const { countChanges } = await import('../lib/app/insight.ts');
  const { isCounted } = await import('../lib/domain/insight.ts');
  const { changeFromStreamRecord } = await import('../lib/events/stream-record.ts');
  const { startStreamReader } = await import('../local/stream.ts');
  const { benchReceipt } = await import('./lib/env.ts');
  const { REPORTS_BATCH } = await import('../infra/stacks/background-stack.ts');
  const window = REPORTS_BATCH.prodWindowSeconds;
  const tenantId = (await env.deps.apiKeys.resolve(env.posKey))!.tenantId;
  const records: DynamoDBRecord[] = [];
  const reader = await startStreamReader({
    client: new DynamoDBClient({ endpoint: env.ddb.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
    endpoint: env.ddb.endpoint,
    table: env.table,
    from: 'LATEST',
    handler: async (e) => {
      records.push(...e.Records.filter((r) => isCounted(r.eventName, r.dynamodb?.NewImage?.type?.S)));
      return { batchItemFailures: [] };
    },
  });
  const wanted = rates.map((r) => Math.ceil((r * window) / ASSUME.streamShards));
  const total = wanted.reduce((a, b) => a + b, 0);
  for (let i = 0; i < total; i++) {
    const storeId = `S-${String(1 + (i % stores)).padStart(4, '0')}`;
    const principal = { tenantId, storeId, role: 'pos' as const, actor: `pos:${storeId}`, keyId: 'bench' };
    // Amounts vary from receipt to receipt, as a chain's do (the store logs are compressed: identical receipts would flatter them).
    const body = benchReceipt(env, env.cards[i % env.cards.length]!, 5);
    const k = 1 + ((i * 7919) % 89);
    await commit(env.deps, principal, storeId, { ...body, lines: body.lines.map((l) => ({ ...l, unitPrice: l.unitPrice * k, amount: l.amount * k })) } as never);
  }
  await reader.caughtUp();
  await reader.stop();
  // As Lambda sends them: JSON, binary attributes (the packed receipt) base64-encoded.
  const eventBytes = (r: DynamoDBRecord) => Buffer.byteLength(JSON.stringify(r, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v)));
  const recordsPerReceipt = records.length / total;
  const eventBytesPerReceipt = sum(records, eventBytes) / total;
  const out: ReportBatch[] = [];
  let offset = 0;
  for (const [k, rate] of rates.entries()) {
    const caps: Array<[number, string]> = [
      [wanted[k]!, `rate × ${window} s window ÷ ${ASSUME.streamShards} shards`],
      [Math.floor(REPORTS_BATCH.size / recordsPerReceipt), `batch size ${REPORTS_BATCH.size} records`],
      [Math.floor(LAMBDA_PAYLOAD_BYTES / eventBytesPerReceipt), "Lambda's 6 MB payload"],
    ];
    const [receipts, cappedBy] = caps.reduce((a, b) => (b[0] < a[0] ? b : a));
    const batch = records.slice(offset, offset + Math.round(receipts * recordsPerReceipt));
    offset += batch.length;
    const cpu = process.cpuUsage();
    rec.start();
    await countChanges(env.deps, batch.map(changeFromStreamRecord));
    const w = rec.stop();
    const used = process.cpuUsage(cpu);
    const reportWrites = w.writes.filter((x) => !x.what.startsWith('index'));
    out.push({
      rate,
      stores,
      receipts,
      cappedBy,
      recordsPerReceipt,
      eventBytesPerReceipt,
      writeUnits: sum(w.writes, (x) => x.units),
      transactions: w.calls.TransactWriteItems ?? 0,
      counterWrites: reportWrites.filter((x) => x.what === 'report').length,
      markerBytes: sum(reportWrites.filter((x) => x.what === 'reportRange' || x.what === 'reportPointer'), (x) => x.bytes),
      logWrites: reportWrites.filter((x) => x.what === 'reportLog').length,
      logBytes: sum(reportWrites.filter((x) => x.what === 'reportLog'), (x) => x.bytes),
      foldUnitsPerStoreDay: 0,
      foldReadUnitsPerLogByte: 0,
      cpuMs: (used.user + used.system) / 1000,
    });
  }
  // The nightly fold of these logs (lib/app/store-fold.ts): the moves of the day's logs so far,
  // applied as the fold applies them (under a tenant of their own, so the bench's tenant is left
  // unfolded), recorded; a store's day is moved once, however many batches it was in.
  const { foldMoves } = await import('../lib/domain/insight.ts');
  const stats = { queries: 0, items: 0 };
  const logs = await env.deps.insight.logs(tenantId, new Date().toISOString().slice(0, 10), stats);
  const foldTenant = `${tenantId}fold${stores}`;
  const moves = [...foldMoves(logs).entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([store, increments]) => ({ id: `FOLD|${foldTenant}|${store}`, tenantId: foldTenant, increments }));
  rec.start();
  await env.deps.insight.apply(moves);
  const folded = rec.stop();
  const perStore = sum(folded.writes, (x) => x.units) / moves.length;
  // Logs are read strongly consistent: a read unit per 4 KB.
  return out.map((b) => ({ ...b, foldUnitsPerStoreDay: perStore, foldReadUnitsPerLogByte: 1 / (4 * KB) }));
}

// ---------------------------------------------------------------------------------------------
// The model.

/**
 * What cannot be measured on this machine, stated once. Durations are AWS-side estimates for
 * arm64 in-region: DynamoDB single-digit-ms reads, a transaction about three times a read (two
 * phases); the handler's own CPU time is measured here (handler p50 minus the raw calls' p50).
 */
export const ASSUME = {
  getItemMs: 4,
  transactMs: 12,
  posMemoryMb: 512,
  /** Lambda gives a function one vCPU at 1,769 MB, and a share in proportion below (docs.aws.amazon.com/lambda: memory and computing power). */
  lambdaMbPerVcpu: 1769,
  authorizerMemoryMb: 256,
  backgroundMemoryMb: 512,
  /** A till's receipts are further apart than the authorizer's cache time (10 s): one authorizer call each. */
  authorizerCallsPerReceipt: 1,
  /** The relay: ~5 ms of its own per invocation, one PutEvents (~20 ms) per ten events, ~0.2 ms per record. */
  outboxMsPerInvocation: 5,
  putEventsMs: 20,
  /** A worker invocation: ~15 ms of its own plus its DynamoDB calls (counted in the table). */
  workerMsPerInvocation: 20,
  /** The report counters' invocation beyond its measured CPU and its transactions: the program reads (cached) and the runtime. */
  reportsMsPerInvocation: 10,
  /** An answer's HTTP headers (date, content type and length, request id, idempotency headers) and TLS records. */
  answerHeaderBytes: 300,
  /**
   * Stream shards: an on-demand table starts with about four partitions, and the relay gets one
   * batch per shard per batching window (OutboxBatch), or sooner when the batch is full.
   */
  streamShards: 4,
  /**
   * Messages per SQS batch at a queue's rate: a long poll returns as soon as a message is there
   * and Lambda runs five pollers per queue, so batches stay small (about 1.2 at 10 messages/s,
   * 3 at 100/s); each batch is one receive, one batch delete and one worker invocation.
   */
  messagesPerBatch: (perQueuePerSecond: number) => Math.min(10, 1 + perQueuePerSecond / 50),
  /**
   * The relay learns each tenant's listeners (lib/app/listeners.ts) from two Queries (active
   * journeys, webhook endpoints; one unit each, strongly consistent) every 10 s per relay instance
   * (one per shard), not per receipt: measured receipts hit that cache.
   */
  listenerRefreshUnitsPerSecond: (2 * 1 * 4) / 10,
  /** CloudWatch Logs counts 26 bytes per event besides its message (PutLogEvents' size rule). */
  logEventOverhead: 26,
  /** API Gateway's access-log line (the stack's JSON format with typical values). */
  accessLogBytes: Buffer.byteLength(
    JSON.stringify({ requestId: 'JyqDpjE0IAMEbBw=', routeKey: 'POST /v1/receipts', status: '200', latencyMs: '23', integrationLatencyMs: '21', ip: '203.0.113.42', time: '01/Dec/2026:00:27:10 +0000', tenantId: 'pharma-am', storeId: 'S-0142', keyId: 'k_Xc8qLmT2' }),
  ) + 1,
  logRetentionMonths: { functions: 1, access: 3 },
  archiveRetentionMonths: 3,
  /**
   * Functions with X-Ray active tracing by default: the till's path is off unless
   * -c tillPathTracing=true, the outbox and the event workers unless -c eventPathTracing=true.
   */
  traced: { authorizer: false, pos: false, outbox: false, workers: false },
} as const;

export interface Row {
  readonly part: string;
  readonly usd: Record<number, number>;
  readonly from: string;
}

const perMillion = (unitsPerReceipt: number, pricePerMillion: number) => unitsPerReceipt * pricePerMillion;
const gbSeconds = (ms: number, mb: number) => (ms / 1000) * (mb / 1024);
const sum = <T>(xs: readonly T[], f: (x: T) => number) => xs.reduce((s, x) => s + f(x), 0);
/** X-Ray's default Lambda sampling: the first request each second, then 5 %. */
const tracesPerSecond = (invocationsPerSecond: number) => Math.min(invocationsPerSecond, 1) + 0.05 * Math.max(0, invocationsPerSecond - 1);

export function costRows(m: ReceiptMeasure, timing: Timing, rates: readonly number[], reportBatches: readonly ReportBatch[], outbox: OutboxBatch, stores: number = REPORT_STORES[0]): Row[] {
  const rows: Row[] = [];
  const flat = (part: string, usd: number, from: string) => rows.push({ part, usd: Object.fromEntries(rates.map((r) => [r, usd])), from });
  const byRate = (part: string, f: (rate: number) => number, from: string) => rows.push({ part, usd: Object.fromEntries(rates.map((r) => [r, f(r)])), from });
  const d = m.ddb;
  const batchAt = (rate: number) => reportBatches.find((b) => b.rate === rate && b.stores === stores)!;
  // The lone receipt's background: the report counters' part of it is priced per batch below.
  const isReport = (w: WriteCost) => REPORT_TYPES.has(w.what);
  const otherBackground = d.background.writes.filter((w) => !isReport(w));
  const loneReport = d.background.writes.filter(isReport);
  const wcu = (xs: readonly WriteCost[]) => sum(xs, (w) => w.units);
  const rcu = (xs: readonly ReadCost[]) => sum(xs, (r) => r.units);
  const describeWrites = (xs: readonly WriteCost[]) =>
    xs.map((w) => (w.what.startsWith('index') ? `${w.what} ${w.units}` : `${w.what} ${(w.bytes / KB).toFixed(2)} KB→${w.units}`)).join(', ');
  const describeReads = (xs: readonly ReadCost[]) => xs.map((r) => `${r.what} ${(r.bytes / KB).toFixed(1)} KB ${r.consistent ? 'strong' : 'eventual'}→${r.units}`).join(', ');

  // Till's path.
  flat('API Gateway (HTTP API)', PRICES.httpApiPerMillion, `1 request at $${PRICES.httpApiPerMillion}/million`);
  // The handler's CPU time here (the whole commit in this process: validation, pricing, the
  // answer, packing, the SDK's marshalling) runs in AWS on the function's share of a vCPU
  // (1,769 MB is one), beside the DynamoDB calls' waits.
  const cpuMs = timing.handlerCpuMs * (ASSUME.lambdaMbPerVcpu / ASSUME.posMemoryMb);
  const posMs = 2 * ASSUME.getItemMs + ASSUME.transactMs + cpuMs;
  flat(
    'Lambda: pos (request + compute)',
    PRICES.lambdaRequestsPerMillion + perMillion(gbSeconds(Math.ceil(posMs), ASSUME.posMemoryMb), PRICES.lambdaGbSecond * 1e6),
    `1 invocation; ${Math.ceil(posMs)} ms assumed in AWS (2 GetItem × ${ASSUME.getItemMs} ms + TransactWriteItems ${ASSUME.transactMs} ms + ${timing.handlerCpuMs.toFixed(1)} ms of CPU per commit measured here (the raw calls alone: ${timing.rawCpuMs.toFixed(1)} ms) × ${(ASSUME.lambdaMbPerVcpu / ASSUME.posMemoryMb).toFixed(2)} for ${ASSUME.posMemoryMb} MB's share of a vCPU; wall time here: handler p50 ${timing.handlerP50.toFixed(1)} ms, raw calls ${timing.rawP50.toFixed(1)} ms) × ${ASSUME.posMemoryMb} MB`,
  );
  const authMs = Math.max(1, (d.authorizer.calls.GetItem ?? 0) * ASSUME.getItemMs + 1);
  flat(
    'Lambda: authorizer',
    ASSUME.authorizerCallsPerReceipt * (PRICES.lambdaRequestsPerMillion + perMillion(gbSeconds(authMs, ASSUME.authorizerMemoryMb), PRICES.lambdaGbSecond * 1e6)),
    `${ASSUME.authorizerCallsPerReceipt} per receipt (a till's receipts are further apart than the 10 s cache); ${authMs} ms × ${ASSUME.authorizerMemoryMb} MB`,
  );
  flat('DynamoDB writes: commit', perMillion(wcu(d.pos.writes), PRICES.dynamoWritePerMillionUnits), `${wcu(d.pos.writes)} units: ${describeWrites(d.pos.writes)}`);
  flat('DynamoDB reads: commit', perMillion(rcu(d.pos.reads), PRICES.dynamoReadPerMillionUnits), `${rcu(d.pos.reads)} units: ${describeReads(d.pos.reads)}`);
  flat('DynamoDB reads: authorizer', perMillion(rcu(d.authorizer.reads) * ASSUME.authorizerCallsPerReceipt, PRICES.dynamoReadPerMillionUnits), `${rcu(d.authorizer.reads)} units: ${describeReads(d.authorizer.reads)}`);

  // Logs. The relay logs once per invocation (a batch of receipts), the till's path per receipt.
  const commitRecords = d.pos.writes.filter((w) => !w.what.startsWith('index')).length + otherBackground.filter((w) => !w.what.startsWith('index')).length;
  const recordsAt = (rate: number) => commitRecords + (batchAt(rate).counterWrites + batchAt(rate).transactions + batchAt(rate).logWrites) / batchAt(rate).receipts;
  // A shard's batch: what it gathers in the window (at least the record that opened it), at most the batch size.
  const outboxBatchAt = (rate: number) => Math.min(Math.max(1, ((recordsAt(rate) * rate) / ASSUME.streamShards) * outbox.windowSeconds), outbox.size);
  const outboxPerReceipt = (rate: number) => recordsAt(rate) / outboxBatchAt(rate);
  const outboxMs = (rate: number) => ASSUME.outboxMsPerInvocation + ASSUME.putEventsMs * Math.ceil(((outboxBatchAt(rate) / recordsAt(rate)) * m.events.count) / 10) + 0.2 * outboxBatchAt(rate);
  const perInvocation = (who: string) => who === 'outbox' || who.startsWith('background');
  const share = (who: string, rate: number) => (perInvocation(who) ? outboxPerReceipt(rate) : 1);
  const fnLogBytes = (rate: number) => sum(Object.entries(m.logs), ([who, l]) => (l.bytes + l.lines * ASSUME.logEventOverhead) * share(who, rate));
  const fnLogGzip = (rate: number) => sum(Object.entries(m.logs), ([who, l]) => l.gzip * share(who, rate));
  const logBytes = (rate: number) => fnLogBytes(rate) + ASSUME.accessLogBytes + ASSUME.logEventOverhead;
  const logParts = Object.entries(m.logs)
    .map(([who, l]) => `${who} ${l.lines} × ${Math.round(l.bytes / Math.max(1, l.lines))} B${perInvocation(who) ? ' per invocation' : ''}`)
    .join(', ');
  byRate(
    'CloudWatch Logs ingestion',
    (rate) => ((logBytes(rate) * 1e6) / GB) * PRICES.logsIngestPerGb,
    `${rates.map((r) => `${Math.round(logBytes(r))} B per receipt at ${r}/s`).join(', ')}: ${logParts || 'no function lines'}, access log ${ASSUME.accessLogBytes} B, +${ASSUME.logEventOverhead} B per line; Lambda's START/END/REPORT off (prod: system log level WARN)`,
  );
  byRate(
    'CloudWatch Logs storage',
    (rate) => (((fnLogGzip(rate) * ASSUME.logRetentionMonths.functions + (ASSUME.accessLogBytes / 4) * ASSUME.logRetentionMonths.access) * 1e6) / GB) * PRICES.logsStorageGbMonth,
    `function lines gzipped kept ${ASSUME.logRetentionMonths.functions} month, access log (~¼ compressed) ${ASSUME.logRetentionMonths.access} months, at $${PRICES.logsStorageGbMonth}/GB-month`,
  );

  // Events and queues.
  flat('EventBridge events', perMillion(m.events.count, PRICES.eventBridgePerMillionEvents), `${m.events.count} events (${Object.entries(m.events.types).map(([t, n]) => `${n} ${t}`).join(', ')}), each under 64 KB`);
  flat(
    'EventBridge archive',
    (m.events.bytes / GB) * (PRICES.archivePerGb + PRICES.archiveStorageGbMonth * ASSUME.archiveRetentionMonths) * 1e6,
    `${m.events.bytes} B of events at $${PRICES.archivePerGb}/GB ingested + $${PRICES.archiveStorageGbMonth}/GB-month × ${ASSUME.archiveRetentionMonths} months kept`,
  );
  const queueNames = Object.keys(m.queues);
  const messages = sum(Object.values(m.queues), (n) => n);
  byRate(
    'SQS requests',
    (rate) => sum(queueNames, (q) => m.queues[q]! * (1 + 2 / ASSUME.messagesPerBatch(m.queues[q]! * rate))) * PRICES.sqsPerMillion,
    messages
      ? `${messages} messages (${queueNames.map((q) => `${q} ${m.queues[q]}`).join(', ')}): a send each, a receive and a batch delete per batch of ${rates.map((r) => queueNames.map((q) => ASSUME.messagesPerBatch(m.queues[q]! * r).toFixed(1)).join('/')).join(' (10/s), ')} (100/s) messages`
      : 'no message: nothing inside Tally listens to this receipt (no journey or webhook on receipt.committed, a customer who consented to no channel)',
  );
  // Stream records per receipt (recordsAt): the commit's items, the other background writes, and
  // the report counters' writes of a batch shared by its receipts (the relay reads every record).
  byRate(
    'Lambda: outbox relay',
    (rate) => outboxPerReceipt(rate) * (PRICES.lambdaRequestsPerMillion + perMillion(gbSeconds(outboxMs(rate), ASSUME.backgroundMemoryMb), PRICES.lambdaGbSecond * 1e6)),
    `${recordsAt(10).toFixed(1)} (10/s) – ${recordsAt(100).toFixed(1)} (100/s) stream records per receipt (the commit's ${commitRecords}, the report counters' share); one batch per shard per ${outbox.windowSeconds} s window, at most ${outbox.size} records (${ASSUME.streamShards} shards): ${rates.map((r) => `${outboxBatchAt(r).toFixed(0)} records, ${outboxMs(r).toFixed(0)} ms an invocation, ${outboxPerReceipt(r).toFixed(3)} invocations per receipt at ${r}/s`).join('; ')}; ${ASSUME.outboxMsPerInvocation} ms + ${ASSUME.putEventsMs} ms per PutEvents of ten events + 0.2 ms per record × ${ASSUME.backgroundMemoryMb} MB`,
  );
  const workerInvocations = (rate: number) => sum(queueNames, (q) => m.queues[q]! / ASSUME.messagesPerBatch(m.queues[q]! * rate));
  byRate(
    'Lambda: workers',
    (rate) => workerInvocations(rate) * (PRICES.lambdaRequestsPerMillion + perMillion(gbSeconds(ASSUME.workerMsPerInvocation, ASSUME.backgroundMemoryMb), PRICES.lambdaGbSecond * 1e6)),
    `one invocation per batch: ${workerInvocations(10).toFixed(2)} (10/s) – ${workerInvocations(100).toFixed(2)} (100/s) per receipt, ${ASSUME.workerMsPerInvocation} ms × ${ASSUME.backgroundMemoryMb} MB`,
  );
  // The fold: each store's day moved once a day (its share of a day's receipts), the day's logs read once.
  const foldWrites = (rate: number) => (stores * batchAt(rate).foldUnitsPerStoreDay) / (rate * 86_400);
  const foldReads = (rate: number) => (batchAt(rate).logBytes / batchAt(rate).receipts) * batchAt(rate).foldReadUnitsPerLogByte;
  byRate(
    'DynamoDB: report counters',
    (rate) => perMillion(batchAt(rate).writeUnits / batchAt(rate).receipts + foldWrites(rate), PRICES.dynamoWritePerMillionUnits) + perMillion(foldReads(rate), PRICES.dynamoReadPerMillionUnits),
    `one batch per stream shard per window (${rates.map((r) => `${r}/s: ${batchAt(r).receipts} receipts of ${stores} stores, capped by ${batchAt(r).cappedBy}; ${batchAt(r).transactions} transaction(s) of ${batchAt(r).counterWrites} counter items + a ${batchAt(r).markerBytes} B range marker + ${batchAt(r).logWrites} store log(s) of ${batchAt(r).logBytes} B → ${batchAt(r).writeUnits} write units, ${(batchAt(r).writeUnits / batchAt(r).receipts).toFixed(2)} per receipt`).join('; ')}); the nightly fold moves each of the ${stores} stores' day once (${batchAt(rates[0]!).foldUnitsPerStoreDay.toFixed(1)} write units a store) and reads the day's logs: ${rates.map((r) => `${foldWrites(r).toFixed(4)} write + ${foldReads(r).toFixed(4)} read units per receipt at ${r}/s`).join(', ')}; a lone receipt in a batch of its own: ${wcu(loneReport)} write units (${loneReport.length} items)`,
  );
  byRate(
    'Lambda: report counters',
    (rate) => {
      const b = batchAt(rate);
      const ms = ASSUME.reportsMsPerInvocation + b.cpuMs + b.transactions * ASSUME.transactMs;
      return (PRICES.lambdaRequestsPerMillion + perMillion(gbSeconds(ms, ASSUME.backgroundMemoryMb), PRICES.lambdaGbSecond * 1e6)) / b.receipts;
    },
    `one invocation per batch: ${rates.map((r) => `${(ASSUME.reportsMsPerInvocation + batchAt(r).cpuMs + batchAt(r).transactions * ASSUME.transactMs).toFixed(0)} ms (${batchAt(r).cpuMs.toFixed(0)} ms CPU measured here + ${batchAt(r).transactions} × ${ASSUME.transactMs} ms transactions + ${ASSUME.reportsMsPerInvocation} ms) for ${batchAt(r).receipts} receipts at ${r}/s`).join(', ')}, ${ASSUME.backgroundMemoryMb} MB`,
  );
  byRate(
    'S3: history day files',
    (rate) => PRICES.s3PutPerThousand * 1000 / batchAt(rate).receipts,
    `the report counters put one gzip file per tenant and day per batch (lib/app/history-files.ts): ${rates.map((r) => `1 PUT per ${batchAt(r).receipts} receipts at ${r}/s`).join(', ')}; about 78 B stored per receipt (bench/history.ts), $0.002 a month per million kept`,
  );
  byRate(
    'DynamoDB: other background',
    (rate) => perMillion(wcu(otherBackground), PRICES.dynamoWritePerMillionUnits) + perMillion(rcu(d.background.reads) + ASSUME.listenerRefreshUnitsPerSecond / rate, PRICES.dynamoReadPerMillionUnits),
    `${wcu(otherBackground)} write units${otherBackground.length ? ` (${describeWrites(otherBackground)})` : ''}, ${rcu(d.background.reads)} read units${d.background.reads.length ? ` (${describeReads(d.background.reads)})` : ''}; the relay's listener lookups, ${ASSUME.listenerRefreshUnitsPerSecond} units/s per tenant`,
  );
  flat(
    'Data transfer out (the answer)',
    (((m.answerBytes + ASSUME.answerHeaderBytes) * 1e6) / GB) * PRICES.dataTransferOutPerGb,
    `${m.answerBytes} B of JSON + ~${ASSUME.answerHeaderBytes} B of headers and TLS framing to the till, at $${PRICES.dataTransferOutPerGb}/GB`,
  );

  // X-Ray: each traced function samples on its own.
  byRate(
    'X-Ray traces',
    (rate) => {
      const fns: number[] = [];
      if (ASSUME.traced.pos) fns.push(rate);
      if (ASSUME.traced.authorizer) fns.push(rate * ASSUME.authorizerCallsPerReceipt);
      if (ASSUME.traced.outbox) fns.push(outboxPerReceipt(rate) * rate);
      if (ASSUME.traced.workers) for (const q of queueNames) fns.push((m.queues[q]! * rate) / ASSUME.messagesPerBatch(m.queues[q]! * rate));
      return (sum(fns, tracesPerSecond) / rate) * PRICES.xrayPerMillionTraces;
    },
    `default sampling (1/s + 5 % per function) on the traced functions: ${Object.entries(ASSUME.traced).filter(([, on]) => on).map(([f]) => f).join(', ') || 'none by default (-c tillPathTracing, -c eventPathTracing turn them on)'}`,
  );
  return rows;
}

export function storageRow(m: ReceiptMeasure): { usd: number; from: string } {
  const gb = (m.storedBytes * 1e6) / GB;
  return { usd: gb * (PRICES.dynamoStorageGbMonth + PRICES.dynamoPitrGbMonth), from: `${m.storedBytes} B per receipt (items + 100 B each) at $${PRICES.dynamoStorageGbMonth} + PITR $${PRICES.dynamoPitrGbMonth} per GB-month` };
}

export function costTable(measures: readonly ReceiptMeasure[], timing: Timing, reportBatches: readonly ReportBatch[], outbox: OutboxBatch, rates: readonly number[] = RATES, monthTurn?: MonthTurn): string {
  const five = measures.find((m) => m.lines === 5)!;
  const rows = costRows(five, timing, rates, reportBatches, outbox);
  const totals = rates.map((r) => sum(rows, (row) => row.usd[r]!));
  const manyStores = REPORT_STORES[REPORT_STORES.length - 1]!;
  const totalsMany = rates.map((r) => sum(costRows(five, timing, rates, reportBatches, outbox, manyStores), (row) => row.usd[r]!));
  const storage = storageRow(five);
  const out = [
    `### Cost per million 5-line receipts (${PRICES.region} list prices, on-demand; prod stage settings)`,
    '',
    `| term | ${rates.map((r) => `$ at ${r}/s`).join(' | ')} | from |`,
    `|---|${rates.map(() => '---:').join('|')}|---|`,
    ...rows.map((row) => `| ${row.part} | ${rates.map((r) => row.usd[r]!.toFixed(2)).join(' | ')} | ${row.from} |`),
    `| **total** | ${totals.map((t) => `**${t.toFixed(2)}**`).join(' | ')} | a tenant of ${REPORT_STORES[0]} stores |`,
    `| total, ${manyStores} stores | ${totalsMany.map((t) => t.toFixed(2)).join(' | ')} | the same receipts from ${manyStores} stores: each batch's store figures under one \`*\` row and a store log, folded nightly (${rates.map((r) => { const b = reportBatches.find((x) => x.rate === r && x.stores === manyStores)!; return `${r}/s: ${b.counterWrites} counter items and ${b.logWrites} store log(s) of ${b.logBytes} B for ${b.receipts} receipts, ${(b.writeUnits / b.receipts).toFixed(2)} write units each`; }).join('; ')}) |`,
    `| storage, per month kept | ${rates.map(() => storage.usd.toFixed(2)).join(' | ')} | ${storage.from} (accrues monthly; not in the total) |`,
  ];
  // DynamoDB write per extra 10 lines: the slope between the smallest and largest receipt measured.
  const big = [...measures].sort((a, b) => b.lines - a.lines)[0]!;
  if (big.lines > five.lines) {
    const units = (m: ReceiptMeasure) => sum(m.ddb.pos.writes, (w) => w.units);
    const per10 = ((units(big) - units(five)) / (big.lines - five.lines)) * 10;
    out.push(
      '',
      `DynamoDB write per extra 10 lines: **$${(per10 * PRICES.dynamoWritePerMillionUnits).toFixed(2)} per million** (${per10.toFixed(2)} write units: ${units(five)} at 5 lines, ${units(big)} at ${big.lines}).`,
    );
  }
  // What a receipt that something inside Tally does listen to costs more, per queue it goes to.
  const perQueue = (rate: number) => (1 + 2 / ASSUME.messagesPerBatch(rate)) * PRICES.sqsPerMillion + (PRICES.lambdaRequestsPerMillion + gbSeconds(ASSUME.workerMsPerInvocation, ASSUME.backgroundMemoryMb) * PRICES.lambdaGbSecond * 1e6) / ASSUME.messagesPerBatch(rate);
  out.push(
    '',
    `Each internal queue a receipt's event does go to (the notify queue when its customer can be told, the journey queue when a started journey is triggered by receipt.committed, the webhook queue when an endpoint subscribes to it) adds ${rates.map((r) => `$${perQueue(r).toFixed(2)} at ${r}/s`).join(', ')} (SQS and the worker's share), plus what its worker reads and sends (the notify worker reads the customer's two items: $0.31).`,
  );
  if (monthTurn) {
    // Measured, not in the total: how often it happens is one receipt per customer and month.
    const units = (xs: ReadonlyArray<{ units: number }>) => sum(xs, (x) => x.units);
    const [w5, r5] = [units(five.ddb.pos.writes.filter((w) => !w.what.startsWith('index'))), units(five.ddb.pos.reads)];
    const extra = (units(monthTurn.writes) - w5) * PRICES.dynamoWritePerMillionUnits + (units(monthTurn.reads) - r5) * PRICES.dynamoReadPerMillionUnits;
    const profile = monthTurn.writes.find((w) => w.what === 'customerProfile');
    out.push(
      '',
      `The first receipt of a customer's month also sets the month before on the profile item, one UpdateItem before the commit without reading that item (storage/customers.ts moveMonths; levels over a window of months read both items on every receipt, and a late receipt of an earlier month reads and rewrites the profile item): measured, ${units(monthTurn.writes)} write units (${monthTurn.writes.map((w) => `${w.what} ${w.bytes} B→${w.units}`).join(', ')}) and ${units(monthTurn.reads)} read units (${monthTurn.reads.map((r) => `${r.what}→${r.units}`).join(', ')}) instead of ${w5} and ${r5}${profile ? ` (profile item ${profile.bytes} B)` : ''}, **+$${extra.toFixed(2)} per million such receipts**, once per customer and month (a customer with 4 receipts a month: +$${(extra / 4).toFixed(2)} per million of theirs). Not in the total above.`,
      '',
      `Blended with the month's first receipt (a tenant of ${REPORT_STORES[0]} stores): ${[4, 2].map((n) => `customers with ${n} receipts a month **${rates.map((r, i) => `$${(totals[i]! + extra / n).toFixed(2)} at ${r}/s`).join(', ')}**`).join('; ')}.`,
    );
  }
  out.push('', 'Messages actually sent (SMS, e-mail, push) are priced by their channel and country and are not included; nor are identify or quote calls a till may make before a commit (each another API request and function call).');
  return out.join('\n');
}

/** Bytes per item a commit writes, for the before/after record. */
export function itemTable(measures: readonly ReceiptMeasure[]): string {
  const out = ['| receipt | item | bytes | without histPk/histSk | write units |', '|---|---|---:|---:|---:|'];
  for (const m of measures) {
    for (const w of m.ddb.pos.writes) out.push(`| ${m.lines} lines | ${w.what} | ${w.bytes} | ${w.historyBytes ? w.bytes - w.historyBytes : ''} | ${w.units} |`);
  }
  return out.join('\n');
}

export async function runCostBench(): Promise<string> {
  const { measures, timing, reportBatches, monthTurn, outboxBatch } = await measureReceipts([5, 15, 55]);
  return [costTable(measures, timing, reportBatches, outboxBatch, RATES, monthTurn), '', '#### Items a commit writes', '', itemTable(measures)].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // As in AWS: Powertools' default INFO level, metrics on, a trace id on every line.
  Object.assign(process.env, { POWERTOOLS_LOG_LEVEL: 'ERROR', POWERTOOLS_METRICS_DISABLED: 'false', _X_AMZN_TRACE_ID: 'Root=1-674bb5ee-6f1c2b3a4d5e6f7a8b9c0d1e;Parent=53995c3f42cd8ad8;Sampled=0;Lineage=1:a0b1c2d3:0', AWS_LAMBDA_FUNCTION_NAME: 'tally-prod-pos' });
  console.log(await runCostBench());
  process.exit(0);
}
