/**
 * Receipts and returns. The receipt item is the idempotency record for (store, receiptId): it is
 * written with `attribute_not_exists` in the commit's transaction and keeps the first answer,
 * byte for byte, and the per-line allocation that returns need.
 * Adapter: use cases → this → DynamoDB.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { CommittedReceipt } from '#domain/returns.ts';
import type { Db } from './client.ts';
import { keys } from './keys.ts';
import type { TransactItem } from './transact.ts';

export interface ReceiptRecord {
  readonly tenantId: string;
  readonly storeId: string;
  readonly receiptId: string;
  readonly customerId: string;
  readonly requestHash: string;
  /** The first answer, as sent. */
  readonly response: string;
  readonly committedAt: string;
  readonly occurredAt: string;
  readonly programVersion: number;
  readonly receipt: CommittedReceipt;
  readonly version: number;
}

export interface ReturnRecord {
  readonly tenantId: string;
  readonly storeId: string;
  readonly returnId: string;
  readonly receiptStoreId: string;
  readonly receiptId: string;
  readonly customerId: string;
  readonly requestHash: string;
  readonly response: string;
  readonly at: string;
}

const strip = <T>(item: Record<string, unknown>): T => {
  const { pk: _pk, sk: _sk, type: _t, ...rest } = item;
  return rest as T;
};

export function receiptRepository(db: Db) {
  return {
    async get(tenantId: string, storeId: string, receiptId: string): Promise<ReceiptRecord | null> {
      const r = await db.doc.send(
        new GetCommand({ TableName: db.table, Key: keys.receipt(tenantId, storeId, receiptId), ConsistentRead: true }),
      );
      return r.Item ? strip<ReceiptRecord>(r.Item) : null;
    },

    async getReturn(tenantId: string, storeId: string, returnId: string): Promise<ReturnRecord | null> {
      const r = await db.doc.send(
        new GetCommand({ TableName: db.table, Key: keys.return(tenantId, storeId, returnId), ConsistentRead: true }),
      );
      return r.Item ? strip<ReturnRecord>(r.Item) : null;
    },

    /** First item of a commit: fails (returning the stored receipt) if the id was used before. */
    createItem(record: ReceiptRecord): TransactItem {
      return {
        Put: {
          TableName: db.table,
          Item: { ...keys.receipt(record.tenantId, record.storeId, record.receiptId), type: 'receipt', ...record },
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      };
    },

    /** Saves what a return changed on the receipt, if nobody else changed it meanwhile. */
    updateItem(prev: ReceiptRecord, receipt: CommittedReceipt): TransactItem {
      return {
        Put: {
          TableName: db.table,
          Item: {
            ...keys.receipt(prev.tenantId, prev.storeId, prev.receiptId),
            type: 'receipt',
            ...prev,
            receipt,
            version: prev.version + 1,
          },
          ConditionExpression: '#v = :v',
          ExpressionAttributeNames: { '#v': 'version' },
          ExpressionAttributeValues: { ':v': prev.version },
        },
      };
    },

    createReturnItem(record: ReturnRecord): TransactItem {
      return {
        Put: {
          TableName: db.table,
          Item: { ...keys.return(record.tenantId, record.storeId, record.returnId), type: 'return', ...record },
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      };
    },

    fromItem: <T extends ReceiptRecord | ReturnRecord>(item: Record<string, unknown>): T => strip<T>(item),
  };
}

export type ReceiptRepository = ReturnType<typeof receiptRepository>;
