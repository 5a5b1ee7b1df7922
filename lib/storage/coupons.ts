/**
 * Coupon codes. Issued in batches with conditional puts; used inside the commit's transaction by
 * a conditional update (unused, and issued to this customer or to nobody); freed again by the
 * return that takes the whole receipt back. Adapter: use cases → this → DynamoDB.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from './client.ts';
import { keys } from './keys.ts';
import { transactWrite, type TransactItem } from './transact.ts';

export interface CouponRecord {
  readonly code: string;
  readonly campaignId: string;
  /** Issued to one customer, or usable by anyone who holds the code. */
  readonly customerId?: string | undefined;
  readonly status: 'issued' | 'used';
  readonly issuedAt: string;
  readonly issuedBy: string;
  readonly usedBy?: { readonly customerId: string; readonly storeId: string; readonly receiptId: string; readonly at: string } | undefined;
}

export function couponRepository(db: Db) {
  return {
    async get(tenantId: string, code: string): Promise<CouponRecord | null> {
      const r = await db.doc.send(new GetCommand({ TableName: db.table, Key: keys.coupon(tenantId, code), ConsistentRead: true }));
      if (!r.Item) return null;
      const { pk: _pk, sk: _sk, type: _t, tenantId: _tenant, ...rest } = r.Item;
      return rest as CouponRecord;
    },

    /** Writes new codes, 100 to a transaction; false if a code already existed (draw again). */
    async issue(tenantId: string, coupons: readonly CouponRecord[]): Promise<boolean> {
      for (let i = 0; i < coupons.length; i += 100) {
        const r = await transactWrite(
          db,
          coupons.slice(i, i + 100).map((c) => ({
            Put: {
              TableName: db.table,
              Item: { ...keys.coupon(tenantId, c.code), type: 'coupon', tenantId, ...c },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          })),
        );
        if (!r.ok) return false;
      }
      return true;
    },

    useItem(tenantId: string, code: string, usedBy: NonNullable<CouponRecord['usedBy']>): TransactItem {
      return {
        Update: {
          TableName: db.table,
          Key: keys.coupon(tenantId, code),
          UpdateExpression: 'SET #s = :used, usedBy = :by',
          ConditionExpression: '#s = :issued AND (attribute_not_exists(customerId) OR customerId = :c)',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':used': 'used', ':issued': 'issued', ':by': usedBy, ':c': usedBy.customerId },
        },
      };
    },

    restoreItem(tenantId: string, code: string, receiptId: string): TransactItem {
      return {
        Update: {
          TableName: db.table,
          Key: keys.coupon(tenantId, code),
          UpdateExpression: 'SET #s = :issued REMOVE usedBy',
          ConditionExpression: 'usedBy.receiptId = :r',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':issued': 'issued', ':r': receiptId },
        },
      };
    },
  };
}

export type CouponRepository = ReturnType<typeof couponRepository>;
