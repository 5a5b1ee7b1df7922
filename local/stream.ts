/**
 * Reads the table's stream from DynamoDB Local and hands it to the outbox handler as Lambda's
 * event source mapping would: records in order per shard, batches of up to 100, and on a
 * reported failure the batch resumes from the failed record after a pause.
 */
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand, type _Record } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';

export type StreamHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | void>;

export interface StreamReader {
  /** Records handed over successfully so far. */
  readonly stats: { records: number; batches: number; retries: number };
  /** Records given up on after `maxRetries` (the stack sends these to the outbox's DLQ). */
  readonly failed: DynamoDBRecord[];
  /** Resolves once every record written before the call has been handled. */
  caughtUp(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startStreamReader(opts: {
  client: DynamoDBClient;
  endpoint: string;
  table: string;
  handler: StreamHandler;
  /** Where to begin: everything the stream still holds, or only what comes after now. */
  from?: 'TRIM_HORIZON' | 'LATEST';
  pollMs?: number;
  /** Retries of a failing record before it is set aside, as the stack's `retryAttempts`. */
  maxRetries?: number;
}): Promise<StreamReader> {
  const streams = new DynamoDBStreamsClient({ endpoint: opts.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const table = await opts.client.send(new DescribeTableCommand({ TableName: opts.table }));
  const streamArn = table.Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`table ${opts.table} has no stream`);
  const stats = { records: 0, batches: 0, retries: 0 };
  const failed: DynamoDBRecord[] = [];
  const iterators = new Map<string, string | null>();
  let stopped = false;
  let idle = false;
  let lastPollAt = 0;

  async function refreshShards(): Promise<void> {
    const d = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    for (const shard of d.StreamDescription?.Shards ?? []) {
      if (iterators.has(shard.ShardId!)) continue;
      // Children of a shard we read start at their beginning; the first shards where asked.
      const type = iterators.size === 0 || !shard.ParentShardId ? (opts.from ?? 'TRIM_HORIZON') : 'TRIM_HORIZON';
      const it = await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.ShardId!, ShardIteratorType: type }));
      iterators.set(shard.ShardId!, it.ShardIterator ?? null);
    }
  }

  async function deliver(records: _Record[]): Promise<void> {
    let pending = records.map(toLambdaRecord);
    let attempts = 0;
    while (pending.length && !stopped) {
      stats.batches += 1;
      let failedAt = -1;
      try {
        const r = await opts.handler({ Records: pending });
        const first = r?.batchItemFailures?.[0]?.itemIdentifier;
        if (first !== undefined) failedAt = Math.max(0, pending.findIndex((x) => x.dynamodb?.SequenceNumber === first));
      } catch {
        failedAt = 0;
      }
      if (failedAt === -1) {
        stats.records += pending.length;
        return;
      }
      stats.records += failedAt;
      attempts = failedAt === 0 ? attempts + 1 : 1;
      pending = pending.slice(failedAt);
      if (attempts > (opts.maxRetries ?? 5)) {
        failed.push(pending.shift()!);
        attempts = 0;
        continue;
      }
      stats.retries += 1;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  async function loop(): Promise<void> {
    await refreshShards();
    while (!stopped) {
      let got = 0;
      const started = Date.now();
      for (const [shardId, iterator] of iterators) {
        if (!iterator) continue;
        let r;
        try {
          r = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 100 }));
        } catch (e) {
          // As a Lambda event source mapping does: an iterator past what the shard still holds
          // starts again at the oldest record it has (records already handled come again; consumers
          // count each once).
          if ((e as Error).name !== 'TrimmedDataAccessException') throw e;
          const again = await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }));
          iterators.set(shardId, again.ShardIterator ?? null);
          continue;
        }
        iterators.set(shardId, r.NextShardIterator ?? null);
        if (r.Records?.length) {
          got += r.Records.length;
          await deliver(r.Records);
        }
      }
      if ([...iterators.values()].some((v) => v === null)) await refreshShards();
      idle = got === 0;
      lastPollAt = started;
      if (idle) await new Promise((r) => setTimeout(r, opts.pollMs ?? 100));
    }
  }

  const running = loop().catch((e: unknown) => {
    if (!stopped) console.error('local stream reader stopped:', e);
  });

  return {
    stats,
    failed,
    async caughtUp(timeoutMs = 30_000) {
      const asked = Date.now();
      const until = asked + timeoutMs;
      // A full pass that began after the call and found nothing new means everything before it is handled.
      while (!(idle && lastPollAt > asked)) {
        if (Date.now() > until) throw new Error('stream reader did not catch up in time');
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async stop() {
      stopped = true;
      await running;
      streams.destroy();
    },
  };
}

function toLambdaRecord(r: _Record): DynamoDBRecord {
  return {
    eventID: r.eventID,
    eventName: r.eventName as DynamoDBRecord['eventName'],
    eventVersion: r.eventVersion,
    eventSource: 'aws:dynamodb',
    awsRegion: 'us-east-1',
    dynamodb: {
      ...(repairEmptyMaps(r.dynamodb) as DynamoDBRecord['dynamodb']),
      ApproximateCreationDateTime: r.dynamodb?.ApproximateCreationDateTime ? r.dynamodb.ApproximateCreationDateTime.getTime() / 1000 : Date.now() / 1000,
    },
  };
}

/**
 * Records read from DynamoDB Local's stream through the SDK carry an empty map as `{}` instead
 * of `{ M: {} }` (Lambda's events from AWS do not); put the type back so handlers see what AWS sends.
 */
function repairEmptyMaps(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(repairEmptyMaps);
  if (!value || typeof value !== 'object' || value instanceof Date || value instanceof Uint8Array) return value;
  const entries = Object.entries(value as Record<string, unknown>);
  return Object.fromEntries(
    entries.map(([k, v]) => {
      if (k === 'M' && v && typeof v === 'object') {
        return [k, Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([mk, mv]) => [mk, isEmptyObject(mv) ? { M: {} } : repairEmptyMaps(mv)]))];
      }
      if ((k === 'NewImage' || k === 'OldImage' || k === 'Keys') && v && typeof v === 'object') {
        return [k, Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([ak, av]) => [ak, isEmptyObject(av) ? { M: {} } : repairEmptyMaps(av)]))];
      }
      return [k, repairEmptyMaps(v)];
    }),
  );
}

const isEmptyObject = (v: unknown) => !!v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0;
