/**
 * Campaign budget counters: one item per budget with a global limit, in a partition of its own
 * (so one busy campaign is not another's hot partition), holding what was used so far. A commit
 * draws on it in its own transaction with a conditional ADD (`used + n <= total` for each limit),
 * so concurrent tills can never take more than the total; the loser re-prices without the rule.
 * Read with one GetItem per budget, in parallel (at most MAX_GLOBAL_BUDGETS; GetItem keeps every
 * function's grant as it is, where BatchGetItem would need its own).
 * Adapter: use cases → this → DynamoDB.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { noDraw, type Budget, type BudgetKey, type Counters, type Draw } from '#domain/budgets.ts';
import type { Db } from './client.ts';
import { keys } from './keys.ts';
import type { TransactItem } from './transact.ts';

/** What a counter item says is used (no item: nothing yet). */
export const usedOf = (item: Record<string, unknown> | undefined): Draw =>
  item ? { grants: Number(item.grants ?? 0), points: Number(item.points ?? 0), amount: Number(item.amount ?? 0) } : noDraw;

export function budgetRepository(db: Db) {
  return {
    /** What each budget has used so far (a budget never drawn on has no item: nothing used). */
    async counters(tenantId: string, budgetKeys: readonly BudgetKey[]): Promise<Counters> {
      const read = await Promise.all(
        [...new Set(budgetKeys)].map(async (k) => {
          const r = await db.doc.send(new GetCommand({ TableName: db.table, Key: keys.budget(tenantId, k), ConsistentRead: true }));
          return [k, usedOf(r.Item)] as const;
        }),
      );
      return Object.fromEntries(read);
    },

    /**
     * The transaction item that draws `draw` on a budget's counter, on the condition that every
     * limit the budget has still holds after it. It fails (ConditionalCheckFailed) when another
     * till drew the rest first.
     */
    drawItem(tenantId: string, key: BudgetKey, budget: Budget, draw: Draw): TransactItem {
      const names: Record<string, string> = { '#type': 'type', '#t': 'tenantId', '#k': 'budgetKey', '#g': 'grants', '#p': 'points', '#a': 'amount' };
      const values: Record<string, unknown> = { ':type': 'budget', ':t': tenantId, ':k': key, ':g': draw.grants, ':p': draw.points, ':a': draw.amount };
      const conditions: string[] = [];
      const limit = (attr: '#g' | '#p' | '#a', total: number | undefined, n: number) => {
        if (total === undefined || n === 0) return;
        const max = `:max${attr.slice(1)}`;
        values[max] = total - n;
        conditions.push(`(attribute_not_exists(${attr}) OR ${attr} <= ${max})`);
      };
      limit('#g', budget.grants, draw.grants);
      limit('#p', budget.points, draw.points);
      limit('#a', budget.amount, draw.amount);
      return {
        Update: {
          TableName: db.table,
          Key: keys.budget(tenantId, key),
          UpdateExpression: 'SET #type = :type, #t = :t, #k = :k ADD #g :g, #p :p, #a :a',
          ...(conditions.length ? { ConditionExpression: conditions.join(' AND '), ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const } : {}),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        },
      };
    },
  };
}

export type BudgetRepository = ReturnType<typeof budgetRepository>;
