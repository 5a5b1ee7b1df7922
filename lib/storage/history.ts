/**
 * A period's receipts and returns for the simulator, without a Scan: the sparse KEYS_ONLY
 * `history` index holds one entry per receipt (its allocation item) and per return, keyed by the
 * UTC day they were committed and a sixteenth of the customers (HISTORY_SHARDS). One shard of a
 * period = one Query per day (a page per 1 MB of keys), then BatchGetItem of the items, 100 at a
 * time. Only the simulation worker's bundle (and policy) reads it.
 * Adapter: lib/app/simulations → this → DynamoDB.
 */
import { BatchGetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { ReplayEvent } from '#domain/simulation.ts';
import type { Db } from './client.ts';
import { indexKeys } from './keys.ts';
import { replayEventOf } from './receipts.ts';
import { tableDefinition } from './table.ts';

const index = tableDefinition.globalSecondaryIndexes.find((g) => g.name === 'history')!;

/** How many shards a period is read in: readers of the history take it from here. */
export { HISTORY_SHARDS } from './keys.ts';

/** The UTC days a period [from, to) touches. */
export function daysOf(from: string, to: string): string[] {
  const out: string[] = [];
  const last = new Date(Date.parse(to) - 1).toISOString().slice(0, 10);
  for (let d = new Date(`${from.slice(0, 10)}T00:00:00Z`); d.toISOString().slice(0, 10) <= last; d.setUTCDate(d.getUTCDate() + 1)) out.push(d.toISOString().slice(0, 10));
  return out;
}

export interface HistoryShard {
  readonly events: ReplayEvent[];
  /** Receipts committed before their lines kept SKU and category: found, but not replayable. */
  readonly unreplayable: number;
  /** Read units the index queries and item reads consumed (as DynamoDB reports them). */
  readonly readUnits: number;
}

export function historyReader(db: Db) {
  async function items(keys: Array<{ pk: string; sk: string }>): Promise<{ items: Array<Record<string, unknown>>; units: number }> {
    const out: Array<Record<string, unknown>> = [];
    let units = 0;
    for (let i = 0; i < keys.length; i += 100) {
      let request: Record<string, { Keys: Array<Record<string, unknown>> }> | undefined = { [db.table]: { Keys: keys.slice(i, i + 100) } };
      while (request && Object.keys(request).length) {
        const r = await db.doc.send(new BatchGetCommand({ RequestItems: request, ReturnConsumedCapacity: 'TOTAL' }));
        out.push(...(r.Responses?.[db.table] ?? []));
        units += r.ConsumedCapacity?.reduce((s, c) => s + (c.CapacityUnits ?? 0), 0) ?? 0;
        request = r.UnprocessedKeys as typeof request;
      }
    }
    return { items: out, units };
  }

  return {
    /** Every receipt and return of one shard of customers committed in [from, to). */
    async shard(tenantId: string, shard: number, from: string, to: string): Promise<HistoryShard> {
      const keys: Array<{ pk: string; sk: string }> = [];
      let units = 0;
      for (const day of daysOf(from, to)) {
        let start: Record<string, unknown> | undefined;
        do {
          const r = await db.doc.send(
            new QueryCommand({
              TableName: db.table,
              IndexName: index.name,
              // Entries of an instant sort as `{at}#…`, so `to` itself is outside and `from` inside.
              KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
              ExpressionAttributeNames: { '#pk': index.partitionKey, '#sk': index.sortKey },
              ExpressionAttributeValues: { ':pk': indexKeys.history(tenantId, day, shard), ':from': from, ':to': to },
              ExclusiveStartKey: start,
              ReturnConsumedCapacity: 'TOTAL',
            }),
          );
          for (const i of r.Items ?? []) keys.push({ pk: String(i.pk), sk: String(i.sk) });
          units += r.ConsumedCapacity?.CapacityUnits ?? 0;
          start = r.LastEvaluatedKey;
        } while (start);
      }
      const read = await items(keys);
      const events: ReplayEvent[] = [];
      let unreplayable = 0;
      for (const item of read.items) {
        const e = replayEventOf(item);
        if (e) events.push(e);
        else unreplayable++;
      }
      return { events, unreplayable, readUnits: units + read.units };
    },
  };
}

export type HistoryReader = ReturnType<typeof historyReader>;
