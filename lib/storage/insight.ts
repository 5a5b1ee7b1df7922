/**
 * Report counters: the stream consumer adds increments to them, the reports read them back.
 *
 * Writes. A stream batch is counted in ranges: runs of consecutive changes (in stream order) whose
 * increments, added up per counter item, fit one TransactWriteItems beside the range's marker.
 * A range is one transaction: one ADD per distinct counter item, however many changes touch it,
 * and a marker keyed by the range's first change holding the short hashes of all its changes in
 * order, written on condition that it is not there yet. So a batch of many receipts of a tenant's
 * day costs one write per counter item, not one per receipt.
 *
 * Counted once however often it comes, as Lambda's event source mapping redelivers a shard: a
 * retry starts at a range's first change (the consumer reports its failure there) or further on,
 * in the same order. A range counted before fails its marker's condition; the marker's list says
 * which changes it holds, and they are skipped. A redelivery cut shorter than a range counted
 * before (a bisected batch) leaves a pointer marker at the first change it did not reach, holding
 * the rest of the list, so the batch that starts there skips them too. A transaction is needed:
 * a counter written by every stream shard's reader can only be counted once if its ADD and the
 * range's marker land together. An increment is added to its day; a cumulative one (the
 * liability, read from the beginning) to its month as well. Each range writes to one of
 * REPORT_SHARDS copies of the counters, chosen by its first change; reads add the shards up.
 *
 * Store figures. A change's per-store till figures (`logged`: domain/insight.ts `deferStores`) are
 * counted under UNFOLDED, and their split by store is put, in the same transaction, as one log
 * item per tenant in the range (keyed by the range's marker, so a range counted before writes no
 * log either). The fold (`logs`, then `apply` of moves with ids of their own) attributes them
 * later; a range's log costs its bytes, not an item per store.
 *
 * Reads. A period of days is, per shard, one Query of each month's days in it (a cumulative series:
 * one Query of the month items of the whole months, and one of the days of each partial month at
 * its ends): bounded by the days asked for and the dimension's values, never a scan.
 */
import { createHash } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { series as seriesKinds, UNFOLDED, type Increment, type Series } from '#domain/insight.ts';
import { addMonths, lotExpiryDate as lastDayOf } from '#domain/time.ts';
import type { Db } from './client.ts';
import { keys } from './keys.ts';
import { ttlAfter, tableDefinition } from './table.ts';
import { transactWrite, type TransactItem } from './transact.ts';

/** Copies of each counter; a tenant's busiest counter takes at most 1/REPORT_SHARDS of its writes. */
export const REPORT_SHARDS = 4;
/** A range's marker outlives the stream's 24 h retention, after which no change can come again. */
const SEEN_DAYS = 2;
const MAX_TRANSACTION_ITEMS = 100;
/** Bytes of a change's hash in its range's list: 64 bits, so a range of 1,000 changes is an 8 KB marker. */
const ENTRY_BYTES = 8;
/** A range's log holds at most this many (series, day, store) entries (~30 B each packed): far under an item's 400 KB. */
const MAX_LOG_ENTRIES = 2_000;
/** Logs wait for the nightly fold (lib/app/store-fold.ts); kept a while after, then expired. */
const LOG_DAYS = 10;

export interface SourceChange {
  /** Stable per change (domain/insight.ts `changeId`). */
  readonly id: string;
  readonly tenantId: string;
  readonly increments: readonly Increment[];
  /** Where the change sits in the caller's list (a change cut into parts keeps its own). */
  readonly at?: number;
  /** Set on the parts of a change too large for one transaction (`parts`). */
  readonly part?: number;
  /** Per-store figures logged for the fold, not counted now (their sum is, under UNFOLDED, in `increments`). */
  readonly logged?: readonly Increment[];
}

export interface ApplyResult {
  /** Changes counted now, and changes counted before (a redelivery). */
  readonly counted: number;
  readonly seen: number;
  readonly transactions: number;
  /** Counter items written (one ADD each), markers and pointers written. */
  readonly counterWrites: number;
  readonly markerBytes: number;
  /** Store logs written (one per tenant per range with store figures). */
  readonly logWrites: number;
}

export interface ReadStats {
  queries: number;
  items: number;
}

/** Metrics per dimension value, added up over shards and days. */
export type Figures = Map<string, Record<string, number>>;

/** A change's entry in a range's list, and the key of the marker of a range that starts with it. */
const entry = (id: string): Buffer => createHash('sha256').update(id).digest().subarray(0, ENTRY_BYTES);
const markerKey = (e: Uint8Array) => keys.reportRange(Buffer.from(e).toString('base64url'));

function shardFor(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return (h >>> 0) % REPORT_SHARDS;
}

/** Items a set of increments writes at most: two per cumulative increment (its day and its month). */
const itemCount = (incs: readonly Increment[]) => incs.reduce((n, i) => n + (seriesKinds[i.series] === 'cumulative' ? 2 : 1), 0);

/** A log's entries packed: JSON of [series, period, key, add], raw deflate (store ids and metric names repeat). */
const packLog = (incs: readonly Increment[]): Buffer => deflateRawSync(JSON.stringify(incs.map((i) => [i.series, i.period, i.key, i.add])));
const unpackLog = (b: Uint8Array): Increment[] =>
  (JSON.parse(inflateRawSync(b).toString()) as Array<[Series, string, string, Record<string, number>]>).map(([series, period, key, add]) => ({ series, period, key, add }));

/**
 * A change's increments cut into parts that fit a transaction beside their marker (a ledger
 * entry touching many lots can be larger); each part is a range of its own.
 */
const withoutLog = ({ logged: _, ...rest }: SourceChange): SourceChange => rest;

function parts(change: SourceChange): SourceChange[] {
  const budget = MAX_TRANSACTION_ITEMS - 2;
  if (itemCount(change.increments) <= budget) return [change];
  // The log rides with the first part (parts keep their ids, so its range is found again on a retry).
  const out: SourceChange[] = [];
  let current: Increment[] = [];
  for (const inc of change.increments) {
    if (itemCount([...current, inc]) > budget) {
      out.push({ ...change, id: `${change.id}#${out.length}`, part: out.length, increments: current });
      current = [];
    }
    current.push(inc);
  }
  out.push({ ...change, id: `${change.id}#${out.length}`, part: out.length, increments: current });
  return out.map((p, i) => (i === 0 ? p : withoutLog(p)));
}

export function insightRepository(db: Db) {
  type Cell = { key: { pk: string; sk: string }; add: Record<string, number> };
  type Logged = Map<string, { series: Series; period: string; key: string; add: Record<string, number> }>;
  const logCell = (i: Increment) => `${i.series}|${i.period}|${i.key}`;
  const addLogged = (logs: Map<string, Logged>, change: SourceChange) => {
    if (!change.logged?.length) return;
    const log = logs.get(change.tenantId) ?? new Map();
    for (const i of change.logged) {
      const cell = log.get(logCell(i)) ?? { series: i.series, period: i.period, key: i.key, add: {} };
      for (const [m, v] of Object.entries(i.add)) cell.add[m] = (cell.add[m] ?? 0) + v;
      log.set(logCell(i), cell);
    }
    logs.set(change.tenantId, log);
  };

  /** Adds a change's increments into the counter items they change (days of one month meet in their month item). */
  function addCells(cells: Map<string, Cell>, change: SourceChange, shard: number): void {
    const addTo = (key: { pk: string; sk: string }, add: Readonly<Record<string, number>>) => {
      const id = `${key.pk}|${key.sk}`;
      const cell = cells.get(id) ?? { key, add: {} };
      for (const [m, v] of Object.entries(add)) cell.add[m] = (cell.add[m] ?? 0) + v;
      cells.set(id, cell);
    };
    for (const inc of change.increments) {
      if (seriesKinds[inc.series] !== 'monthly') addTo(keys.reportDay(change.tenantId, inc.series, inc.period, inc.key, shard), inc.add);
      if (seriesKinds[inc.series] === 'cumulative') addTo(keys.reportMonth(change.tenantId, inc.series, inc.period.slice(0, 7), inc.key, shard), inc.add);
      if (seriesKinds[inc.series] === 'monthly') addTo(keys.reportMonth(change.tenantId, inc.series, inc.period, inc.key, shard), inc.add);
    }
  }

  /** One ADD per counter item, of every metric that changes (in key order: the same range, the same transaction). */
  function counterUpdates(cells: Map<string, Cell>): TransactItem[] {
    return [...cells.values()]
      .map(({ key, add }) => ({ key, metrics: Object.entries(add).filter(([, v]) => v !== 0) }))
      .filter((c) => c.metrics.length > 0)
      .sort((x, y) => (`${x.key.pk}|${x.key.sk}` < `${y.key.pk}|${y.key.sk}` ? -1 : 1))
      .map(({ key, metrics }) => ({
        Update: {
          TableName: db.table,
          Key: key,
          UpdateExpression: `SET #type = :type ADD ${metrics.map((_, i) => `#m${i} :m${i}`).join(', ')}`,
          ExpressionAttributeNames: { '#type': 'type', ...Object.fromEntries(metrics.map(([m], i) => [`#m${i}`, m])) },
          ExpressionAttributeValues: { ':type': 'report', ...Object.fromEntries(metrics.map(([, v], i) => [`:m${i}`, v])) },
        },
      }));
  }

  /**
   * The longest run of `units` from `from` that fits one transaction beside its marker. A change
   * cut into parts is a run of its own per part (so a retry, which starts at a change, always
   * starts at a range or inside one whose list says what it holds).
   */
  function takeRange(units: readonly SourceChange[], from: number): { end: number; cells: Map<string, Cell>; logs: Map<string, Logged> } {
    const shard = shardFor(units[from]!.id);
    const cells = new Map<string, Cell>();
    const logs = new Map<string, Logged>();
    addCells(cells, units[from]!, shard);
    addLogged(logs, units[from]!);
    let end = from + 1;
    const whole = (u: SourceChange) => u.part === undefined;
    if (!whole(units[from]!)) return { end, cells, logs };
    for (; end < units.length && whole(units[end]!); end++) {
      const u = units[end]!;
      const own = new Map<string, Cell>();
      addCells(own, u, shard);
      const added = [...own.keys()].filter((k) => !cells.has(k)).length;
      const log = logs.get(u.tenantId);
      const newLog = u.logged?.length && !log ? 1 : 0;
      const newEntries = (u.logged ?? []).filter((i) => !log?.has(logCell(i))).length;
      if (cells.size + added + logs.size + newLog + 1 > MAX_TRANSACTION_ITEMS) break;
      if ((log?.size ?? 0) + newEntries > MAX_LOG_ENTRIES) break;
      for (const [k, c] of own) {
        const cell = cells.get(k) ?? { key: c.key, add: {} };
        for (const [m, v] of Object.entries(c.add)) cell.add[m] = (cell.add[m] ?? 0) + v;
        cells.set(k, cell);
      }
      addLogged(logs, u);
    }
    return { end, cells, logs };
  }

  /** The log items of a range: one per tenant, its entries added up per (series, period, store). */
  function logPuts(logs: Map<string, Logged>, marker: string, now: Date): TransactItem[] {
    return [...logs.entries()]
      .filter(([, l]) => l.size > 0)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([tenantId, l]) => ({
        Put: {
          TableName: db.table,
          Item: { ...keys.reportLog(tenantId, now.toISOString().slice(0, 10), marker), type: 'reportLog', log: packLog([...l.values()]), [tableDefinition.timeToLiveAttribute]: ttlAfter(now, LOG_DAYS) },
        },
      }));
  }

  const markerItem = (list: Buffer, now: Date, type: 'reportRange' | 'reportPointer') => ({
    ...markerKey(list.subarray(0, ENTRY_BYTES)),
    type,
    hs: list,
    [tableDefinition.timeToLiveAttribute]: ttlAfter(now, SEEN_DAYS),
  });

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
     * Counts `changes` (in stream order, any tenants) once each, range by range (see the top of
     * this file). Returns what was counted now and what had been counted before; on a storage
     * failure it throws an `ApplyError` naming the first change not known to be counted (its `at`).
     */
    async apply(changes: readonly SourceChange[], now: Date = new Date()): Promise<ApplyResult> {
      // The same change twice in one call is one change.
      const unique = [...new Map(changes.map((c, i) => [c.id, { ...c, at: c.at ?? i }] as const)).values()];
      const units = unique.filter((c) => c.increments.length > 0).flatMap(parts);
      const entries = units.map((u) => entry(u.id));
      const stats = { transactions: 0, counterWrites: 0, markerBytes: 0, logWrites: 0 };
      // By change (`at`): a change cut into parts is counted now if any part is.
      const [countedAt, seenAt] = [new Set<number>(), new Set<number>()];
      // A range counted before that this batch is walking through: its list, and how far we are.
      let walking: { list: Buffer; pos: number } | undefined;
      let i = 0;
      for (let attempt = 0; i < units.length; ) {
        const e = entries[i]!;
        if (walking && walking.pos < walking.list.length / ENTRY_BYTES && walking.list.subarray(walking.pos * ENTRY_BYTES, (walking.pos + 1) * ENTRY_BYTES).equals(e)) {
          walking.pos += 1;
          seenAt.add(units[i]!.at!);
          i += 1;
          continue;
        }
        walking = undefined;
        const { end, cells, logs } = takeRange(units, i);
        const list = Buffer.concat(entries.slice(i, end));
        const updates = counterUpdates(cells);
        const logItems = logPuts(logs, Buffer.from(list.subarray(0, ENTRY_BYTES)).toString('base64url'), now);
        let r;
        try {
          r = await transactWrite(db, [
            {
              Put: {
                TableName: db.table,
                Item: markerItem(list, now, 'reportRange'),
                ConditionExpression: 'attribute_not_exists(pk)',
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
            ...updates,
            ...logItems,
          ]);
        } catch (err) {
          throw new ApplyError(units[i]!.at!, err as Error);
        }
        stats.transactions += 1;
        if (r.ok) {
          for (const u of units.slice(i, end)) countedAt.add(u.at!);
          stats.counterWrites += updates.length;
          stats.markerBytes += list.length;
          stats.logWrites += logItems.length;
          i = end;
          attempt = 0;
          continue;
        }
        const held = r.reasons[0]?.code === 'ConditionalCheckFailed' ? (r.reasons[0].item?.hs as Uint8Array | undefined) : undefined;
        if (held) {
          // Counted before: walk its list (it starts with this change).
          walking = { list: Buffer.from(held), pos: 0 };
          continue;
        }
        // A conflict with another writer of the same counters: back off and try again.
        attempt += 1;
        if (attempt > 8) throw new ApplyError(units[i]!.at!, new Error('report counters: transaction conflicts persist'));
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * 2 ** attempt));
      }
      // The batch ended inside a range counted before: the batch that starts where this one
      // stopped must find what the rest of that range holds.
      if (walking && walking.pos < walking.list.length / ENTRY_BYTES) {
        const rest = walking.list.subarray(walking.pos * ENTRY_BYTES);
        try {
          await db.doc.send(new PutCommand({ TableName: db.table, Item: markerItem(Buffer.from(rest), now, 'reportPointer'), ConditionExpression: 'attribute_not_exists(pk)' }));
          stats.markerBytes += rest.length;
        } catch (err) {
          if ((err as Error).name !== 'ConditionalCheckFailedException') throw new ApplyError(0, err as Error);
        }
      }
      return { counted: countedAt.size, seen: [...seenAt].filter((at) => !countedAt.has(at)).length, ...stats };
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
      // Till figures all folded into their stores: nothing waits under UNFOLDED.
      const unfolded = figures.get(UNFOLDED);
      if (unfolded && Object.values(unfolded).every((v) => v === 0)) figures.delete(UNFOLDED);
      return figures;
    },

    /** Every store log a tenant's ranges wrote on a UTC day (consistent: the fold reads a day that is over). */
    async logs(tenantId: string, day: string, stats: ReadStats): Promise<Increment[]> {
      const out: Increment[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const r = await db.doc.send(
          new QueryCommand({ TableName: db.table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.reportLog(tenantId, day, '').pk }, ConsistentRead: true, ExclusiveStartKey: start }),
        );
        stats.queries += 1;
        for (const item of r.Items ?? []) {
          stats.items += 1;
          out.push(...unpackLog(item.log as Uint8Array));
        }
        start = r.LastEvaluatedKey;
      } while (start);
      return out;
    },

    /** The last UTC day whose logs are folded into the stores (none before the first fold). */
    async foldedThrough(tenantId: string): Promise<string | null> {
      const r = await db.doc.send(new GetCommand({ TableName: db.table, Key: keys.reportFold(tenantId), ConsistentRead: true }));
      return (r.Item?.through as string | undefined) ?? null;
    },

    async setFoldedThrough(tenantId: string, day: string, at: Date): Promise<void> {
      await db.doc.send(new PutCommand({ TableName: db.table, Item: { ...keys.reportFold(tenantId), type: 'reportFold', through: day, at: at.toISOString() } }));
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

export class ApplyError extends Error {
  /** The caller's index (`at`) of the first change that may not be counted yet. */
  readonly firstUncounted: number;
  constructor(firstUncounted: number, cause: Error) {
    super(cause.message, { cause });
    this.name = 'ApplyError';
    this.firstUncounted = firstUncounted;
  }
}
