/**
 * What the nightly insight job keeps, and the sends it joins receipts to.
 *
 * | item        | pk                        | sk                                   | access path                               |
 * |-------------|---------------------------|--------------------------------------|-------------------------------------------|
 * | day sales   | T#{t}#DAYSALES            | {utc day}                            | Put (a rerun overwrites); Query a period  |
 * | day touches | T#{t}#DAYTOUCH            | {utc day}                            | the same, for the results of sends        |
 * | coupon sent | T#{t}#C#{c}               | TOUCH#{iso}#CPN#{campaign}#{code}    | Put by the reports consumer (a redelivery |
 * |             |                           |                                      | puts the same item); Query a window (TTL) |
 *
 * | run        | T#{t}#DAYRUN              | {utc day}                            | the job's progress through a day: run,    |
 * |            |                           |                                      | next part, version (conditional Put)      |
 * | run state  | T#{t}#DAYRUN              | {utc day}#{version}#{i}              | the day summed so far (gzip JSON in       |
 * |            |                           |                                      | ≤ 350 KB chunks), written with its run    |
 * |            |                           |                                      | item; Query by version; TTL 3 days        |
 *
 * Journey messages already leave `JSENT#{iso}#J#{journey}#{step}` items in the customer's
 * partition (storage/notifications.ts); coupons have no item there, so the reports consumer puts
 * one for each code issued to a customer. A day item is one bounded item (domain/day-insight.ts
 * caps what it holds), its lists kept as one JSON attribute.
 */
import { promisify } from 'node:util';
import { gunzip as gunzipCb, gzip as gzipCb } from 'node:zlib';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { MAX_ATTRIBUTION_DAYS, type DaySales, type DayTally, type DayTouches, type Figures, type Touch } from '#domain/day-insight.ts';
import type { Db } from './client.ts';
import { keys } from './keys.ts';
import { tableDefinition, ttlAfter } from './table.ts';
import type { ReadStats } from './insight.ts';
import { transactWrite, type TransactItem } from './transact.ts';

const gzip = promisify(gzipCb);
const gunzip = promisify(gunzipCb);

/** Bytes of a run-state chunk (an item is at most 400 KB). */
const CHUNK_BYTES = 350_000;
/**
 * Chunks a day's running state may take: with the run item they are one transaction (at most
 * 4 MB). About 3.5 MB of gzip JSON: some 300,000 SKUs and send cells of a day.
 */
export const MAX_RUN_CHUNKS = 10;
/** Run state outlives a night's continuations, then expires. */
const RUN_STATE_DAYS = 3;

/** Where the nightly job is in a tenant's day (lib/app/insight-job.ts). */
export interface DayRun {
  readonly run: string;
  /** The next part to sum (parts are shares of the day's customers). */
  readonly part: number;
  readonly done: boolean;
  /** Bumped by every write: a write names the version it read, so of two runners one goes on. */
  readonly version: number;
  readonly receipts: number;
  readonly returns: number;
  readonly customers: number;
}

export class RunStateTooLargeError extends Error {
  constructor(bytes: number) {
    super(`the day's running totals are ${bytes} bytes compressed, over the ${MAX_RUN_CHUNKS * CHUNK_BYTES} one checkpoint keeps (insight.maxRunState)`);
    this.name = 'RunStateTooLargeError';
  }
}

/**
 * A day's SKUs and categories as rows `[name, revenue, quantityMilli, receipts, returned]`
 * (`rows: 1`): half the bytes of objects, so a year's products report reads ~16 MB, not ~35.
 * Items written before (objects, no `returned`) read as they are.
 */
type Row = [string, number, number, number, number];
const toRow = (name: string, f: Figures): Row => [name, f.revenue, f.quantityMilli, f.receipts, f.returned];
const fromRow = (r: Row): Figures => ({ revenue: r[1], quantityMilli: r[2], receipts: r[3], returned: r[4] });
const packSales = (b: DaySales) => ({ ...b, rows: 1, skus: b.skus.map((x) => toRow(x.sku, x)), categories: b.categories.map((x) => toRow(x.category, x)) });
function unpackSales(b: Record<string, unknown>): DaySales {
  if (b.rows !== 1) return b as unknown as DaySales;
  const { rows: _rows, ...rest } = b;
  return { ...(rest as unknown as DaySales), skus: (b.skus as Row[]).map((r) => ({ sku: r[0], ...fromRow(r) })), categories: (b.categories as Row[]).map((r) => ({ category: r[0], ...fromRow(r) })) };
}

const encodeTally = (t: DayTally) =>
  gzip(Buffer.from(JSON.stringify({ receipts: t.receipts, revenue: t.revenue, returns: t.returns, skus: [...t.skus], categories: [...t.categories], cells: [...t.cells] }), 'utf8'));

async function decodeTally(bytes: Buffer): Promise<DayTally> {
  const o = JSON.parse((await gunzip(bytes)).toString('utf8'));
  return { receipts: o.receipts, revenue: o.revenue, returns: o.returns, skus: new Map(o.skus), categories: new Map(o.categories), cells: new Map(o.cells) };
}

/** A customer's sends read for one night, at most (the newest): what a receipt is joined to. */
export const MAX_SENDS_PER_CUSTOMER = 100;

/** Coupon-sent items written at once by the reports consumer. */
const PUTS_AT_ONCE = 25;

export type DayKind = 'sales' | 'touches';
const partition = { sales: 'DAYSALES', touches: 'DAYTOUCH' } as const;

export interface DayItem<T> {
  readonly day: string;
  readonly body: T;
  /** When the job wrote it. */
  readonly at: string;
}

export function dayInsightRepository(db: Db) {
  const dayKey = (tenantId: string, kind: DayKind, day: string) => ({ pk: `T#${tenantId}#${partition[kind]}`, sk: day });

  async function page(params: QueryCommand['input'], stats: ReadStats | undefined, into: (item: Record<string, unknown>) => void, max = Infinity): Promise<void> {
    let start: Record<string, unknown> | undefined;
    let n = 0;
    do {
      const r = await db.doc.send(new QueryCommand({ ...params, ExclusiveStartKey: start }));
      if (stats) stats.queries += 1;
      for (const item of r.Items ?? []) {
        if (stats) stats.items += 1;
        if (n++ < max) into(item);
      }
      start = n < max ? r.LastEvaluatedKey : undefined;
    } while (start);
  }

  const dayItem = (tenantId: string, kind: DayKind, day: string, body: DaySales | DayTouches, at: string) => ({
    ...dayKey(tenantId, kind, day),
    type: `day${kind}`,
    day,
    at,
    body: JSON.stringify(kind === 'sales' ? packSales(body as DaySales) : body),
  });
  const runPk = (tenantId: string) => `T#${tenantId}#DAYRUN`;
  const chunkSk = (day: string, version: number, i: number) => `${day}#${String(version).padStart(6, '0')}#${String(i).padStart(2, '0')}`;
  /** The run item, on condition that it is still at the version the writer read (or absent). */
  const runPut = (tenantId: string, day: string, prev: number | null, next: Omit<DayRun, 'version'>, at: string): TransactItem => ({
    Put: {
      TableName: db.table,
      Item: { pk: runPk(tenantId), sk: day, type: 'dayRun', ...next, version: (prev ?? 0) + 1, at },
      ...(prev === null
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : { ConditionExpression: '#v = :v', ExpressionAttributeNames: { '#v': 'version' }, ExpressionAttributeValues: { ':v': prev } }),
    },
  });

  return {
    /** Writes (or, on a rerun, replaces) a day's summary. */
    async putDay(tenantId: string, kind: DayKind, day: string, body: DaySales | DayTouches, at: string): Promise<void> {
      await db.doc.send(new PutCommand({ TableName: db.table, Item: dayItem(tenantId, kind, day, body, at) }));
    },

    /** Where the job is in a tenant's day, and the totals so far (null before any part was saved). */
    async run(tenantId: string, day: string): Promise<{ run: DayRun; tally: DayTally | null } | null> {
      const r = await db.doc.send(new GetCommand({ TableName: db.table, Key: { pk: runPk(tenantId), sk: day }, ConsistentRead: true }));
      if (!r.Item) return null;
      const run: DayRun = {
        run: String(r.Item.run),
        part: Number(r.Item.part),
        done: r.Item.done === true,
        version: Number(r.Item.version),
        receipts: Number(r.Item.receipts ?? 0),
        returns: Number(r.Item.returns ?? 0),
        customers: Number(r.Item.customers ?? 0),
      };
      if (run.done || run.part === 0) return { run, tally: null };
      const chunks: Buffer[] = [];
      await page(
        {
          TableName: db.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :v)',
          ExpressionAttributeValues: { ':pk': runPk(tenantId), ':v': `${chunkSk(day, run.version, 0).slice(0, -2)}` },
          ConsistentRead: true,
        },
        undefined,
        (i) => chunks.push(Buffer.from(i.data as Uint8Array)),
      );
      return { run, tally: await decodeTally(Buffer.concat(chunks)) };
    },

    /**
     * Saves the totals after a part, if the run item is still at `prev` (null: absent). False when
     * another runner wrote first (this one stops). Throws RunStateTooLargeError past MAX_RUN_CHUNKS.
     */
    async checkpoint(tenantId: string, day: string, prev: number | null, next: Omit<DayRun, 'version' | 'done'>, tally: DayTally, at: string): Promise<boolean> {
      const bytes = await encodeTally(tally);
      const count = Math.ceil(bytes.length / CHUNK_BYTES);
      if (count > MAX_RUN_CHUNKS) throw new RunStateTooLargeError(bytes.length);
      const version = (prev ?? 0) + 1;
      const expires = ttlAfter(at, RUN_STATE_DAYS);
      const r = await transactWrite(db, [
        runPut(tenantId, day, prev, { ...next, done: false }, at),
        ...Array.from({ length: count }, (_, i) => ({
          Put: {
            TableName: db.table,
            Item: { pk: runPk(tenantId), sk: chunkSk(day, version, i), type: 'dayRunState', data: bytes.subarray(i * CHUNK_BYTES, (i + 1) * CHUNK_BYTES), [tableDefinition.timeToLiveAttribute]: expires },
          },
        })),
      ]);
      return r.ok;
    },

    /** Writes the day's two items and marks the run done, if the run item is still at `prev`; false if another runner wrote first. */
    async finish(tenantId: string, day: string, prev: number | null, next: Omit<DayRun, 'version' | 'done'>, sales: DaySales, touches: DayTouches, at: string): Promise<boolean> {
      const r = await transactWrite(db, [
        runPut(tenantId, day, prev, { ...next, done: true }, at),
        { Put: { TableName: db.table, Item: dayItem(tenantId, 'sales', day, sales, at) } },
        { Put: { TableName: db.table, Item: dayItem(tenantId, 'touches', day, touches, at) } },
      ]);
      return r.ok;
    },

    /** The days `from`..`to` (UTC, inclusive) the job has summed, in order. */
    async days<T extends DaySales | DayTouches>(tenantId: string, kind: DayKind, from: string, to: string, stats: ReadStats): Promise<Array<DayItem<T>>> {
      const out: Array<DayItem<T>> = [];
      await page(
        { TableName: db.table, KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to', ExpressionAttributeValues: { ':pk': dayKey(tenantId, kind, '').pk, ':from': from, ':to': to } },
        stats,
        (i) => {
          const body = JSON.parse(String(i.body));
          out.push({ day: String(i.day), at: String(i.at), body: (kind === 'sales' ? unpackSales(body) : body) as T });
        },
      );
      return out;
    },

    /** Records coupon codes issued to customers, where the nightly job finds them (a repeat is the same item). */
    async putCouponSends(tenantId: string, sends: ReadonlyArray<{ customerId: string; campaignId: string; code: string; at: string }>): Promise<void> {
      // A segment's issue arrives as a batch of hundreds: a bounded number of writes at once.
      const put = (s: (typeof sends)[number]) =>
        db.doc.send(
          new PutCommand({
            TableName: db.table,
            Item: {
              pk: keys.customer(tenantId, s.customerId).pk,
              sk: `TOUCH#${s.at}#CPN#${s.campaignId}#${s.code}`,
              type: 'couponSent',
              at: s.at,
              campaignId: s.campaignId,
              code: s.code,
              [tableDefinition.timeToLiveAttribute]: ttlAfter(s.at, MAX_ATTRIBUTION_DAYS + 10),
            },
          }),
        );
      for (let i = 0; i < sends.length; i += PUTS_AT_ONCE) await Promise.all(sends.slice(i, i + PUTS_AT_ONCE).map(put));
    },

    /**
     * A customer's coupon codes and journey messages sent in [from, to) (ISO instants), the newest
     * MAX_SENDS_PER_CUSTOMER of each: two Queries, each a page of small items.
     */
    async sendsOf(tenantId: string, customerId: string, from: string, to: string, stats: ReadStats): Promise<Touch[]> {
      const pk = keys.customer(tenantId, customerId).pk;
      const out: Touch[] = [];
      const range = (prefix: string) => ({
        TableName: db.table,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': pk, ':from': `${prefix}${from}`, ':to': `${prefix}${to}` },
        ScanIndexForward: false,
        Limit: MAX_SENDS_PER_CUSTOMER,
      });
      await Promise.all([
        page(range('TOUCH#'), stats, (i) => out.push({ kind: 'coupon', id: String(i.campaignId), at: String(i.at), code: String(i.code) }), MAX_SENDS_PER_CUSTOMER),
        page(
          range('JSENT#'),
          stats,
          (i) => {
            const claim = /^JSENT#[^#]+#J#([^#]+)#(\d+)$/.exec(String(i.sk));
            if (claim && String(i.sk) < `JSENT#${to}`) out.push({ kind: 'journey', id: `${claim[1]}#${claim[2]}`, at: String(i.at) });
          },
          MAX_SENDS_PER_CUSTOMER,
        ),
      ]);
      return out.filter((s) => s.at >= from && s.at < to);
    },
  };
}

export type DayInsightRepository = ReturnType<typeof dayInsightRepository>;
