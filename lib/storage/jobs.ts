/**
 * What the background jobs read and mark: the tenant list, the sparse birthday and expiry
 * indexes (Query only, never Scan: a job's reads grow with what is due, not with the table), and
 * the once-a-day fan-out markers. Adapter: lib/app/jobs → this → DynamoDB.
 */
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { Db } from './client.ts';
import { indexKeys, keys, SHARDS } from './keys.ts';
import { tableDefinition, ttlAfter } from './table.ts';

export interface TenantEntry {
  readonly tenantId: string;
  readonly timeZone: string;
}

/** Read units the queries consumed, for the job's log line and the benchmark. */
export interface ReadMeter {
  queries: number;
  capacity: number;
}

export function jobRepository(db: Db) {
  async function putOnce(item: Record<string, unknown> & { pk: string; sk: string }): Promise<boolean> {
    try {
      await db.doc.send(new PutCommand({ TableName: db.table, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }));
      return true;
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return false;
      throw e;
    }
  }

  async function* queryPages(input: ConstructorParameters<typeof QueryCommand>[0], meter?: ReadMeter) {
    let start: Record<string, unknown> | undefined;
    do {
      const r = await db.doc.send(
        new QueryCommand({ ...input, ExclusiveStartKey: start, ReturnConsumedCapacity: 'TOTAL' }),
      );
      if (meter) {
        meter.queries += 1;
        meter.capacity += r.ConsumedCapacity?.CapacityUnits ?? 0;
      }
      yield r.Items ?? [];
      start = r.LastEvaluatedKey;
    } while (start);
  }

  /**
   * Customer ids from one sparse index, shard by shard, a page at a time. Sort keys are either the
   * customer id or `{when}#{customerId}`; `below` and `prefix` bound the `when` (for `below`, '~'
   * sorts after '#' and every id character, so `day#~` takes all of that day).
   */
  async function* customersIn(
    index: (typeof tableDefinition.globalSecondaryIndexes)[number]['name'],
    pkOf: (shard: number) => string,
    range: { below: string } | { prefix: string } | null,
    meter?: ReadMeter,
  ): AsyncGenerator<string[]> {
    const { partitionKey, sortKey } = tableDefinition.globalSecondaryIndexes.find((g) => g.name === index)!;
    const bound = range === null ? '' : 'below' in range ? ' AND #sk < :sk' : ' AND begins_with(#sk, :sk)';
    for (let shard = 0; shard < SHARDS; shard++) {
      for await (const items of queryPages(
        {
          TableName: db.table,
          IndexName: index,
          KeyConditionExpression: `#pk = :pk${bound}`,
          ExpressionAttributeNames: { '#pk': partitionKey, ...(range ? { '#sk': sortKey } : {}) },
          ExpressionAttributeValues: { ':pk': pkOf(shard), ...(range ? { ':sk': 'below' in range ? range.below : range.prefix } : {}) },
        },
        meter,
      )) {
        if (items.length) yield items.map((i) => String(i[sortKey]).split('#').at(-1)!);
      }
    }
  }

  return {
    async tenants(): Promise<TenantEntry[]> {
      const out: TenantEntry[] = [];
      for await (const items of queryPages({
        TableName: db.table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.tenant('').pk },
      })) {
        out.push(...items.map((i) => ({ tenantId: i.tenantId as string, timeZone: i.timeZone as string })));
      }
      return out;
    },

    /** Customer ids whose birthday ("MM-DD") it is, shard by shard, a page at a time. */
    birthdays: (tenantId: string, monthDay: string, meter?: ReadMeter) =>
      customersIn('birthdays', (shard) => indexKeys.birthdays(tenantId, monthDay, shard), null, meter),

    /**
     * Customer ids whose earliest expiring lot is in a month `before` (expired), or exactly `month`
     * (reminders), shard by shard.
     */
    expiring: (tenantId: string, range: { before: string } | { month: string }, meter?: ReadMeter) =>
      customersIn('expiry', (shard) => indexKeys.expiry(tenantId, shard), 'before' in range ? { below: range.before } : { prefix: `${range.month}#` }, meter),

    /** Customer ids with pending points released on or before `day`, shard by shard. */
    releasing: (tenantId: string, day: string, meter?: ReadMeter) =>
      customersIn('release', (shard) => indexKeys.release(tenantId, shard), { below: `${day}#~` }, meter),

    /** Customer ids with a refill reminder due on or before `day`, shard by shard. */
    refillsDue: (tenantId: string, day: string, meter?: ReadMeter) =>
      customersIn('refills', (shard) => indexKeys.refills(tenantId, shard), { below: `${day}#~` }, meter),

    /** Every customer id of the tenant (the nightly segments job), shard by shard. */
    everyone: (tenantId: string, meter?: ReadMeter) => customersIn('members', (shard) => indexKeys.members(tenantId, shard), null, meter),

    /** Customer ids above the first level, whom a period review may lower. */
    aboveFirstLevel: (tenantId: string, meter?: ReadMeter) => customersIn('tiers', (shard) => indexKeys.tiers(tenantId, shard), null, meter),

    /** Marks a job's day as fanned out; false if an earlier run already did. */
    /** Whether a day's fan-out of this job finished for the tenant. */
    async ranOn(tenantId: string, job: string, day: string): Promise<boolean> {
      const r = await db.doc.send(new GetCommand({ TableName: db.table, Key: keys.jobRun(tenantId, job, day), ConsistentRead: true }));
      return r.Item !== undefined;
    },

    /** Records that a day's fan-out finished (after it did). */
    async markRun(tenantId: string, job: string, day: string, at: string): Promise<void> {
      await putOnce({ ...keys.jobRun(tenantId, job, day), type: 'jobRun', at, [tableDefinition.timeToLiveAttribute]: ttlAfter(at, 7) });
    },

    /** Writes a record that must exist at most once (a reminder); false if it already does. */
    putOnce,
  };
}

export type JobRepository = ReturnType<typeof jobRepository>;
