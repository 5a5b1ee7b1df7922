/**
 * Notification records. A message is claimed (conditional put on the customer's partition, keyed
 * by the event id) before it is sent and marked sent after, so a retried or redelivered event
 * never sends twice; a send the provider refused releases the claim for the retry. Messages held
 * back by quiet hours wait as deferred items until the notifications job releases them.
 * Adapter: lib/app/notify → this → DynamoDB.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DomainEvent } from '../events/catalog.ts';
import type { Db } from './client.ts';
import { keys } from './keys.ts';
import { transactWrite } from './transact.ts';
import { tableDefinition, ttlAfter } from './table.ts';

/** Claims of journey messages carry this prefix (lib/app/journeys.ts). */
export const JOURNEY_CLAIM_PREFIX = 'J#';

export interface NotificationClaim {
  readonly tenantId: string;
  readonly customerId: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly channel: string;
  readonly locale: string;
  readonly text: string;
  readonly at: string;
}

export function notificationRepository(db: Db) {
  return {
    /** False if this event's message was already claimed (sent, or being sent). */
    async claim(c: NotificationClaim): Promise<boolean> {
      const claim = {
        TableName: db.table,
        Item: { ...keys.notification(c.tenantId, c.customerId, c.eventId), type: 'notification', status: 'sending', ...c },
        ConditionExpression: 'attribute_not_exists(pk)',
      };
      // A journey's message also leaves a time-ordered mark, so the frequency cap reads only the
      // marks inside its window (at most `messages` of them), never every message ever sent.
      if (c.eventId.startsWith(JOURNEY_CLAIM_PREFIX)) {
        const r = await transactWrite(db, [{ Put: claim }, { Put: { TableName: db.table, Item: { ...keys.journeySend(c.tenantId, c.customerId, c.at, c.eventId), type: 'journeySend', at: c.at, [tableDefinition.timeToLiveAttribute]: ttlAfter(c.at, 366) } } }]);
        return r.ok;
      }
      try {
        await db.doc.send(new PutCommand(claim));
        return true;
      } catch (e) {
        if (e instanceof ConditionalCheckFailedException) return false;
        throw e;
      }
    },

    async markSent(tenantId: string, customerId: string, eventId: string, providerMessageId: string, at: string): Promise<void> {
      await db.doc.send(
        new UpdateCommand({
          TableName: db.table,
          Key: keys.notification(tenantId, customerId, eventId),
          UpdateExpression: 'SET #s = :sent, providerMessageId = :id, sentAt = :at',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':sent': 'sent', ':id': providerMessageId, ':at': at },
        }),
      );
    },

    async markFailed(tenantId: string, customerId: string, eventId: string, reason: string): Promise<void> {
      await db.doc.send(
        new UpdateCommand({
          TableName: db.table,
          Key: keys.notification(tenantId, customerId, eventId),
          UpdateExpression: 'SET #s = :failed, reason = :r',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':failed': 'failed', ':r': reason.slice(0, 500) },
        }),
      );
    },

    /** The provider said no, so nothing went out: let the retry claim it again. */
    async release(tenantId: string, customerId: string, eventId: string): Promise<void> {
      await db.doc.send(new DeleteCommand({ TableName: db.table, Key: keys.notification(tenantId, customerId, eventId), ConditionExpression: '#s = :sending', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':sending': 'sending' } }));
    },

    async defer(event: DomainEvent, until: string): Promise<void> {
      await db.doc.send(new PutCommand({ TableName: db.table, Item: { ...keys.deferred(event.tenantId, until, event.id), type: 'deferredNotification', until, event } }));
    },

    /** Deferred events due by `now`, oldest first. */
    async due(tenantId: string, now: string, limit = 500): Promise<Array<{ key: { pk: string; sk: string }; event: DomainEvent }>> {
      const pk = keys.deferred(tenantId, '', '').pk;
      const r = await db.doc.send(
        new QueryCommand({ TableName: db.table, KeyConditionExpression: 'pk = :pk AND sk <= :now', ExpressionAttributeValues: { ':pk': pk, ':now': `${now}#~` }, Limit: limit }),
      );
      return (r.Items ?? []).map((i) => ({ key: { pk: i.pk as string, sk: i.sk as string }, event: i.event as DomainEvent }));
    },

    async dropDeferred(key: { pk: string; sk: string }): Promise<void> {
      await db.doc.send(new DeleteCommand({ TableName: db.table, Key: key }));
    },
  };
}

export type NotificationRepository = ReturnType<typeof notificationRepository>;
