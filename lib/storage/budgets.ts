/**
 * Campaign budget counters: per budget with a global limit, up to MAX_SHARDS shard items in a
 * partition of its own (so one busy campaign is not another's hot partition), each holding what
 * was drawn on it. A commit draws on one shard in its own transaction with a conditional ADD
 * (`used + n <= share` for each limit; the shares add up to the total), so concurrent tills can
 * never take more than the total; the loser re-prices. Read with one Query per budget, in parallel
 * (at most MAX_GLOBAL_BUDGETS; Query keeps every function's grant as it is).
 * Adapter: use cases → this → DynamoDB.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { MAX_SHARDS, noDraw, shardLimits, type Budget, type BudgetKey, type Counters, type Draw } from '#domain/budgets.ts';
import type { Db } from './client.ts';
import { keys, SHARD_PREFIX } from './keys.ts';
import type { TransactItem } from './transact.ts';

/** What a counter item says is used (no item: nothing yet). */
export const usedOf = (item: Record<string, unknown> | undefined): Draw =>
  item ? { grants: Number(item.grants ?? 0), points: Number(item.points ?? 0), amount: Number(item.amount ?? 0) } : noDraw;

export function budgetRepository(db: Db) {
  return {
    /** What each shard of each budget has used so far (one Query per budget, at most MAX_SHARDS items; none yet: nothing used). */
    async used(tenantId: string, budgetKeys: readonly BudgetKey[]): Promise<Counters['used']> {
      const read = await Promise.all(
        [...new Set(budgetKeys)].map(async (k) => {
          const r = await db.doc.send(
            new QueryCommand({ TableName: db.table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.budgetShard(tenantId, k, 0).pk }, ConsistentRead: true, Limit: MAX_SHARDS }),
          );
          const shards: Draw[] = [];
          for (const item of r.Items ?? []) shards[Number(String(item.sk).slice(SHARD_PREFIX.length))] = usedOf(item);
          return [k, Array.from(shards, (d) => d ?? noDraw)] as const;
        }),
      );
      return Object.fromEntries(read);
    },

    /**
     * The transaction item that draws `draw` on shard `shard` of a budget's counter, on the
     * condition that every limit of that shard still holds after it. It fails
     * (ConditionalCheckFailed) when other tills drew the rest first.
     */
    drawItem(tenantId: string, key: BudgetKey, budget: Budget, draw: Draw, shard: number): TransactItem {
      const names: Record<string, string> = { '#type': 'type', '#t': 'tenantId', '#k': 'budgetKey', '#g': 'grants', '#p': 'points', '#a': 'amount' };
      const values: Record<string, unknown> = { ':type': 'budget', ':t': tenantId, ':k': key, ':g': draw.grants, ':p': draw.points, ':a': draw.amount };
      const conditions: string[] = [];
      const share = shardLimits(budget, shard);
      const limit = (attr: '#g' | '#p' | '#a', total: number | undefined, n: number) => {
        if (total === undefined || n === 0) return;
        const max = `:max${attr.slice(1)}`;
        values[max] = total - n;
        conditions.push(`(attribute_not_exists(${attr}) OR ${attr} <= ${max})`);
      };
      limit('#g', share.grants, draw.grants);
      limit('#p', share.points, draw.points);
      limit('#a', share.amount, draw.amount);
      return {
        Update: {
          TableName: db.table,
          Key: keys.budgetShard(tenantId, key, shard),
          UpdateExpression: 'SET #type = :type, #t = :t, #k = :k ADD #g :g, #p :p, #a :a',
          ...(conditions.length ? { ConditionExpression: conditions.join(' AND ') } : {}),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        },
      };
    },
  };
}

export type BudgetRepository = ReturnType<typeof budgetRepository>;
