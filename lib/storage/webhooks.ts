/**
 * Webhook endpoints and their deliveries (keys.ts). An endpoint lives on the tenant's partition
 * next to a counter that bounds how many a tenant has; its deliveries have a partition of their
 * own, keyed by a time-ordered delivery id, which is both the delivery log (Query, newest first)
 * and — through a conditional put — the guarantee of one delivery per endpoint and event however
 * often the bus or a queue redelivers it.
 *
 * One endpoint's deliveries share a partition: about three writes each (taken in, attempted,
 * maybe retried), so some 300 deliveries a second per endpoint before DynamoDB's 1,000 write units
 * per partition bind — far above a chain's event rate per customer-facing system.
 *
 * Endpoint secrets are stored as they are (the worker needs them to sign), in a table encrypted
 * with its own KMS key (data stack); no read path but the worker's returns them, and the API shows
 * a secret only once, in the answer that created it.
 * Adapter: lib/app/webhooks → this → DynamoDB.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { EventType } from '../events/catalog.ts';
import type { Db } from './client.ts';
import { perProcess } from './per-process.ts';
import { queryPage } from './page.ts';
import { keys } from './keys.ts';
import { tableDefinition } from './table.ts';
import { transactWrite, type TransactItem } from './transact.ts';

export interface WebhookRecord {
  readonly webhookId: string;
  readonly url: string;
  readonly eventTypes: readonly EventType[];
  readonly description?: string | undefined;
  readonly active: boolean;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly updatedAt: string;
  /** Bumped by every change, so a change made from a stale read is refused. */
  readonly version: number;
  readonly secret: string;
  /** The secret before the last rotation, still signed with until `previousSecretExpiresAt`. */
  readonly previousSecret?: string | undefined;
  readonly previousSecretExpiresAt?: string | undefined;
  readonly secretRotatedAt?: string | undefined;
}

export type DeliveryState = 'pending' | 'retrying' | 'delivered' | 'parked';

export interface DeliveryRecord {
  readonly deliveryId: string;
  readonly webhookId: string;
  readonly eventId: string;
  readonly eventType: EventType;
  readonly customerId: string | null;
  readonly occurredAt: string;
  /** The exact bytes sent (and signed) on every attempt and replay. */
  readonly body: string;
  readonly state: DeliveryState;
  /** Attempts since the event was taken in, or since the last replay. */
  readonly attempts: number;
  readonly replays: number;
  readonly acceptedAt: string;
  /** Retries stop here (24 hours after acceptance or replay); then the delivery is parked. */
  readonly windowEndsAt: string;
  readonly nextAttemptAt?: string | undefined;
  readonly lastAttemptAt?: string | undefined;
  readonly lastStatus?: number | undefined;
  readonly lastError?: string | undefined;
  readonly deliveredAt?: string | undefined;
  readonly parkedAt?: string | undefined;
  readonly replayedAt?: string | undefined;
}

/** A delivery's log entry is needed for a while, not forever: DynamoDB's TTL (when the table has it on) removes it after this. */
export const DELIVERY_LOG_DAYS = 30;
/** The TTL attribute (epoch seconds). */
export const TTL_ATTRIBUTE = tableDefinition.timeToLiveAttribute;

const strip = (i: Record<string, unknown>) => {
  const { pk: _pk, sk: _sk, type: _t, tenantId: _tenant, [TTL_ATTRIBUTE]: _ttl, ...rest } = i;
  return rest;
};

const conditional = async (f: () => Promise<unknown>): Promise<boolean> => {
  try {
    await f();
    return true;
  } catch (e) {
    if (e instanceof ConditionalCheckFailedException) return false;
    throw e;
  }
};

export type AttemptUpdate = Pick<DeliveryRecord, 'state' | 'attempts'> &
  Partial<Pick<DeliveryRecord, 'nextAttemptAt' | 'lastAttemptAt' | 'lastStatus' | 'lastError' | 'deliveredAt' | 'parkedAt'>>;

export function webhookRepository(db: Db) {
  const subscribed = new Map<string, { at: number; webhooks: WebhookRecord[] }>();

  const endpointPut = (tenantId: string, w: WebhookRecord, condition: string, values: Record<string, unknown> = {}): TransactItem => ({
    Put: {
      TableName: db.table,
      Item: { ...keys.webhook(tenantId, w.webhookId), type: 'webhook', tenantId, ...w },
      ConditionExpression: condition,
      ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
    },
  });

  return {
    /**
     * Creates the endpoint, counts it against the tenant's maximum and writes `audit`, in one
     * transaction. 'limit' when the tenant already has `max`.
     */
    async create(tenantId: string, w: WebhookRecord, max: number, audit: TransactItem): Promise<'created' | 'limit' | 'exists'> {
      const r = await transactWrite(db, [
        {
          Update: {
            TableName: db.table,
            Key: keys.webhookCount(tenantId),
            UpdateExpression: 'ADD #n :one',
            ConditionExpression: 'attribute_not_exists(#n) OR #n < :max',
            ExpressionAttributeNames: { '#n': 'count' },
            ExpressionAttributeValues: { ':one': 1, ':max': max },
          },
        },
        endpointPut(tenantId, w, 'attribute_not_exists(pk)'),
        audit,
      ]);
      if (r.ok) {
        subscribed.delete(tenantId);
        return 'created';
      }
      if (r.reasons[0]?.code === 'ConditionalCheckFailed') return 'limit';
      if (r.reasons[1]?.code === 'ConditionalCheckFailed') return 'exists';
      throw new Error(`webhook create lost a race: ${r.reasons.map((x) => x.code).join(',')}`);
    },

    async get(tenantId: string, webhookId: string): Promise<WebhookRecord | null> {
      const r = await db.doc.send(new GetCommand({ TableName: db.table, Key: keys.webhook(tenantId, webhookId), ConsistentRead: true }));
      return r.Item ? (strip(r.Item) as unknown as WebhookRecord) : null;
    },

    async page(tenantId: string, limit: number, afterSk?: string): Promise<{ webhooks: WebhookRecord[]; nextSk: string | undefined }> {
      const k = keys.webhook(tenantId, '');
      const page = await queryPage(db, { pk: k.pk, prefix: k.sk, limit, afterSk });
      return { webhooks: page.items.map((i) => strip(i) as unknown as WebhookRecord), nextSk: page.nextSk };
    },

    /** Replaces the endpoint if it is still at `before.version`, with `audit`; false if it changed or went. */
    async update(tenantId: string, before: WebhookRecord, after: WebhookRecord, audit: TransactItem): Promise<boolean> {
      const r = await transactWrite(db, [endpointPut(tenantId, after, 'version = :v', { ':v': before.version }), audit]);
      subscribed.delete(tenantId);
      return r.ok;
    },

    /** Deletes the endpoint if it is still at `before.version`, frees its place under the maximum, with `audit`. */
    async remove(tenantId: string, before: WebhookRecord, audit: TransactItem): Promise<boolean> {
      const r = await transactWrite(db, [
        { Delete: { TableName: db.table, Key: keys.webhook(tenantId, before.webhookId), ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': before.version } } },
        { Update: { TableName: db.table, Key: keys.webhookCount(tenantId), UpdateExpression: 'ADD #n :minus', ExpressionAttributeNames: { '#n': 'count' }, ExpressionAttributeValues: { ':minus': -1 } } },
        audit,
      ]);
      subscribed.delete(tenantId);
      return r.ok;
    },

    /**
     * The active endpoints subscribed to `type`, cached briefly per tenant: every domain event
     * asks, and endpoint changes are rare (a new endpoint sees events within `maxAgeMs`).
     */
    async subscribers(tenantId: string, type: EventType, maxAgeMs = 10_000): Promise<WebhookRecord[]> {
      let hit = subscribed.get(tenantId);
      if (!hit || Date.now() - hit.at >= maxAgeMs) {
        // At most the tenant's maximum of endpoints: one page.
        hit = { at: Date.now(), webhooks: (await this.page(tenantId, 100)).webhooks.filter((w) => w.active) };
        subscribed.set(tenantId, hit);
        if (subscribed.size > 10_000) subscribed.clear();
      }
      return hit.webhooks.filter((w) => w.eventTypes.includes(type));
    },

    /** Takes an event in for an endpoint; false if it already was (a redelivery). */
    accept(tenantId: string, d: DeliveryRecord): Promise<boolean> {
      const ttl = Math.floor(Date.parse(d.acceptedAt) / 1000) + DELIVERY_LOG_DAYS * 86_400;
      return conditional(() =>
        db.doc.send(
          new PutCommand({
            TableName: db.table,
            Item: { ...keys.webhookDelivery(tenantId, d.webhookId, d.deliveryId), type: 'webhookDelivery', tenantId, ...d, [TTL_ATTRIBUTE]: ttl },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
    },

    async delivery(tenantId: string, webhookId: string, deliveryId: string): Promise<DeliveryRecord | null> {
      const r = await db.doc.send(new GetCommand({ TableName: db.table, Key: keys.webhookDelivery(tenantId, webhookId, deliveryId), ConsistentRead: true }));
      return r.Item ? (strip(r.Item) as unknown as DeliveryRecord) : null;
    },

    /** The delivery log, newest event first. */
    async deliveries(tenantId: string, webhookId: string, limit: number, afterSk?: string): Promise<{ deliveries: DeliveryRecord[]; nextSk: string | undefined }> {
      const page = await queryPage(db, { pk: keys.webhookDelivery(tenantId, webhookId, '').pk, limit, afterSk, backwards: true });
      return { deliveries: page.items.map((i) => strip(i) as unknown as DeliveryRecord), nextSk: page.nextSk };
    },

    /** Records an attempt's result if nobody else recorded one since `expectedAttempts`; false otherwise. */
    recordAttempt(tenantId: string, webhookId: string, deliveryId: string, expectedAttempts: number, u: AttemptUpdate): Promise<boolean> {
      const set = Object.entries(u).filter(([, v]) => v !== undefined);
      const remove = (['nextAttemptAt', 'lastStatus', 'lastError'] as const).filter((k) => u[k] === undefined);
      return conditional(() =>
        db.doc.send(
          new UpdateCommand({
            TableName: db.table,
            Key: keys.webhookDelivery(tenantId, webhookId, deliveryId),
            UpdateExpression: `SET ${set.map(([k]) => `#${k} = :${k}`).join(', ')}${remove.length ? ` REMOVE ${remove.map((k) => `#${k}`).join(', ')}` : ''}`,
            ConditionExpression: 'attribute_exists(pk) AND #attemptsNow = :expected AND #state IN (:pending, :retrying)',
            ExpressionAttributeNames: { ...Object.fromEntries([...set.map(([k]) => k), ...remove, 'state'].map((k) => [`#${k}`, k])), '#attemptsNow': 'attempts' },
            ExpressionAttributeValues: { ...Object.fromEntries(set.map(([k, v]) => [`:${k}`, v])), ':expected': expectedAttempts, ':pending': 'pending', ':retrying': 'retrying' },
          }),
        ),
      );
    },

    /**
     * Puts a parked delivery (or a replay not attempted yet, whose message may have been lost)
     * back to pending with a new retry window, with `audit`; false if its state moved on.
     */
    async replay(tenantId: string, d: DeliveryRecord, replays: number, at: string, windowEndsAt: string, audit: TransactItem): Promise<boolean> {
      const r = await transactWrite(db, [
        {
          Update: {
            TableName: db.table,
            Key: keys.webhookDelivery(tenantId, d.webhookId, d.deliveryId),
            UpdateExpression: 'SET #state = :pending, #attempts = :zero, #replays = :replays, #replayedAt = :at, #windowEndsAt = :end REMOVE #nextAttemptAt, #parkedAt',
            ConditionExpression: '#state = :was AND #replays = :wasReplays AND #attempts = :wasAttempts',
            ExpressionAttributeNames: Object.fromEntries(['state', 'attempts', 'replays', 'replayedAt', 'windowEndsAt', 'nextAttemptAt', 'parkedAt'].map((k) => [`#${k}`, k])),
            ExpressionAttributeValues: { ':pending': 'pending', ':zero': 0, ':replays': replays, ':at': at, ':end': windowEndsAt, ':was': d.state, ':wasReplays': d.replays, ':wasAttempts': d.attempts },
          },
        },
        audit,
      ]);
      return r.ok;
    },
  };
}

export type WebhookRepository = ReturnType<typeof webhookRepository>;

/** The webhook repository deps() and the webhooks route function share: an endpoint changed here clears the outbox's subscriber cache. */
export const sharedWebhookRepository = perProcess(webhookRepository);
