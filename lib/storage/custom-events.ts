/**
 * Custom events: one item per (customer, eventId) in the customer's partition, written with
 * `attribute_not_exists` in the transaction that credits the event's points — the idempotency
 * record (it keeps the first answer) and, through the table's stream, the `customer.event`
 * catalog event. Adapter: use cases → this → DynamoDB.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from './client.ts';
import { keys } from './keys.ts';
import type { TransactItem } from './transact.ts';

export interface CustomEventRecord {
  readonly tenantId: string;
  readonly customerId: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly attributes: Readonly<Record<string, string | number | boolean>>;
  readonly storeId?: string | undefined;
  readonly occurredAt: string;
  readonly points: number;
  readonly at: string;
  readonly by: string;
  readonly requestHash: string;
  /** The first answer, as sent. */
  readonly response: string;
}

export function customEventRepository(db: Db) {
  return {
    async get(tenantId: string, customerId: string, eventId: string): Promise<CustomEventRecord | null> {
      const r = await db.doc.send(new GetCommand({ TableName: db.table, Key: keys.customEvent(tenantId, customerId, eventId), ConsistentRead: true }));
      return r.Item ? (r.Item as unknown as CustomEventRecord) : null;
    },

    /** The first item of the event's transaction; it fails, returning the stored event, if the id was used before. */
    createItem(record: CustomEventRecord): TransactItem {
      return {
        Put: {
          TableName: db.table,
          Item: { ...keys.customEvent(record.tenantId, record.customerId, record.eventId), type: 'customEvent', ...record },
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      };
    },
  };
}

export type CustomEventRepository = ReturnType<typeof customEventRepository>;
