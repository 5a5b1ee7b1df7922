/**
 * Items by key, many at once (receipts for the customer export, customers for the name search, a
 * customer's coupons for their page), so it lives apart from the repositories and only the
 * customers, me and pos functions' bundles (and policies) have BatchGetItem
 * (test/infra/permissions.test.ts holds them together). Adapter: lib/app/privacy → this → DynamoDB.
 */
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from './client.ts';

/** 100 keys per BatchGetItem (DynamoDB's limit); unprocessed keys are asked again. */
export async function receiptsByKey(db: Db, receiptKeys: ReadonlyArray<{ pk: string; sk: string }>): Promise<Array<Record<string, unknown>>> {
  const out: Array<Record<string, unknown>> = [];
  for (let i = 0; i < receiptKeys.length; i += 100) {
    let request: Record<string, { Keys: Array<Record<string, unknown>> }> | undefined = { [db.table]: { Keys: receiptKeys.slice(i, i + 100).map((k) => ({ ...k })) } };
    while (request && Object.keys(request).length) {
      const r = await db.doc.send(new BatchGetCommand({ RequestItems: request }));
      out.push(...(r.Responses?.[db.table] ?? []));
      request = r.UnprocessedKeys as typeof request;
    }
  }
  return out;
}
