/**
 * Receipts and returns. The receipt item is the idempotency record for (store, receiptId): it is
 * written with `attribute_not_exists` in the commit's transaction and keeps the first answer,
 * byte for byte. The per-line allocation that returns need (and that they change) is a second
 * item in the same partition, written in the same transaction: a 500-line receipt's answer and
 * its allocation would not fit one 400 KB item together. One Query reads both. Receipts
 * committed before the split keep their allocation on the receipt item, and are read and
 * changed there.
 * Adapter: use cases → this → DynamoDB.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { CommittedReceipt } from '#domain/returns.ts';
import type { ReplayEvent } from '#domain/simulation.ts';
import type { Db } from './client.ts';
import { HISTORY_SHARDS, indexKeys, keys, shardOf } from './keys.ts';
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
  /** Whether the allocation is kept in its own item (every receipt since the split). */
  readonly allocationItem?: boolean | undefined;
}

/** What a receipt's idempotency record says: enough to replay its first answer. */
export type StoredAnswer = Pick<ReceiptRecord, 'requestHash' | 'response'>;

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

/**
 * The history index's keys on a receipt's allocation item (and when the till's receipt
 * happened): the simulator finds a period's receipts by them and replays them from that item.
 */
function historyOf(r: Pick<ReceiptRecord, 'tenantId' | 'customerId' | 'committedAt' | 'occurredAt' | 'storeId' | 'receiptId'>) {
  return {
    occurredAt: r.occurredAt,
    histPk: indexKeys.history(r.tenantId, r.committedAt.slice(0, 10), shardOf(r.customerId, HISTORY_SHARDS)),
    histSk: indexKeys.historySk(r.committedAt, 'R', r.storeId, r.receiptId),
  };
}

/**
 * A history index entry's item (a receipt's allocation, or a return) as the simulator replays
 * it; null for receipts committed before their lines kept SKU and category (they cannot be
 * priced again).
 */
export function replayEventOf(item: Record<string, unknown>): ReplayEvent | null {
  const at = new Date(String(item.histSk).split('#')[0]!);
  if (item.type === 'return') {
    const r = strip<ReturnRecord>(item);
    const answer = JSON.parse(r.response) as { lines: Array<{ lineId: string; quantity: number }> };
    return {
      type: 'return',
      customerId: r.customerId,
      storeId: r.storeId,
      returnId: r.returnId,
      receiptId: r.receiptId,
      receiptStoreId: r.receiptStoreId,
      at,
      lines: answer.lines.map((l) => ({ lineId: l.lineId, quantityMilli: Math.round(l.quantity * 1000) })),
    };
  }
  const receipt = item.receipt as CommittedReceipt;
  if (receipt.lines.some((l) => l.sku === undefined || l.category === undefined)) return null;
  return {
    type: 'receipt',
    customerId: String(item.customerId),
    storeId: String(item.storeId),
    receiptId: String(item.receiptId),
    occurredAt: new Date(String(item.occurredAt)),
    at,
    lines: receipt.lines.map((l) => ({ lineId: l.lineId, sku: l.sku!, category: l.category!, quantityMilli: l.quantityMilli, unitPrice: 0, amount: l.amount })),
    burnPoints: receipt.lines.reduce((n, l) => n + l.pointsBurned, 0),
    coupons: (receipt.coupons ?? []).map((c) => c.code),
  };
}

export function receiptRepository(db: Db) {
  return {
    /** The receipt with its allocation: one Query of the receipt's partition (the answer and the allocation item). */
    async get(tenantId: string, storeId: string, receiptId: string): Promise<ReceiptRecord | null> {
      const r = await db.doc.send(
        new QueryCommand({
          TableName: db.table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.receipt(tenantId, storeId, receiptId).pk },
          ConsistentRead: true,
          Limit: 2,
        }),
      );
      const answer = r.Items?.find((i) => i.sk === keys.receipt(tenantId, storeId, receiptId).sk);
      if (!answer) return null;
      const allocation = r.Items?.find((i) => i.sk === keys.receiptAllocation(tenantId, storeId, receiptId).sk);
      const record = strip<ReceiptRecord>(answer);
      return allocation
        ? { ...record, receipt: allocation.receipt as CommittedReceipt, version: allocation.version as number, allocationItem: true }
        : record;
    },

    async getReturn(tenantId: string, storeId: string, returnId: string): Promise<ReturnRecord | null> {
      const r = await db.doc.send(
        new GetCommand({ TableName: db.table, Key: keys.return(tenantId, storeId, returnId), ConsistentRead: true }),
      );
      return r.Item ? strip<ReturnRecord>(r.Item) : null;
    },

    /**
     * The first items of a commit: the receipt (the answer; it fails, returning the stored one,
     * if the id was used before) and its allocation.
     */
    createItems(record: ReceiptRecord): TransactItem[] {
      const { receipt, version, allocationItem: _a, ...answer } = record;
      const ids = { tenantId: record.tenantId, storeId: record.storeId, receiptId: record.receiptId, customerId: record.customerId, ...historyOf(record) };
      return [
        {
          Put: {
            TableName: db.table,
            Item: { ...keys.receipt(record.tenantId, record.storeId, record.receiptId), type: 'receipt', ...answer },
            ConditionExpression: 'attribute_not_exists(pk)',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
        {
          Put: {
            TableName: db.table,
            Item: { ...keys.receiptAllocation(record.tenantId, record.storeId, record.receiptId), type: 'receiptAllocation', ...ids, receipt, version },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      ];
    },

    /** Saves what a return changed on the receipt's allocation, if nobody else changed it meanwhile. */
    updateItem(prev: ReceiptRecord, receipt: CommittedReceipt): TransactItem {
      const { allocationItem, ...record } = prev;
      const ids = { tenantId: prev.tenantId, storeId: prev.storeId, receiptId: prev.receiptId, customerId: prev.customerId, ...historyOf(prev) };
      return {
        Put: {
          TableName: db.table,
          Item: allocationItem
            ? { ...keys.receiptAllocation(prev.tenantId, prev.storeId, prev.receiptId), type: 'receiptAllocation', ...ids, receipt, version: prev.version + 1 }
            : { ...keys.receipt(prev.tenantId, prev.storeId, prev.receiptId), type: 'receipt', ...record, receipt, version: prev.version + 1 },
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
          Item: {
            ...keys.return(record.tenantId, record.storeId, record.returnId),
            type: 'return',
            ...record,
            histPk: indexKeys.history(record.tenantId, record.at.slice(0, 10), shardOf(record.customerId, HISTORY_SHARDS)),
            histSk: indexKeys.historySk(record.at, 'X', record.storeId, record.returnId),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      };
    },

    fromItem: <T extends StoredAnswer | ReturnRecord>(item: Record<string, unknown>): T => strip<T>(item),
  };
}

export type ReceiptRepository = ReturnType<typeof receiptRepository>;
