/**
 * One page of a partition (or of the items whose sort key starts with `prefix`): the one way the
 * repositories read a list, always with a limit and a position to continue from, so that no list
 * is read whole and no read stops silently at DynamoDB's 1 MB.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from './client.ts';

export interface PageRequest {
  readonly pk: string;
  /** Only items whose sort key starts with this. */
  readonly prefix?: string;
  readonly limit: number;
  /** The sort key of the last item of the page before. */
  readonly afterSk?: string | undefined;
  /** Newest (highest sort key) first. */
  readonly backwards?: boolean;
}

export async function queryPage(db: Db, q: PageRequest): Promise<{ items: Array<Record<string, unknown>>; nextSk: string | undefined }> {
  const r = await db.doc.send(
    new QueryCommand({
      TableName: db.table,
      KeyConditionExpression: q.prefix === undefined ? 'pk = :pk' : 'pk = :pk AND begins_with(sk, :p)',
      ExpressionAttributeValues: q.prefix === undefined ? { ':pk': q.pk } : { ':pk': q.pk, ':p': q.prefix },
      ...(q.backwards ? { ScanIndexForward: false } : {}),
      Limit: q.limit,
      ...(q.afterSk ? { ExclusiveStartKey: { pk: q.pk, sk: q.afterSk } } : {}),
    }),
  );
  return { items: r.Items ?? [], nextSk: r.LastEvaluatedKey?.sk as string | undefined };
}
