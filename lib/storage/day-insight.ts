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
 * Journey messages already leave `JSENT#{iso}#J#{journey}#{step}` items in the customer's
 * partition (storage/notifications.ts); coupons have no item there, so the reports consumer puts
 * one for each code issued to a customer. A day item is one bounded item (domain/day-insight.ts
 * caps what it holds), its lists kept as one JSON attribute.
 */
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { MAX_ATTRIBUTION_DAYS, type DaySales, type DayTouches, type Touch } from '#domain/day-insight.ts';
import type { Db } from './client.ts';
import { keys } from './keys.ts';
import { tableDefinition, ttlAfter } from './table.ts';
import type { ReadStats } from './insight.ts';

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

  return {
    /** Writes (or, on a rerun, replaces) a day's summary. */
    async putDay(tenantId: string, kind: DayKind, day: string, body: DaySales | DayTouches, at: string): Promise<void> {
      await db.doc.send(new PutCommand({ TableName: db.table, Item: { ...dayKey(tenantId, kind, day), type: `day${kind}`, day, at, body: JSON.stringify(body) } }));
    },

    /** The days `from`..`to` (UTC, inclusive) the job has summed, in order. */
    async days<T extends DaySales | DayTouches>(tenantId: string, kind: DayKind, from: string, to: string, stats: ReadStats): Promise<Array<DayItem<T>>> {
      const out: Array<DayItem<T>> = [];
      await page(
        { TableName: db.table, KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to', ExpressionAttributeValues: { ':pk': dayKey(tenantId, kind, '').pk, ':from': from, ':to': to } },
        stats,
        (i) => out.push({ day: String(i.day), at: String(i.at), body: JSON.parse(String(i.body)) as T }),
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
