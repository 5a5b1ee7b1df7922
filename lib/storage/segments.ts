/**
 * Segment definitions (keys.ts: `T#{t}` / `SEGDEF#{s}`), next to a counter that bounds how many a
 * tenant has. Membership is not here: it stays where segments always lived, on the customer item
 * and the `T#{t}#SEG#{s}` items (customers.ts). Adapter: lib/app/segments → this → DynamoDB.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { SegmentDefinition } from '#domain/segments.ts';
import type { Db } from './client.ts';
import { perProcess } from './per-process.ts';
import { keys } from './keys.ts';
import { queryPage } from './page.ts';
import { transactWrite, type TransactItem } from './transact.ts';

export interface SegmentRecord extends SegmentDefinition {
  readonly segmentId: string;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly updatedAt: string;
  /** Bumped by every change, so a change made from a stale read is refused. */
  readonly version: number;
}

const strip = (i: Record<string, unknown>): SegmentRecord => {
  const { pk: _pk, sk: _sk, type: _t, tenantId: _tenant, ...rest } = i;
  return rest as unknown as SegmentRecord;
};

export function segmentRepository(db: Db) {
  /** Definitions per tenant, cached briefly: every event about a customer asks, and definitions change rarely. */
  const cache = new Map<string, { at: number; segments: SegmentRecord[] }>();

  const put = (tenantId: string, s: SegmentRecord, condition: string, values: Record<string, unknown> = {}): TransactItem => ({
    Put: {
      TableName: db.table,
      Item: { ...keys.segmentDefinition(tenantId, s.segmentId), type: 'segmentDefinition', tenantId, ...s },
      ConditionExpression: condition,
      ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
    },
  });

  return {
    /** Creates the definition, counted against the tenant's maximum, with `audit`, in one transaction. */
    async create(tenantId: string, s: SegmentRecord, max: number, audit: TransactItem): Promise<'created' | 'limit' | 'exists'> {
      const r = await transactWrite(db, [
        {
          Update: {
            TableName: db.table,
            Key: keys.segmentDefinitionCount(tenantId),
            UpdateExpression: 'ADD #n :one',
            ConditionExpression: 'attribute_not_exists(#n) OR #n < :max',
            ExpressionAttributeNames: { '#n': 'count' },
            ExpressionAttributeValues: { ':one': 1, ':max': max },
          },
        },
        put(tenantId, s, 'attribute_not_exists(pk)'),
        audit,
      ]);
      cache.delete(tenantId);
      if (r.ok) return 'created';
      if (r.reasons[1]?.code === 'ConditionalCheckFailed') return 'exists';
      if (r.reasons[0]?.code === 'ConditionalCheckFailed') return 'limit';
      throw new Error(`segment create lost a race: ${r.reasons.map((x) => x.code).join(',')}`);
    },

    /** How many definitions the tenant has, and when one was last deleted (the nightly job's "anything to do?"). */
    async status(tenantId: string): Promise<{ count: number; lastRemovedAt: string | null }> {
      const r = await db.doc.send(new GetCommand({ TableName: db.table, Key: keys.segmentDefinitionCount(tenantId) }));
      return { count: (r.Item?.count as number | undefined) ?? 0, lastRemovedAt: (r.Item?.lastRemovedAt as string | undefined) ?? null };
    },

    async get(tenantId: string, segmentId: string): Promise<SegmentRecord | null> {
      const r = await db.doc.send(new GetCommand({ TableName: db.table, Key: keys.segmentDefinition(tenantId, segmentId), ConsistentRead: true }));
      return r.Item ? strip(r.Item) : null;
    },

    /** Every definition of the tenant: at most the tenant's maximum, so one page of `max`. */
    async all(tenantId: string, max: number): Promise<SegmentRecord[]> {
      const k = keys.segmentDefinition(tenantId, '');
      const page = await queryPage(db, { pk: k.pk, prefix: k.sk, limit: max });
      return page.items.map(strip);
    },

    /** The same, cached for `maxAgeMs`: a new or changed definition reaches this process within it. */
    async defined(tenantId: string, max: number, maxAgeMs = 30_000): Promise<SegmentRecord[]> {
      const hit = cache.get(tenantId);
      if (hit && Date.now() - hit.at < maxAgeMs) return hit.segments;
      const segments = await this.all(tenantId, max);
      if (cache.size > 10_000) cache.clear();
      cache.set(tenantId, { at: Date.now(), segments });
      return segments;
    },

    /** Replaces the definition if it is still at `before.version`, with `audit`; false if it changed or went. */
    async update(tenantId: string, before: SegmentRecord, after: SegmentRecord, audit: TransactItem): Promise<boolean> {
      const r = await transactWrite(db, [put(tenantId, after, 'version = :v', { ':v': before.version }), audit]);
      cache.delete(tenantId);
      return r.ok;
    },

    /** Deletes the definition if it is still at `before.version`, frees its place under the maximum, with `audit`. */
    async remove(tenantId: string, before: SegmentRecord, at: string, audit: TransactItem): Promise<boolean> {
      const r = await transactWrite(db, [
        { Delete: { TableName: db.table, Key: keys.segmentDefinition(tenantId, before.segmentId), ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': before.version } } },
        // When the last one went, the nightly job still has members to take out of it.
        {
          Update: {
            TableName: db.table,
            Key: keys.segmentDefinitionCount(tenantId),
            UpdateExpression: 'ADD #n :minus SET #r = :at',
            ExpressionAttributeNames: { '#n': 'count', '#r': 'lastRemovedAt' },
            ExpressionAttributeValues: { ':minus': -1, ':at': at },
          },
        },
        audit,
      ]);
      cache.delete(tenantId);
      return r.ok;
    },
  };
}

export type SegmentRepository = ReturnType<typeof segmentRepository>;

/** The segment repository deps() and the route function share: a definition created, changed or deleted here clears the cached definitions the accounts path and nightly job read. */
export const sharedSegmentRepository = perProcess(segmentRepository);
