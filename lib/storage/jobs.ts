/**
 * What the background jobs read and mark: the tenant list, the sparse birthday and expiry
 * indexes (Query only, never Scan: a job's reads grow with what is due, not with the table), and
 * the once-a-day fan-out markers. Adapter: lib/app/jobs → this → DynamoDB.
 */
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { Db } from './client.ts';
import { indexKeys, keys, SHARDS } from './keys.ts';

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
    async *birthdays(tenantId: string, monthDay: string, meter?: ReadMeter): AsyncGenerator<string[]> {
      for (let shard = 0; shard < SHARDS; shard++) {
        for await (const items of queryPages(
          {
            TableName: db.table,
            IndexName: 'birthdays',
            KeyConditionExpression: 'bdayPk = :pk',
            ExpressionAttributeValues: { ':pk': indexKeys.birthdays(tenantId, monthDay, shard) },
          },
          meter,
        )) {
          if (items.length) yield items.map((i) => i.bdaySk as string);
        }
      }
    },

    /**
     * Customer ids whose earliest expiring lot is in a month `before` (expired), or exactly `month`
     * (reminders), shard by shard.
     */
    async *expiring(tenantId: string, range: { before: string } | { month: string }, meter?: ReadMeter): AsyncGenerator<string[]> {
      for (let shard = 0; shard < SHARDS; shard++) {
        const condition =
          'before' in range
            ? { KeyConditionExpression: 'expPk = :pk AND expSk < :m', ExpressionAttributeValues: { ':pk': indexKeys.expiry(tenantId, shard), ':m': range.before } }
            : {
                KeyConditionExpression: 'expPk = :pk AND begins_with(expSk, :m)',
                ExpressionAttributeValues: { ':pk': indexKeys.expiry(tenantId, shard), ':m': `${range.month}#` },
              };
        for await (const items of queryPages({ TableName: db.table, IndexName: 'expiry', ...condition }, meter)) {
          if (items.length) yield items.map((i) => (i.expSk as string).slice((i.expSk as string).indexOf('#') + 1));
        }
      }
    },

    /** Customer ids with pending points released on or before `day`, shard by shard. */
    async *releasing(tenantId: string, day: string, meter?: ReadMeter): AsyncGenerator<string[]> {
      // `relSk` is `releaseDay#customerId`; '~' sorts after '#' and every id character.
      for (let shard = 0; shard < SHARDS; shard++) {
        for await (const items of queryPages(
          {
            TableName: db.table,
            IndexName: 'release',
            KeyConditionExpression: 'relPk = :pk AND relSk < :to',
            ExpressionAttributeValues: { ':pk': indexKeys.release(tenantId, shard), ':to': `${day}#~` },
          },
          meter,
        )) {
          if (items.length) yield items.map((i) => (i.relSk as string).slice((i.relSk as string).indexOf('#') + 1));
        }
      }
    },

    /** Customer ids with a refill reminder due on or before `day`, shard by shard. */
    async *refillsDue(tenantId: string, day: string, meter?: ReadMeter): AsyncGenerator<string[]> {
      for (let shard = 0; shard < SHARDS; shard++) {
        for await (const items of queryPages(
          {
            TableName: db.table,
            IndexName: 'refills',
            KeyConditionExpression: 'refPk = :pk AND refSk < :to',
            ExpressionAttributeValues: { ':pk': indexKeys.refills(tenantId, shard), ':to': `${day}#~` },
          },
          meter,
        )) {
          if (items.length) yield items.map((i) => (i.refSk as string).slice((i.refSk as string).indexOf('#') + 1));
        }
      }
    },

    /** Customer ids above the first level, whom a period review may lower. */
    async *aboveFirstLevel(tenantId: string, meter?: ReadMeter): AsyncGenerator<string[]> {
      for (let shard = 0; shard < SHARDS; shard++) {
        for await (const items of queryPages(
          { TableName: db.table, IndexName: 'tiers', KeyConditionExpression: 'tierPk = :pk', ExpressionAttributeValues: { ':pk': indexKeys.tiers(tenantId, shard) } },
          meter,
        )) {
          if (items.length) yield items.map((i) => i.tierSk as string);
        }
      }
    },

    /** Marks a job's day as fanned out; false if an earlier run already did. */
    claimRun(tenantId: string, job: string, day: string, at: string): Promise<boolean> {
      return putOnce({ ...keys.jobRun(tenantId, job, day), type: 'jobRun', at });
    },

    /** Writes a record that must exist at most once (a reminder); false if it already does. */
    putOnce,
  };
}

export type JobRepository = ReturnType<typeof jobRepository>;
