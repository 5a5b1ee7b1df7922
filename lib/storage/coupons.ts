/**
 * Coupon codes. Issued in batches with conditional puts; used inside the commit's transaction by
 * a conditional update (unused, and issued to this customer or to nobody); freed again by the
 * return that takes the whole receipt back. Adapter: use cases → this → DynamoDB.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from './client.ts';
import { indexKeys, keys } from './keys.ts';
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

/**
 * An issue's progress record. A segment issue keeps its recipients (at most MAX_SEGMENT_ISSUE
 * ids, about 150 KB) so that a resumed issue goes to the same people.
 */
export interface IssueProgress {
  readonly issueId: string;
  readonly requestHash: string;
  readonly startedAt: string;
  readonly batches: number;
  readonly batchesDone: number;
  readonly customers?: string[];
}

export function couponRepository(db: Db) {
  return {
    async get(tenantId: string, code: string): Promise<CouponRecord | null> {
      const r = await db.doc.send(new GetCommand({ TableName: db.table, Key: keys.coupon(tenantId, code), ConsistentRead: true }));
      if (!r.Item) return null;
      const { pk: _pk, sk: _sk, type: _t, tenantId: _tenant, cpnPk: _cp, cpnSk: _cs, ...rest } = r.Item;
      const { issueId: _i, ...coupon } = rest;
      return coupon as CouponRecord;
    },

    /** Where an issue stands (for a retry to resume or replay it). */
    async issueProgress(tenantId: string, issueId: string): Promise<IssueProgress | null> {
      const r = await db.doc.send(new GetCommand({ TableName: db.table, Key: keys.couponIssue(tenantId, issueId), ConsistentRead: true }));
      return r.Item ? (r.Item as unknown as IssueProgress) : null;
    },

    /**
     * Writes one batch of an issue's codes (each new) and moves the issue's progress record from
     * `batch` to `batch + 1` batches done, in one transaction. 'collision': a code existed;
     * 'raced': another request wrote this batch first.
     */
    async issueBatch(
      tenantId: string,
      b: { issueId: string; requestHash: string; startedAt: string; batch: number; batches: number; coupons: readonly CouponRecord[]; customers: string[] | undefined; extra: TransactItem[] },
    ): Promise<'ok' | 'collision' | 'raced'> {
      const progressKey = keys.couponIssue(tenantId, b.issueId);
      const progress: TransactItem =
        b.batch === 0
          ? {
              Put: {
                TableName: db.table,
                Item: { ...progressKey, type: 'couponIssue', issueId: b.issueId, requestHash: b.requestHash, startedAt: b.startedAt, batches: b.batches, batchesDone: 1, ...(b.customers ? { customers: b.customers } : {}) },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            }
          : {
              Update: {
                TableName: db.table,
                Key: progressKey,
                UpdateExpression: 'SET batchesDone = :next',
                ConditionExpression: 'batchesDone = :done',
                ExpressionAttributeValues: { ':next': b.batch + 1, ':done': b.batch },
              },
            };
      const r = await transactWrite(db, [
        progress,
        ...b.coupons.map((c): TransactItem => ({
          Put: {
            TableName: db.table,
            // A customer's coupon carries the index key that lists it on their page; the key never changes after.
            Item: { ...keys.coupon(tenantId, c.code), type: 'coupon', tenantId, issueId: b.issueId, ...c, ...(c.customerId ? { cpnPk: indexKeys.customerCoupons(tenantId, c.customerId), cpnSk: `${c.issuedAt}#${c.code}` } : {}) },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        })),
        ...b.extra,
      ]);
      if (r.ok) return 'ok';
      return r.reasons[0]?.code === 'ConditionalCheckFailed' ? 'raced' : 'collision';
    },

    /**
     * One page of the codes issued to a customer, newest first: a Query of the sparse `coupons`
     * index (KEYS_ONLY); `afterSk` is the index sort key the page before ended on.
     */
    async codesOf(tenantId: string, customerId: string, limit: number, afterSk?: string): Promise<{ codes: string[]; nextSk: string | undefined }> {
      const cpnPk = indexKeys.customerCoupons(tenantId, customerId);
      const codeOf = (sk: string) => sk.slice(sk.lastIndexOf('#') + 1);
      const r = await db.doc.send(
        new QueryCommand({
          TableName: db.table,
          IndexName: 'coupons',
          KeyConditionExpression: 'cpnPk = :pk',
          ExpressionAttributeValues: { ':pk': cpnPk },
          ScanIndexForward: false,
          Limit: limit,
          ...(afterSk ? { ExclusiveStartKey: { cpnPk, cpnSk: afterSk, ...keys.coupon(tenantId, codeOf(afterSk)) } } : {}),
        }),
      );
      return { codes: (r.Items ?? []).map((i) => codeOf(i.cpnSk as string)), nextSk: r.LastEvaluatedKey?.cpnSk as string | undefined };
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
