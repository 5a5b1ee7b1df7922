/**
 * Report counters: the stream consumer adds increments to them, the reports read them back.
 *
 * Writes. The increments of a run of source changes are added up and written in one
 * TransactWriteItems together with their "seen" markers: one item per customer and day (of the
 * stream record) holding a set of short hashes of the changes counted, added to on condition that
 * none of this transaction's changes is in it yet. A change counted before fails that condition,
 * the transaction writes nothing, and it is retried without the changes the marker holds. So a redelivered batch, or a batch cut differently on a retry,
 * never counts a change twice, and a crash between two transactions loses nothing (the stream
 * delivers the rest again). An increment is added to its day; a cumulative one (the liability,
 * read from the beginning) to its month as well. Each transaction writes to one of REPORT_SHARDS copies of the counters, chosen
 * by its first change, so no single counter item takes every write of a busy tenant; reads add
 * the shards up.
 *
 * Reads. A period of days is, per shard, one Query of each month's days in it (a cumulative series:
 * one Query of the month items of the whole months, and one of the days of each partial month at
 * its ends): bounded by the days asked for and the dimension's values, never a scan.
 */
import { createHash } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { series as seriesKinds, type Increment, type Series } from '#domain/insight.ts';
import { addMonths, lotExpiryDate as lastDayOf } from '#domain/time.ts';
import type { Db } from './client.ts';
import { keys } from './keys.ts';
import { ttlAfter, tableDefinition } from './table.ts';
import { transactWrite, type TransactItem } from './transact.ts';

/** Copies of each counter; a tenant's busiest counter takes at most 1/REPORT_SHARDS of its writes. */
export const REPORT_SHARDS = 4;
/** A seen marker outlives the stream's 24 h retention, after which no change can come again. */
const SEEN_DAYS = 2;
const MAX_TRANSACTION_ITEMS = 100;

export interface SourceChange {
  /** Stable per change (domain/insight.ts `changeId`). */
  readonly id: string;
  /**
   * Whose marker records it: changes of one customer on one day (UTC, of the stream record)
   * share one marker item, so a receipt's customer, ledger entries and receipt cost one or two
   * marker writes, not four. Stable across redeliveries; null: a marker of its own.
   */
  readonly markerKey: string | null;
  readonly increments: readonly Increment[];
}

export interface ReadStats {
  queries: number;
  items: number;
}

/** Metrics per dimension value, added up over shards and days. */
export type Figures = Map<string, Record<string, number>>;

const hash = (s: string) => createHash('sha256').update(s).digest('base64url').slice(0, 27);
/** A change's entry in its marker's set: 64 bits, so a busy customer's day stays a small item. */
const entry = (id: string) => hash(id).slice(0, 11);

function shardFor(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return (h >>> 0) % REPORT_SHARDS;
}

/** Items a set of increments writes at most: two per cumulative increment (its day and its month). */
const itemCount = (incs: readonly Increment[]) => incs.reduce((n, i) => n + (seriesKinds[i.series] === 'cumulative' ? 2 : 1), 0);

/**
 * A change's increments cut into parts that fit a transaction beside their marker (a ledger
 * entry touching many lots can be larger); each part is counted once on its own.
 */
function parts(change: SourceChange): SourceChange[] {
  const budget = MAX_TRANSACTION_ITEMS - 1;
  if (itemCount(change.increments) <= budget) return [change];
  const out: SourceChange[] = [];
  let current: Increment[] = [];
  for (const inc of change.increments) {
    if (itemCount([...current, inc]) > budget) {
      out.push({ id: `${change.id}#${out.length}`, markerKey: change.markerKey, increments: current });
      current = [];
    }
    current.push(inc);
  }
  out.push({ id: `${change.id}#${out.length}`, markerKey: change.markerKey, increments: current });
  return out;
}

export function insightRepository(db: Db) {
  /** The counter items `incs` change, each once (days of one month meet in their month item). */
  function counterCells(tenantId: string, incs: readonly Increment[], shard: number) {
    const cells = new Map<string, { key: { pk: string; sk: string }; add: Record<string, number> }>();
    const addTo = (key: { pk: string; sk: string }, add: Readonly<Record<string, number>>) => {
      const id = `${key.pk}|${key.sk}`;
      const cell = cells.get(id) ?? { key, add: {} };
      for (const [m, v] of Object.entries(add)) cell.add[m] = (cell.add[m] ?? 0) + v;
      cells.set(id, cell);
    };
    for (const inc of incs) {
      if (seriesKinds[inc.series] !== 'monthly') addTo(keys.reportDay(tenantId, inc.series, inc.period, inc.key, shard), inc.add);
      if (seriesKinds[inc.series] === 'cumulative') addTo(keys.reportMonth(tenantId, inc.series, inc.period.slice(0, 7), inc.key, shard), inc.add);
      if (seriesKinds[inc.series] === 'monthly') {
        addTo(keys.reportMonth(tenantId, inc.series, inc.period, inc.key, shard), inc.add);
      }
    }
    return [...cells.values()].filter((c) => Object.values(c.add).some((v) => v !== 0));
  }

  function counterUpdates(tenantId: string, incs: readonly Increment[], shard: number): TransactItem[] {
    return counterCells(tenantId, incs, shard).map(({ key, add }) => {
      const metrics = Object.entries(add).filter(([, v]) => v !== 0);
      return {
        Update: {
          TableName: db.table,
          Key: key,
          UpdateExpression: `SET #type = :type ADD ${metrics.map((_, i) => `#m${i} :m${i}`).join(', ')}`,
          ExpressionAttributeNames: { '#type': 'type', ...Object.fromEntries(metrics.map(([m], i) => [`#m${i}`, m])) },
          ExpressionAttributeValues: { ':type': 'report', ...Object.fromEntries(metrics.map(([, v], i) => [`:m${i}`, v])) },
        },
      };
    });
  }

  /**
   * The marker writes of a chunk: one per marker key, adding the hashes of its changes to the
   * marker's set on condition that none is there yet (a missing item has none).
   */
  function markerWrites(tenantId: string, chunk: readonly SourceChange[], at: Date): Array<{ item: TransactItem; ids: string[] }> {
    const groups = new Map<string, SourceChange[]>();
    for (const c of chunk) groups.set(c.markerKey ?? `id:${c.id}`, [...(groups.get(c.markerKey ?? `id:${c.id}`) ?? []), c]);
    return [...groups.entries()].map(([key, changes]) => {
      const hashes = changes.map((c) => entry(c.id));
      return {
        ids: changes.map((c) => c.id),
        item: {
          Update: {
            TableName: db.table,
            Key: keys.reportSeen(tenantId, hash(key)),
            UpdateExpression: 'SET #type = :type, #ttl = :ttl ADD #ids :ids',
            ConditionExpression: hashes.map((_, i) => `NOT contains(#ids, :h${i})`).join(' AND '),
            ExpressionAttributeNames: { '#type': 'type', '#ttl': tableDefinition.timeToLiveAttribute, '#ids': 'ids' },
            ExpressionAttributeValues: { ':type': 'reportSeen', ':ttl': ttlAfter(at, SEEN_DAYS), ':ids': new Set(hashes), ...Object.fromEntries(hashes.map((h, i) => [`:h${i}`, h])) },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
      };
    });
  }

  async function query(pk: string, from: string, to: string, stats: ReadStats, into: (sk: string, item: Record<string, unknown>) => void): Promise<void> {
    let start: Record<string, unknown> | undefined;
    do {
      const r = await db.doc.send(
        new QueryCommand({
          TableName: db.table,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': pk, ':from': from, ':to': to },
          ExclusiveStartKey: start,
        }),
      );
      stats.queries += 1;
      for (const item of r.Items ?? []) {
        stats.items += 1;
        into(item.sk as string, item);
      }
      start = r.LastEvaluatedKey;
    } while (start);
  }

  const addInto = (figures: Figures, key: string, item: Record<string, unknown>) => {
    const f = figures.get(key) ?? {};
    for (const [m, v] of Object.entries(item)) {
      if (m === 'pk' || m === 'sk' || m === 'type' || typeof v !== 'number') continue;
      f[m] = (f[m] ?? 0) + v;
    }
    figures.set(key, f);
  };

  return {
    /**
     * Counts every change once. Returns how many were new (the rest had been counted before).
     * Changes of other tenants must not be mixed in: the caller groups by tenant.
     */
    async apply(tenantId: string, changes: readonly SourceChange[], now: Date = new Date()): Promise<{ counted: number; seen: number; transactions: number }> {
      // The same change twice in one call is one change.
      const unique = [...new Map(changes.map((c) => [c.id, c])).values()];
      let pending = unique.filter((c) => c.increments.length > 0).flatMap(parts);
      let counted = 0;
      let seen = 0;
      let transactions = 0;
      for (let attempt = 0; pending.length > 0; ) {
        // As many changes as fit one transaction beside their markers.
        const chunk: SourceChange[] = [];
        let incs: Increment[] = [];
        const markerKeys = new Set<string>();
        for (const c of pending) {
          const next = [...incs, ...c.increments];
          const markers = markerKeys.size + (markerKeys.has(c.markerKey ?? `id:${c.id}`) ? 0 : 1);
          if (chunk.length > 0 && markers + counterCells(tenantId, next, 0).length > MAX_TRANSACTION_ITEMS) break;
          chunk.push(c);
          markerKeys.add(c.markerKey ?? `id:${c.id}`);
          incs = next;
        }
        const shard = shardFor(chunk[0]!.id);
        const markers = markerWrites(tenantId, chunk, now);
        const r = await transactWrite(db, [...markers.map((m) => m.item), ...counterUpdates(tenantId, incs, shard)]);
        transactions += 1;
        if (r.ok) {
          counted += chunk.length;
          const done = new Set(chunk.map((c) => c.id));
          pending = pending.filter((c) => !done.has(c.id));
          attempt = 0;
          continue;
        }
        // A marker that already holds some of its changes: those were counted before.
        const already = new Set<string>();
        markers.forEach((m, i) => {
          if (r.reasons[i]?.code !== 'ConditionalCheckFailed') return;
          const held = (r.reasons[i]?.item?.ids as Set<string> | undefined) ?? new Set<string>();
          for (const id of m.ids) if (held.has(entry(id))) already.add(id);
        });
        if (already.size > 0) {
          seen += already.size;
          pending = pending.filter((c) => !already.has(c.id));
          continue;
        }
        // A conflict with another writer of the same counters: back off and try again.
        attempt += 1;
        if (attempt > 8) throw new Error('report counters: transaction conflicts persist');
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * 2 ** attempt));
      }
      return { counted, seen, transactions };
    },

    /**
     * A daily or cumulative series added up over the days `from`..`to` (inclusive), by dimension
     * value. A daily series is read month by month (one Query of each month's days per shard); a
     * cumulative one takes whole months from its month items (one Query per shard for all of them).
     */
    async days(tenantId: string, s: Series, from: string, to: string, stats: ReadStats): Promise<Figures> {
      const figures: Figures = new Map();
      const [fromMonth, toMonth] = [from.slice(0, 7), to.slice(0, 7)];
      const reads: Promise<void>[] = [];
      for (let shard = 0; shard < REPORT_SHARDS; shard++) {
        const dayRange = (month: string, d1: string, d2: string) =>
          reads.push(query(keys.reportDay(tenantId, s, `${month}-01`, '', shard).pk, `${d1}#`, `${d2}#\uffff`, stats, (sk, item) => addInto(figures, sk.slice(3), item)));
        const monthRange = (m1: string, m2: string) =>
          reads.push(query(keys.reportMonth(tenantId, s, m1, '', shard).pk, `${m1}#`, `${m2}#\uffff`, stats, (sk, item) => addInto(figures, sk.slice(8), item)));
        if (seriesKinds[s] === 'daily') {
          for (let m = fromMonth; m <= toMonth; m = addMonths(m, 1)) dayRange(m, m === fromMonth ? from.slice(8) : '01', m === toMonth ? to.slice(8) : '31');
          continue;
        }
        if (fromMonth === toMonth) {
          if (from.endsWith('-01') && to === lastDayOf(toMonth)) monthRange(fromMonth, fromMonth);
          else dayRange(fromMonth, from.slice(8), to.slice(8));
          continue;
        }
        let firstFull = fromMonth;
        if (!from.endsWith('-01')) {
          dayRange(fromMonth, from.slice(8), '31');
          firstFull = addMonths(fromMonth, 1);
        }
        let lastFull = toMonth;
        if (to !== lastDayOf(toMonth)) {
          dayRange(toMonth, '01', to.slice(8));
          lastFull = addMonths(toMonth, -1);
        }
        if (firstFull <= lastFull) monthRange(firstFull, lastFull);
      }
      await Promise.all(reads);
      return figures;
    },

    /** A series' month items from `fromMonth` to `toMonth`, by month and dimension value. */
    async months(tenantId: string, s: Series, fromMonth: string, toMonth: string, stats: ReadStats): Promise<Map<string, Figures>> {
      const out = new Map<string, Figures>();
      await Promise.all(
        Array.from({ length: REPORT_SHARDS }, (_, shard) =>
          query(keys.reportMonth(tenantId, s, fromMonth, '', shard).pk, `${fromMonth}#`, `${toMonth}#\uffff`, stats, (sk, item) => {
            const month = sk.slice(0, 7);
            const f = out.get(month) ?? new Map();
            addInto(f, sk.slice(8), item);
            out.set(month, f);
          }),
        ),
      );
      return out;
    },
  };
}

export type InsightRepository = ReturnType<typeof insightRepository>;
