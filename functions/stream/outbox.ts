/**
 * The outbox relay: the table's stream in, domain events onto the EventBridge bus. On a failure
 * it reports the first record not fully published; Lambda retries from there, and a record
 * published twice yields the same event ids, which consumers drop.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { requiredEnv } from '#lib/config.ts';
import { envelopeSchema, type DomainEvent } from '#lib/events/catalog.ts';
import { EVENT_BUS_ENV, eventBridgePublisher } from '#lib/events/eventbridge.ts';
import { eventsFromChange } from '#lib/events/outbox.ts';
import { changeFromStreamRecord } from '#lib/events/stream-record.ts';
import { logger } from '#lib/observability/logger.ts';
import { count, flushMetrics } from '#lib/observability/metrics.ts';
import { metricNames } from '#lib/observability/metric-names.ts';
import { listenersOf } from '#lib/app/listeners.ts';
import { deps } from '#lib/app/deps.ts';
import { resourcesFor } from '#lib/events/routing.ts';

let publisher: ReturnType<typeof eventBridgePublisher> | undefined;
const bus = () => (publisher ??= eventBridgePublisher(new EventBridgeClient({ maxAttempts: 3 }), requiredEnv(EVENT_BUS_ENV)));


/** An event outside its published schema would poison every consumer: it is logged (ids only) and held back. */
function valid(e: DomainEvent): boolean {
  const r = envelopeSchema(e.type).safeParse(e);
  if (!r.success) logger.error('outbox: event does not match its schema; not published', { type: e.type, id: e.id, issue: r.error.issues[0]?.message, path: r.error.issues[0]?.path.join('.') });
  return r.success;
}

/**
 * The dashboard's receipt figures, counted here once per batch from the receipts relayed rather
 * than by the till (its metrics line per commit cost more than the receipt's other logs). Summed
 * first: a metric added once per receipt would print one value per receipt.
 */
function countReceipts(events: readonly DomainEvent[]): void {
  const committed = events.flatMap((e) => (e.type === 'receipt.committed' ? [(e as DomainEvent<'receipt.committed'>).data] : []));
  count(metricNames.receiptsCommitted, committed.length);
  count(metricNames.pointsEarned, committed.reduce((s, d) => s + d.pointsEarned, 0));
  count(metricNames.pointsBurned, committed.reduce((s, d) => s + d.pointsBurned, 0));
}

export const handler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  try {
    return await relay(event);
  } finally {
    flushMetrics();
  }
};

async function relay(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const perRecord: Array<{ seq: string; events: DomainEvent[]; item: Record<string, unknown> | undefined }> = event.Records.map((r) => {
    const change = changeFromStreamRecord(r);
    return { seq: r.dynamodb?.SequenceNumber ?? '', events: eventsFromChange(change).filter(valid), item: change.newImage };
  });
  // In stream order, ten to a call; if a call fails, the stream resumes from the record its first
  // event came from (events already on the bus from there on come again, with the same ids).
  const flat = perRecord.flatMap((r, record) => r.events.map((e) => ({ seq: r.seq, record, event: e, item: r.item })));
  for (let i = 0; i < flat.length; i += 10) {
    const chunk = flat.slice(i, i + 10);
    try {
      // Tagged with the internal queues that act on it: the others' rules let it pass (lib/app/listeners.ts).
      const resources = await Promise.all(chunk.map(async (c) => resourcesFor(await listenersOf(deps(), c.event, c.item))));
      await bus().publish(chunk.map((c) => c.event), resources);
    } catch (e) {
      logger.warn('outbox: publishing failed, the stream will retry from this record', { sequenceNumber: chunk[0]!.seq, error: (e as Error).message });
      // Counted are the records before the one the stream retries from: its events and those after come again.
      countReceipts(perRecord.slice(0, chunk[0]!.record).flatMap((r) => r.events));
      return { batchItemFailures: [{ itemIdentifier: chunk[0]!.seq }] };
    }
  }
  const published = perRecord.flatMap((r) => r.events);
  countReceipts(published);
  if (published.length) logger.info('outbox: events published', { records: event.Records.length, events: published.length });
  return { batchItemFailures: [] };
}
