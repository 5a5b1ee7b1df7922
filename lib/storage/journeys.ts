/**
 * Journeys: definitions on the tenant's partition, one run item per customer and journey (its
 * conditional put lets a customer enter once; its step, advanced conditionally, makes a
 * redelivered step a no-op), and timers for waits, released by the quarter-hourly job.
 * Adapter: lib/app/journeys → this → DynamoDB.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { JourneyDefinition } from '#domain/journeys.ts';
import type { Db } from './client.ts';
import { perProcess } from './per-process.ts';
import { queryPage } from './page.ts';
import { keys } from './keys.ts';
import { transactWrite, type TransactItem } from './transact.ts';

export type JourneyStatus = 'draft' | 'active' | 'stopped';

export interface JourneyRecord {
  readonly journeyId: string;
  readonly definition: JourneyDefinition;
  readonly status: JourneyStatus;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly startedAt?: string | undefined;
  readonly stoppedAt?: string | undefined;
}

export interface JourneyTimer {
  readonly key: { pk: string; sk: string };
  readonly journeyId: string;
  readonly customerIds: readonly string[];
  readonly step: number;
}

const conditional = async (f: () => Promise<unknown>): Promise<boolean> => {
  try {
    await f();
    return true;
  } catch (e) {
    if (e instanceof ConditionalCheckFailedException) return false;
    throw e;
  }
};

const fromItem = (i: Record<string, unknown>): JourneyRecord => {
  const { pk: _pk, sk: _sk, type: _t, tenantId: _tenant, ...rest } = i;
  return rest as unknown as JourneyRecord;
};

/** Journeys a tenant may define (drafts, active and stopped together). */
export const MAX_JOURNEYS = 200;

export function journeyRepository(db: Db) {
  const active = new Map<string, { at: number; journeys: JourneyRecord[] }>();
  return {
    /** Creates the journey with `extra` (its audit record) in one transaction; false if the id is taken. */
    async create(tenantId: string, j: JourneyRecord, extra: TransactItem[]): Promise<boolean> {
      const r = await transactWrite(db, [
        { Put: { TableName: db.table, Item: { ...keys.journey(tenantId, j.journeyId), type: 'journey', tenantId, ...j }, ConditionExpression: 'attribute_not_exists(pk)' } },
        ...extra,
      ]);
      return r.ok;
    },

    async get(tenantId: string, journeyId: string): Promise<JourneyRecord | null> {
      const r = await db.doc.send(new GetCommand({ TableName: db.table, Key: keys.journey(tenantId, journeyId), ConsistentRead: true }));
      return r.Item ? fromItem(r.Item) : null;
    },

    /** One page of the tenant's journeys, by id. */
    async list(tenantId: string, limit: number, afterSk?: string): Promise<{ journeys: JourneyRecord[]; nextSk: string | undefined }> {
      const k = keys.journey(tenantId, '');
      const page = await queryPage(db, { pk: k.pk, prefix: k.sk, limit, afterSk });
      return { journeys: page.items.map(fromItem), nextSk: page.nextSk };
    },

    /** Every journey of the tenant, a page at a time (a tenant has at most MAX_JOURNEYS). */
    async all(tenantId: string): Promise<JourneyRecord[]> {
      const out: JourneyRecord[] = [];
      let after: string | undefined;
      do {
        const page = await this.list(tenantId, 100, after);
        out.push(...page.journeys);
        after = page.nextSk;
      } while (after && out.length <= MAX_JOURNEYS);
      return out;
    },

    /** Active journeys, cached briefly: every domain event asks, and starts and stops are rare. */
    async active(tenantId: string, maxAgeMs = 10_000): Promise<JourneyRecord[]> {
      const hit = active.get(tenantId);
      if (hit && Date.now() - hit.at < maxAgeMs) return hit.journeys;
      const journeys = (await this.all(tenantId)).filter((j) => j.status === 'active');
      active.set(tenantId, { at: Date.now(), journeys });
      return journeys;
    },

    /** Moves a journey from one of `from` to `to`, with `extra` (its audit record); false if it was not in one of them. */
    async setStatus(tenantId: string, journeyId: string, from: readonly JourneyStatus[], to: JourneyStatus, at: string, extra: TransactItem[]): Promise<boolean> {
      active.delete(tenantId);
      const field = to === 'active' ? 'startedAt' : 'stoppedAt';
      const r = await transactWrite(db, [
        {
          Update: {
            TableName: db.table,
            Key: keys.journey(tenantId, journeyId),
            UpdateExpression: 'SET #s = :to, #f = :at',
            ConditionExpression: from.map((_, i) => `#s = :f${i}`).join(' OR '),
            ExpressionAttributeNames: { '#s': 'status', '#f': field },
            ExpressionAttributeValues: { ':to': to, ':at': at, ...Object.fromEntries(from.map((f, i) => [`:f${i}`, f])) },
          },
        },
        ...extra,
      ]);
      return r.ok;
    },

    /** The customer enters the journey at step 0; false if they already did (once per journey). */
    enter(tenantId: string, journeyId: string, customerId: string, at: string): Promise<boolean> {
      return conditional(() =>
        db.doc.send(
          new PutCommand({
            TableName: db.table,
            Item: { ...keys.journeyRun(tenantId, customerId, journeyId), type: 'journeyRun', tenantId, customerId, journeyId, step: 0, enteredAt: at },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
    },

    /** Moves the customer's run from step `from` to `to` (-1 = ended); false if another delivery already did. */
    advance(tenantId: string, journeyId: string, customerId: string, from: number, to: number, at: string): Promise<boolean> {
      return conditional(() =>
        db.doc.send(
          new UpdateCommand({
            TableName: db.table,
            Key: keys.journeyRun(tenantId, customerId, journeyId),
            UpdateExpression: 'SET step = :to, movedAt = :at',
            ConditionExpression: 'step = :from',
            ExpressionAttributeValues: { ':from': from, ':to': to, ':at': at },
          }),
        ),
      );
    },

    async run(tenantId: string, journeyId: string, customerId: string): Promise<{ step: number } | null> {
      const r = await db.doc.send(new GetCommand({ TableName: db.table, Key: keys.journeyRun(tenantId, customerId, journeyId), ConsistentRead: true }));
      return r.Item ? { step: r.Item.step as number } : null;
    },

    /** A wait: step `step` of these customers is due at `dueAt`. The key makes a repeat overwrite, not add. */
    async addTimer(tenantId: string, dueAt: string, journeyId: string, customerIds: readonly string[], step: number): Promise<void> {
      const tag = customerIds.length === 1 ? customerIds[0]! : `audience-${customerIds.length}-${customerIds[0]}`;
      await db.doc.send(new PutCommand({ TableName: db.table, Item: { ...keys.timer(tenantId, dueAt, `${journeyId}#${tag}#${step}`), type: 'journeyTimer', journeyId, customerIds, step } }));
    },

    async dueTimers(tenantId: string, now: string, limit = 200): Promise<JourneyTimer[]> {
      const pk = keys.timer(tenantId, '', '').pk;
      const r = await db.doc.send(
        new QueryCommand({ TableName: db.table, KeyConditionExpression: 'pk = :pk AND sk <= :now', ExpressionAttributeValues: { ':pk': pk, ':now': `${now}#~` }, Limit: limit }),
      );
      return (r.Items ?? []).map((i) => ({ key: { pk: i.pk as string, sk: i.sk as string }, journeyId: i.journeyId as string, customerIds: i.customerIds as string[], step: i.step as number }));
    },

    async dropTimer(key: { pk: string; sk: string }): Promise<void> {
      await db.doc.send(new DeleteCommand({ TableName: db.table, Key: key }));
    },

    /**
     * When this customer's journey messages were sent since `since`, at most `limit` of them (the
     * frequency cap needs no more than its own count to decide).
     */
    async journeyMessageTimes(tenantId: string, customerId: string, since: string, limit: number): Promise<string[]> {
      const r = await db.doc.send(
        new QueryCommand({
          TableName: db.table,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': keys.customer(tenantId, customerId).pk, ':from': `JSENT#${since}`, ':to': 'JSENT#~' },
          ProjectionExpression: '#at',
          ExpressionAttributeNames: { '#at': 'at' },
          Limit: limit,
        }),
      );
      return (r.Items ?? []).map((i) => i.at as string);
    },
  };
}

export type JourneyRepository = ReturnType<typeof journeyRepository>;

/** The journey repository deps() and the route function share: a journey started or stopped here clears the cached active journeys the event path reads. */
export const sharedJourneyRepository = perProcess(journeyRepository);
