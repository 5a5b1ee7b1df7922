/**
 * The webhook worker, one Lambda with two SQS sources:
 * - the intake queue (a bus rule's target, EventBridge envelopes): each event becomes one
 *   delivery per subscribed endpoint, put on the delivery queue in the events' order;
 * - the delivery queue (FIFO, one message group per endpoint and customer): one attempt per
 *   message. A delivery to retry is returned to the queue with its own delay (ChangeMessageVisibility,
 *   at most 4.8 hours — SQS allows 12 per receive), and the messages after it in its group are
 *   released unattempted: SQS holds the group back while its first message waits, so nothing
 *   overtakes it. Other groups in the batch go on.
 * Both report partial batch failures; a message whose handling throws (storage down, say) backs
 * off like every other worker's (lib/messaging/worker.ts) and is parked in the queue's DLQ after
 * the redrive policy's receives.
 */
import { ChangeMessageVisibilityCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { Deps } from '../app/deps.ts';
import { acceptEvent, attemptDelivery, deliveryMessageSchema, type DeliveryMessage, type WebhookSender } from '../app/webhooks.ts';
import { busMessageSchema, type DomainEvent } from '../events/catalog.ts';
import type { FifoQueue } from '../messaging/queue.ts';
import { queueUrlOf, retryDelaySeconds } from '../messaging/worker.ts';
import { logger } from '../observability/logger.ts';
import { flushMetrics } from '../observability/metrics.ts';

export interface WebhookWorkerOptions {
  readonly deps: () => Deps;
  readonly queue: () => FifoQueue<DeliveryMessage>;
  readonly send: () => WebhookSender;
  readonly jitter?: () => number;
}

let sqs: SQSClient | undefined;

/** Best effort, like the other workers' back-off: if it fails, the queue's own visibility timeout applies. */
async function setVisibility(r: SQSRecord, seconds: number): Promise<void> {
  try {
    await (sqs ??= new SQSClient({ maxAttempts: 2 })).send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrlOf(r.eventSourceARN), ReceiptHandle: r.receiptHandle, VisibilityTimeout: seconds }));
  } catch (e) {
    logger.warn('could not change the visibility of a webhook message', { messageId: r.messageId, seconds, error: (e as Error).name });
  }
}

const errorBackOff = (r: SQSRecord) => retryDelaySeconds(Number(r.attributes.ApproximateReceiveCount ?? '1'));

function parse<T>(r: SQSRecord, schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: Array<{ message: string }> } } }): T {
  let body: unknown;
  try {
    body = JSON.parse(r.body);
  } catch {
    throw new Error(`webhooks: message ${r.messageId} is not JSON`);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new Error(`webhooks: message ${r.messageId} is not valid: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

/** Events of one batch in their order: by time, then ledger sequence, then as received. */
const order = (a: { e: DomainEvent; i: number }, b: { e: DomainEvent; i: number }) => {
  const seq = (e: DomainEvent) => ('seq' in e.data && typeof e.data.seq === 'number' ? e.data.seq : Number.MAX_SAFE_INTEGER);
  return a.e.occurredAt.localeCompare(b.e.occurredAt) || seq(a.e) - seq(b.e) || a.i - b.i;
};

export function webhookWorker(opts: WebhookWorkerOptions) {
  async function intake(records: SQSRecord[]): Promise<SQSRecord[]> {
    const failed: SQSRecord[] = [];
    const events: Array<{ e: DomainEvent; i: number; r: SQSRecord }> = [];
    records.forEach((r, i) => {
      try {
        events.push({ e: parse(r, busMessageSchema), i, r });
      } catch (e) {
        logger.error('webhook intake: invalid message', { messageId: r.messageId, error: (e as Error).message });
        failed.push(r);
      }
    });
    // A customer's later events wait for an earlier one that failed, so they cannot overtake it.
    const stalled = new Set<string>();
    for (const { e, r } of events.sort(order)) {
      const lane = `${e.tenantId}|${e.customerId ?? ''}`;
      if (stalled.has(lane)) {
        failed.push(r);
        continue;
      }
      try {
        const queued = await acceptEvent(opts.deps(), opts.queue(), e);
        if (queued) logger.info('webhook deliveries queued', { eventId: e.id, type: e.type, tenantId: e.tenantId, deliveries: queued });
      } catch (err) {
        logger.warn('webhook intake failed', { eventId: e.id, messageId: r.messageId, error: (err as Error).name });
        stalled.add(lane);
        failed.push(r);
      }
    }
    await Promise.all(failed.map((r) => setVisibility(r, errorBackOff(r))));
    return failed;
  }

  async function deliveries(records: SQSRecord[]): Promise<SQSRecord[]> {
    const failed: SQSRecord[] = [];
    const released: SQSRecord[] = [];
    const blocked = new Set<string>();
    for (const r of records) {
      const group = r.attributes.MessageGroupId ?? r.messageId;
      if (blocked.has(group)) {
        failed.push(r);
        released.push(r);
        continue;
      }
      let delay: number | undefined;
      try {
        const m = parse(r, deliveryMessageSchema);
        const result = await attemptDelivery(opts.deps(), opts.send(), m, opts.jitter ? { jitter: opts.jitter } : {});
        logger.info('webhook delivery', { tenantId: m.tenantId, webhookId: m.webhookId, deliveryId: m.deliveryId, ...result });
        if (result.result === 'retry') delay = result.delaySeconds;
      } catch (e) {
        logger.warn('webhook delivery failed to run', { messageId: r.messageId, error: (e as Error).name, message: (e as Error).message });
        delay = errorBackOff(r);
      }
      if (delay !== undefined) {
        await setVisibility(r, delay);
        failed.push(r);
        blocked.add(group);
      }
    }
    // Returned unattempted: visible again at once, yet held back by SQS behind their group's first message.
    await Promise.all(released.map((r) => setVisibility(r, 0)));
    return failed;
  }

  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const fifo = event.Records.filter((r) => r.eventSourceARN.endsWith('.fifo'));
    const plain = event.Records.filter((r) => !r.eventSourceARN.endsWith('.fifo'));
    try {
      const failed = [...(plain.length ? await intake(plain) : []), ...(fifo.length ? await deliveries(fifo) : [])];
      return { batchItemFailures: failed.map((r) => ({ itemIdentifier: r.messageId })) };
    } finally {
      flushMetrics();
    }
  };
}
