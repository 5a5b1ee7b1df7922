/** A Lambda DynamoDB stream record as the outbox's `ChangeRecord` (plain objects, ISO time). */
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { ChangeRecord } from './outbox.ts';

type Image = Parameters<typeof unmarshall>[0];

/** A missing image can come as `{}` (a REMOVE's new image), which `unmarshall` would reject. */
const image = (i: unknown): Record<string, unknown> | undefined => (i && Object.keys(i).length ? unmarshall(i as Image) : undefined);

export const changeFromStreamRecord = (r: DynamoDBRecord): ChangeRecord => ({
  eventName: r.eventName ?? 'MODIFY',
  newImage: image(r.dynamodb?.NewImage),
  oldImage: image(r.dynamodb?.OldImage),
  at: new Date((r.dynamodb?.ApproximateCreationDateTime ?? Date.now() / 1000) * 1000).toISOString(),
});
