/**
 * Who inside Tally listens to an event (lib/app/listeners.ts): the outbox tags each event with
 * those listeners' queues and each bus rule takes only its own, so an event nobody acts on costs
 * no queue message (issue "Cost per receipt"). Real repositories on DynamoDB Local; journeys and
 * webhook endpoints made through the API.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { deps } from '#lib/app/deps.ts';
import { listenersOf } from '#lib/app/listeners.ts';
import type { DomainEvent } from '#lib/events/catalog.ts';
import { LISTENER_QUEUE_ARN_ENV, resourcesFor } from '#lib/events/routing.ts';
import { keys } from '#lib/storage/keys.ts';
import { newTenant, receipt } from './harness.ts';

const program = {
  name: 'Listeners',
  currency: 'AMD',
  timeZone: 'Asia/Yerevan',
  earning: { base: { points: 1, per: 1000 } },
  notifications: { events: { 'receipt.committed': ['sms'] } },
};

const committed = (tenantId: string, customerId: string): DomainEvent =>
  ({ id: 'e1', type: 'receipt.committed', version: 1, tenantId, customerId, occurredAt: new Date().toISOString(), data: {} }) as unknown as DomainEvent;

describe('listeners of a domain event', () => {
  it('should send a receipt to the notify queue only when its customer can be told, and to journeys and webhooks only when the tenant has them', async () => {
    const t = await newTenant(program);
    const d = deps();
    const commit = async (c: { card: string; customerId: string }) => {
      const body = receipt(c.card, [{ amount: 20_000 }]);
      expect((await t.pos('POST', '/v1/receipts', body)).status).toBe(200);
      return (await d.db.doc.send(new GetCommand({ TableName: d.db.table, Key: keys.receipt(t.tenantId, 'S-01', body.receiptId) }))).Item!;
    };
    const silent = (await t.pos('POST', '/v1/customers', { name: 'No consent', phone: '+37477000201' })).body;
    const reachable = (await t.pos('POST', '/v1/customers', { name: 'Consented', phone: '+37477000202', consents: { sms: true, email: false, push: false } })).body;
    const unreachable = (await t.pos('POST', '/v1/customers', { name: 'Consented, no phone', consents: { sms: true, email: false, push: false } })).body;

    const silentItem = await commit(silent);
    expect(silentItem.notifies).toBe(false);
    expect(await listenersOf(d, committed(t.tenantId, silent.customerId), silentItem)).toEqual([]);
    expect((await commit(unreachable)).notifies).toBe(false);
    const reachableItem = await commit(reachable);
    expect(reachableItem).not.toHaveProperty('notifies');
    expect(await listenersOf(d, committed(t.tenantId, reachable.customerId), reachableItem)).toEqual(['notify']);
    // Events that come from other items go to the notify queue by their type, as before.
    expect(await listenersOf(d, { ...committed(t.tenantId, silent.customerId), type: 'birthday.granted' } as DomainEvent)).toEqual(['notify']);
    expect(await listenersOf(d, { ...committed(t.tenantId, silent.customerId), type: 'customer.enrolled' } as DomainEvent)).toEqual([]);

    // A journey triggered by the event, once started; a webhook endpoint subscribed to it, while active.
    const journey = { journeyId: 'thanks', name: 'Thanks', trigger: { kind: 'event', eventType: 'receipt.committed' }, steps: [{ kind: 'message', channels: ['sms'], templates: { en: { text: 'Thanks' } } }] };
    expect((await t.staff('POST', '/v1/journeys', journey)).status).toBe(201);
    expect(await listenersOf(d, committed(t.tenantId, silent.customerId), silentItem)).toEqual([]);
    expect((await t.staff('POST', '/v1/journeys/thanks/start')).status).toBe(200);
    expect(await listenersOf(d, committed(t.tenantId, silent.customerId), silentItem)).toEqual(['journeys']);
    const hook = await t.staff('POST', '/v1/webhooks', { url: 'https://hooks.example.com/tally', eventTypes: ['receipt.committed'] });
    expect(hook.status).toBe(201);
    expect(await listenersOf(d, committed(t.tenantId, silent.customerId), silentItem)).toEqual(['journeys', 'webhooks']);
    expect(await listenersOf(d, { ...committed(t.tenantId, silent.customerId), type: 'receipt.returned' } as DomainEvent)).toEqual([]);
    expect((await t.staff('PATCH', `/v1/webhooks/${hook.body.webhookId}`, { active: false })).status).toBe(200);
    expect(await listenersOf(d, committed(t.tenantId, silent.customerId), silentItem)).toEqual(['journeys']);
  });

  it('should name each listener by its queue ARN, as the bus rules match them', () => {
    const env = { [LISTENER_QUEUE_ARN_ENV.notify]: 'arn:aws:sqs:us-east-1:1:notify', [LISTENER_QUEUE_ARN_ENV.webhooks]: 'arn:aws:sqs:us-east-1:1:hooks' };
    expect(resourcesFor(['notify', 'webhooks'], env)).toEqual(['arn:aws:sqs:us-east-1:1:notify', 'arn:aws:sqs:us-east-1:1:hooks']);
    expect(resourcesFor([], env)).toEqual([]);
  });
});
