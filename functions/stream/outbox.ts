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

export const handler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  const perRecord: Array<{ seq: string; events: DomainEvent[]; item: Record<string, unknown> | undefined }> = event.Records.map((r) => {
    const change = changeFromStreamRecord(r);
    return { seq: r.dynamodb?.SequenceNumber ?? '', events: eventsFromChange(change).filter(valid), item: change.newImage };
  });
  // In stream order, ten to a call; if a call fails, the stream resumes from the record its first
  // event came from (events already on the bus from there on come again, with the same ids).
  const flat = perRecord.flatMap((r) => r.events.map((e) => ({ seq: r.seq, event: e, item: r.item })));
  for (let i = 0; i < flat.length; i += 10) {
    const chunk = flat.slice(i, i + 10);
    try {
      // Tagged with the internal queues that act on it: the others' rules let it pass (lib/app/listeners.ts).
      const resources = await Promise.all(chunk.map(async (c) => resourcesFor(await listenersOf(deps(), c.event, c.item))));
      await bus().publish(chunk.map((c) => c.event), resources);
    } catch (e) {
      logger.warn('outbox: publishing failed, the stream will retry from this record', { sequenceNumber: chunk[0]!.seq, error: (e as Error).message });
      return { batchItemFailures: [{ itemIdentifier: chunk[0]!.seq }] };
    }
  }
  const published = perRecord.reduce((s, r) => s + r.events.length, 0);
  if (published) logger.info('outbox: events published', { records: event.Records.length, events: published });
  return { batchItemFailures: [] };
};
