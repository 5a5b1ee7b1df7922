/**
 * The reports consumer: the table's stream in (filtered by the event source mapping to the
 * items reports count), report counters out. The table's second stream reader, beside the
 * outbox relay; each change is counted once however often it comes (lib/app/insight.ts). It also
 * writes the receipts and returns of each batch to the history bucket, for the simulator.
 */
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { db } from '#lib/storage/client.ts';
import { insightRepository } from '#lib/storage/insight.ts';
import { dayInsightRepository } from '#lib/storage/day-insight.ts';
import { recordCouponSends } from '#lib/app/coupon-sends.ts';
import { sharedProgramRepository } from '#lib/storage/programs.ts';
import { CountError, countChanges } from '#lib/app/insight.ts';
import { recordHistory } from '#lib/app/history-files.ts';
import { changeFromStreamRecord } from '#lib/events/stream-record.ts';
import { logger } from '#lib/observability/logger.ts';

/** Only what counting needs (not all of deps(): no customer repository, no lookup key in the bundle). */
let parts: (Parameters<typeof countChanges>[0] & Parameters<typeof recordCouponSends>[0]) | undefined;
const deps = () => (parts ??= { programs: sharedProgramRepository(db()), insight: insightRepository(db()), dayInsight: dayInsightRepository(db()), clock: () => new Date() });

export const handler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  const changes = event.Records.map(changeFromStreamRecord);
  // Coupon sends before counting (lib/app/coupon-sends.ts): if they fail, the whole batch comes again, and the puts repeat harmlessly.
  const unsent = await recordCouponSends(deps(), changes).then(() => null, (e: Error) => e);
  if (unsent) {
    logger.warn('reports: recording coupon sends failed, the stream will retry the batch', { error: unsent.message });
    return { batchItemFailures: [{ itemIdentifier: event.Records[0]?.dynamodb?.SequenceNumber ?? '' }] };
  }
  try {
    // The simulator's history first (lib/app/history-files.ts): if it fails, the whole batch comes again.
    await recordHistory(event.Records, changes);
    const r = await countChanges(deps(), changes);
    logger.debug('reports: changes counted', { records: event.Records.length, counted: r.counted, seen: r.seen });
    return { batchItemFailures: [] };
  } catch (e) {
    const at = e instanceof CountError ? Math.max(0, e.firstUncounted) : 0;
    const seq = event.Records[at]?.dynamodb?.SequenceNumber ?? '';
    logger.warn('reports: counting failed, the stream will retry from this record', { sequenceNumber: seq, error: (e as Error).message });
    return { batchItemFailures: [{ itemIdentifier: seq }] };
  }
};
