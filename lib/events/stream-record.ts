/** A Lambda DynamoDB stream record as the outbox's `ChangeRecord` (plain objects, ISO time). */
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { ChangeRecord } from './outbox.ts';

type Image = Parameters<typeof unmarshall>[0];

/**
 * Lambda's stream event is JSON, so a binary attribute comes base64-encoded (the SDK's GetRecords,
 * which the local runtime uses, decodes it). Top level only: the table keeps binary nowhere else
 * (the packed receipt, storage/receipt-codec.ts).
 */
const withBytes = (i: Record<string, { B?: unknown }>): Image =>
  Object.fromEntries(Object.entries(i).map(([k, v]) => [k, typeof v?.B === 'string' ? { B: Buffer.from(v.B, 'base64') } : v])) as Image;

/** A missing image can come as `{}` (a REMOVE's new image), which `unmarshall` would reject. */
const image = (i: unknown): Record<string, unknown> | undefined => (i && Object.keys(i).length ? unmarshall(withBytes(i as Record<string, { B?: unknown }>)) : undefined);

export const changeFromStreamRecord = (r: DynamoDBRecord): ChangeRecord => ({
  eventName: r.eventName ?? 'MODIFY',
  newImage: image(r.dynamodb?.NewImage),
  oldImage: image(r.dynamodb?.OldImage),
  at: new Date((r.dynamodb?.ApproximateCreationDateTime ?? Date.now() / 1000) * 1000).toISOString(),
});
