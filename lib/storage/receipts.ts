/**
 * Receipts and returns. The receipt item is the idempotency record for (store, receiptId): it is
 * written with `attribute_not_exists` in the commit's transaction and keeps the first answer,
 * byte for byte, and the per-line allocation that returns need (and change), both packed into one
 * compressed attribute (receipt-codec.ts: a 500-line receipt packs into tens of KB, far inside
 * 400 KB). Receipts written before packing are read and changed in the layout they have: the
 * answer on the receipt item with the allocation in a second item of the same partition
 * (`split`), or both plain on the receipt item (`inline`, the first layout). One Query reads any.
 * Readers get the same records whatever the layout.
 * Adapter: use cases → this → DynamoDB.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { CommittedReceipt } from '#domain/returns.ts';
import type { ReplayEvent } from '#domain/simulation.ts';
import type { Db } from './client.ts';
import { keys } from './keys.ts';
import type { TransactItem } from './transact.ts';
import { packReceipt, unpackReceipt } from './receipt-codec.ts';

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
  /** False when nobody would be told of the receipt (lib/app/listeners.ts); absent otherwise. */
  readonly notifies?: false | undefined;
  /** How the item keeps it (see above); a new record is packed. */
  readonly layout?: 'packed' | 'split' | 'inline' | undefined;
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
  /**
   * What came back, for the history (the nightly insight job takes it off the SKU, category and
   * campaign figures without reading the receipt): when the receipt was made, and per line its
   * SKU, category and the share of its amount returned. Absent on returns from before it was kept.
   */
  readonly goods?: ReturnedGoods | undefined;
}

export interface ReturnedGoods {
  readonly receiptOccurredAt: string;
  /** One per line of the answer, in its order (no line id: it would add up to 32 KB to a 500-line return). */
  readonly lines: ReadonlyArray<{ readonly sku?: string | undefined; readonly category?: string | undefined; readonly amountBack: number }>;
}

/** Keys and type off; also the history index's keys items written before history moved to S3 still carry (storage/history.ts). */
const strip = <T>(item: Record<string, unknown>): T => {
  const { pk: _pk, sk: _sk, type: _t, histPk: _hp, histSk: _hs, ...rest } = item;
  return rest as T;
};

/** A receipt item as its record: a packed one unpacked, a plain one as it is. */
const receiptOf = (item: Record<string, unknown>): ReceiptRecord => {
  const { packed, ...rest } = strip<Record<string, unknown>>(item);
  return packed instanceof Uint8Array ? ({ ...rest, ...unpackReceipt(packed), layout: 'packed' } as ReceiptRecord) : ({ ...rest, layout: 'inline' } as ReceiptRecord);
};

/**
 * A receipt or return item (as the table's stream carries it) as the simulator replays it, `at`
 * being when the till committed it; null for receipts committed before their lines kept SKU and
 * category (they cannot be priced again). The history files keep these (storage/history.ts).
 */
export function replayEventOf(item: Record<string, unknown>): ReplayEvent | null {
  if (item.type === 'return') {
    const r = strip<ReturnRecord>(item);
    const at = new Date(r.at);
    const answer = JSON.parse(r.response) as { lines: Array<{ lineId: string; quantity?: number; amount?: number }> };
    return {
      type: 'return',
      customerId: r.customerId,
      storeId: r.storeId,
      returnId: r.returnId,
      receiptId: r.receiptId,
      receiptStoreId: r.receiptStoreId,
      at,
      ...(r.goods ? { receiptOccurredAt: new Date(r.goods.receiptOccurredAt) } : {}),
      lines: answer.lines.map((l, i) => {
        const g = r.goods?.lines[i];
        // A refund by amount comes back as money, not units (no quantity in its answer).
        const back = l.amount !== undefined ? { quantityMilli: 0, amount: l.amount } : { quantityMilli: Math.round((l.quantity ?? 0) * 1000) };
        return { lineId: l.lineId, ...back, ...(g ? { sku: g.sku, category: g.category, amountBack: g.amountBack } : {}) };
      }),
    };
  }
  const record = receiptOf(item);
  const at = new Date(record.committedAt);
  const receipt = record.receipt;
  if (receipt.lines.some((l) => l.sku === undefined || l.category === undefined)) return null;
  return {
    type: 'receipt',
    customerId: record.customerId,
    storeId: record.storeId,
    receiptId: record.receiptId,
    occurredAt: new Date(record.occurredAt),
    at,
    lines: receipt.lines.map((l) => ({ lineId: l.lineId, sku: l.sku!, category: l.category!, quantityMilli: l.quantityMilli, unitPrice: 0, amount: l.amount })),
    burnPoints: receipt.lines.reduce((n, l) => n + l.pointsBurned, 0),
    coupons: (receipt.coupons ?? []).map((c) => c.code),
  };
}

export function receiptRepository(db: Db) {
  const packedItem = (r: ReceiptRecord, receipt: CommittedReceipt, version: number) => {
    const { receipt: _r, response, layout: _l, ...rest } = r;
    return { ...keys.receipt(r.tenantId, r.storeId, r.receiptId), type: 'receipt', ...rest, version, packed: packReceipt({ response, receipt }) };
  };

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
      const record = receiptOf(answer);
      return allocation
        ? { ...record, receipt: allocation.receipt as CommittedReceipt, version: allocation.version as number, layout: 'split' }
        : record;
    },

    async getReturn(tenantId: string, storeId: string, returnId: string): Promise<ReturnRecord | null> {
      const r = await db.doc.send(
        new GetCommand({ TableName: db.table, Key: keys.return(tenantId, storeId, returnId), ConsistentRead: true }),
      );
      return r.Item ? strip<ReturnRecord>(r.Item) : null;
    },

    /**
     * The first items of a commit: the receipt, packed (it fails, returning the stored one, if
     * the id was used before).
     */
    createItems(record: ReceiptRecord): TransactItem[] {
      return [
        {
          Put: {
            TableName: db.table,
            Item: packedItem(record, record.receipt, record.version),
            ConditionExpression: 'attribute_not_exists(pk)',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
      ];
    },

    /** Saves what a return changed on the receipt's allocation, where the layout keeps it, if nobody else changed it meanwhile. */
    updateItem(prev: ReceiptRecord, receipt: CommittedReceipt): TransactItem {
      const { layout, ...record } = prev;
      const ids = { tenantId: prev.tenantId, storeId: prev.storeId, receiptId: prev.receiptId, customerId: prev.customerId };
      const version = prev.version + 1;
      return {
        Put: {
          TableName: db.table,
          Item:
            layout === 'split'
              ? { ...keys.receiptAllocation(prev.tenantId, prev.storeId, prev.receiptId), type: 'receiptAllocation', ...ids, receipt, version }
              : layout === 'inline'
                ? { ...keys.receipt(prev.tenantId, prev.storeId, prev.receiptId), type: 'receipt', ...record, receipt, version }
                : packedItem(prev, receipt, version),
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
          },
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      };
    },

    fromItem: <T extends StoredAnswer | ReturnRecord>(item: Record<string, unknown>): T => (item.type === 'receipt' ? (receiptOf(item) as unknown as T) : strip<T>(item)),
  };
}

export type ReceiptRepository = ReturnType<typeof receiptRepository>;
