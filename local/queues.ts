/**
 * In-process SQS for the local runtime and the tests. It speaks the slice of SQS's JSON protocol
 * the adapters use (SendMessage, SendMessageBatch) on 127.0.0.1, so `lib/messaging/sqs.ts` runs
 * unchanged against it (`AWS_ENDPOINT_URL_SQS`), and delivers to the same Lambda handlers with
 * SQS events and SQS's semantics: at-least-once, batches of up to ten, partial batch failures,
 * a growing delay between receives, and a dead-letter list after `maxReceiveCount` receives.
 * A FIFO queue (`fifo: true`, name ending `.fifo`) also keeps SQS FIFO's promises: a message
 * group's messages go out in order and none while an earlier one of the group is in flight or
 * waiting to be retried, and a deduplication id seen in the last five minutes is dropped.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

interface Message {
  readonly id: string;
  readonly body: string;
  readonly sentAt: number;
  receiveCount: number;
  availableAt: number;
  /** Set by ChangeMessageVisibility while the message is in flight. */
  visibleAt?: number | undefined;
  /** FIFO queues: the message group. */
  readonly groupId?: string | undefined;
}

export interface QueueOptions {
  readonly handler: SqsHandler;
  /** Receives before a message is parked, as the stack's redrive policy says (default 5). */
  readonly maxReceiveCount?: number;
  /** Delay before the first retry; it doubles with each receive (default 200 ms). */
  readonly retryDelayMs?: number;
  readonly batchSize?: number;
  /** Scales the delays a handler asks for with ChangeMessageVisibility (tests shrink seconds to milliseconds). */
  readonly visibilityScale?: number;
  /** SQS FIFO semantics: order and one message in flight per group, deduplication ids. */
  readonly fifo?: boolean;
  /**
   * Retries here wait minutes to hours by design (webhook deliveries): `drain` does not wait for
   * a message that is only waiting for its retry, or a job run by hand would hang on a receiver that is down.
   */
  readonly longRetries?: boolean;
  /** The consumer's timeout, as its Lambda context tells it (default 60 s, the workers' timeout in the stack). */
  readonly timeoutMs?: number;
}

export interface LocalQueue {
  readonly name: string;
  readonly url: string;
  /** Messages parked after their last receive failed, newest last. */
  readonly deadLetters: Array<{ id: string; body: string; receiveCount: number }>;
  readonly stats: { sent: number; delivered: number; failed: number };
  depth(): number;
}

export interface LocalQueues {
  readonly endpoint: string;
  readonly queues: Record<string, LocalQueue>;
  /** Puts a message on a queue directly (a bus rule's target does this locally). */
  enqueue(queue: string, body: string): void;
  /** Resolves when every queue is empty and no handler is running (retries included). */
  drain(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startLocalQueues(definitions: Record<string, QueueOptions>): Promise<LocalQueues> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let closed = false;
  let busy = 0;

  // One batch in flight per queue: a handler module holds per-invocation state (as one Lambda
  // instance does), so batches of the same queue must not overlap in this one process.
  const state = new Map<string, { queue: LocalQueue; options: QueueOptions; messages: Message[]; timer?: NodeJS.Timeout; inFlight?: boolean; dedup: Map<string, number> }>();
  for (const [name, options] of Object.entries(definitions)) {
    const messages: Message[] = [];
    const queue: LocalQueue = {
      name,
      url: `${endpoint}/000000000000/${name}`,
      deadLetters: [],
      stats: { sent: 0, delivered: 0, failed: 0 },
      depth: () => messages.length,
    };
    state.set(queue.url, { queue, options, messages, dedup: new Map() });
  }

  const schedule = (url: string, delay = 0) => {
    const s = state.get(url)!;
    if (closed || s.timer || s.inFlight) return;
    s.timer = setTimeout(() => {
      s.timer = undefined;
      void pump(url);
    }, delay);
  };

  async function pump(url: string): Promise<void> {
    const s = state.get(url)!;
    const now = Date.now();
    const batch = takeBatch(s.messages, now, s.options.batchSize ?? 10);
    if (batch.length === 0) {
      const next = Math.min(...s.messages.map((m) => m.availableAt));
      if (Number.isFinite(next)) schedule(url, Math.max(1, next - now));
      return;
    }
    busy += 1;
    s.inFlight = true;
    // In flight: invisible to other receives until the handler answers.
    for (const m of batch) {
      m.receiveCount += 1;
      m.availableAt = Number.POSITIVE_INFINITY;
    }
    const records = batch.map((m) => record(s.queue, m));
    let failedIds: Set<string>;
    try {
      const r = await s.options.handler({ Records: records }, lambdaContext(s.queue.name, s.options.timeoutMs ?? 60_000));
      failedIds = new Set((r?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    } catch {
      failedIds = new Set(batch.map((m) => m.id));
    }
    const retryDelay = s.options.retryDelayMs ?? 200;
    for (const m of batch) {
      if (!failedIds.has(m.id)) {
        s.messages.splice(s.messages.indexOf(m), 1);
        s.queue.stats.delivered += 1;
        continue;
      }
      s.queue.stats.failed += 1;
      if (m.receiveCount >= (s.options.maxReceiveCount ?? 5)) {
        s.messages.splice(s.messages.indexOf(m), 1);
        s.queue.deadLetters.push({ id: m.id, body: m.body, receiveCount: m.receiveCount });
      } else {
        m.availableAt = m.visibleAt ?? Date.now() + retryDelay * 2 ** (m.receiveCount - 1);
        m.visibleAt = undefined;
      }
    }
    busy -= 1;
    s.inFlight = false;
    if (s.messages.length) schedule(url);
  }

  const enqueueOn = (s: NonNullable<ReturnType<typeof state.get>>, body: string, fifo: { groupId?: string | undefined; dedupId?: string | undefined } = {}) => {
    const m: Message = { id: randomUUID(), body, sentAt: Date.now(), receiveCount: 0, availableAt: Date.now(), groupId: fifo.groupId };
    if (s.options.fifo && fifo.dedupId) {
      // SQS FIFO answers a duplicate within five minutes as sent, and drops it.
      for (const [id, at] of s.dedup) if (at < Date.now() - DEDUP_MS) s.dedup.delete(id);
      if (s.dedup.has(fifo.dedupId)) return m;
      s.dedup.set(fifo.dedupId, Date.now());
    }
    s.messages.push(m);
    s.queue.stats.sent += 1;
    return m;
  };

  server.on('request', (req, res) => {
    void (async () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const input = JSON.parse((await readBody(req)) || '{}') as {
        QueueUrl?: string;
        MessageBody?: string;
        MessageGroupId?: string;
        MessageDeduplicationId?: string;
        Entries?: Array<{ Id: string; MessageBody: string; MessageGroupId?: string; MessageDeduplicationId?: string }>;
      };
      const s = state.get(input.QueueUrl ?? '');
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify(body));
      };
      if (!s) return reply(400, { __type: 'com.amazonaws.sqs#QueueDoesNotExist', message: `no queue ${input.QueueUrl}` });
      const enqueue = (body: string, groupId?: string, dedupId?: string) => {
        if (s.options.fifo && !groupId) throw new Error('MessageGroupId is required on a FIFO queue');
        return enqueueOn(s, body, { groupId, dedupId });
      };
      if (target === 'AmazonSQS.SendMessage') {
        const m = enqueue(input.MessageBody ?? '', input.MessageGroupId, input.MessageDeduplicationId);
        reply(200, { MessageId: m.id, MD5OfMessageBody: md5(m.body) });
      } else if (target === 'AmazonSQS.ChangeMessageVisibility') {
        const { ReceiptHandle, VisibilityTimeout } = input as { ReceiptHandle?: string; VisibilityTimeout?: number };
        const m = s.messages.find((x) => `${x.id}#${x.receiveCount}` === ReceiptHandle);
        if (!m) return reply(400, { __type: 'com.amazonaws.sqs#ReceiptHandleIsInvalid', message: 'no message in flight with this receipt handle' });
        m.visibleAt = Date.now() + (VisibilityTimeout ?? 0) * 1000 * (s.options.visibilityScale ?? 1);
        reply(200, {});
      } else if (target === 'AmazonSQS.SendMessageBatch') {
        const ok = (input.Entries ?? []).map((e) => {
          const m = enqueue(e.MessageBody, e.MessageGroupId, e.MessageDeduplicationId);
          return { Id: e.Id, MessageId: m.id, MD5OfMessageBody: md5(m.body) };
        });
        reply(200, { Successful: ok, Failed: [] });
      } else {
        return reply(400, { __type: 'com.amazonaws.sqs#UnsupportedOperation', message: `${target} is not served locally` });
      }
      schedule(s.queue.url);
    })().catch((e: unknown) => {
      res.writeHead(500);
      res.end(String(e));
    });
  });

  const queues = Object.fromEntries([...state.values()].map((s) => [s.queue.name, s.queue]));
  return {
    endpoint,
    queues,
    enqueue(name, body) {
      const s = [...state.values()].find((x) => x.queue.name === name);
      if (!s) throw new Error(`no local queue ${name}`);
      enqueueOn(s, body);
      schedule(s.queue.url);
    },
    async drain(timeoutMs = 60_000) {
      const until = Date.now() + timeoutMs;
      // A queue with long retries is drained when nothing in it could go out now.
      const pending = (s: NonNullable<ReturnType<typeof state.get>>) => (s.options.longRetries ? takeBatch(s.messages, Date.now(), 1).length > 0 : s.messages.length > 0);
      while ([...state.values()].some(pending) || busy > 0) {
        if (Date.now() > until) throw new Error('local queues did not drain in time');
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    async close() {
      closed = true;
      for (const s of state.values()) clearTimeout(s.timer);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const DEDUP_MS = 5 * 60_000;

/**
 * The next batch: messages available now, in order. In a FIFO queue a message of a group whose
 * earlier message is in flight or waiting for its retry is held back, as SQS does.
 */
function takeBatch(messages: readonly Message[], now: number, size: number): Message[] {
  const batch: Message[] = [];
  const blocked = new Set<string>();
  for (const m of messages) {
    if (batch.length >= size) break;
    if (m.groupId !== undefined && blocked.has(m.groupId)) continue;
    if (m.availableAt > now) {
      if (m.groupId !== undefined) blocked.add(m.groupId);
      continue;
    }
    batch.push(m);
  }
  return batch;
}

function record(queue: LocalQueue, m: Message): SQSRecord {
  return {
    messageId: m.id,
    receiptHandle: `${m.id}#${m.receiveCount}`,
    body: m.body,
    attributes: {
      ApproximateReceiveCount: String(m.receiveCount),
      SentTimestamp: String(m.sentAt),
      SenderId: 'local',
      ApproximateFirstReceiveTimestamp: String(m.sentAt),
      ...(m.groupId !== undefined ? { MessageGroupId: m.groupId } : {}),
    },
    messageAttributes: {},
    md5OfBody: md5(m.body),
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${queue.name}`,
    awsRegion: 'us-east-1',
  };
}

function lambdaContext(name: string, timeoutMs: number): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `local-${name}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:local-${name}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/local-${name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
