/**
 * Who inside Tally listens to a domain event: the notify worker, the journey worker, the webhook
 * worker. The outbox tags each event on the bus with its listeners' queues (lib/events/routing.ts)
 * and each bus rule takes only the events tagged for its queue, so an event nobody acts on costs
 * no queue message, no worker run and no read (three of each per receipt before: #14). The bus,
 * its archive and a chain's own rules still get every event. The journey and webhook answers come
 * from the same caches their workers read (10 s per tenant), so a journey started or an endpoint
 * added hears events within seconds, as before.
 */
import { notifiableEvents } from '#domain/notifications.ts';
import { triggeredBy } from '#domain/journeys.ts';
import { MAX_SEGMENT_DEFINITIONS } from '#domain/segments.ts';
import { segmentEvents } from '../events/catalog.ts';
import type { DomainEvent } from '../events/catalog.ts';
import type { Listener } from '../events/routing.ts';
import type { Deps } from './deps.ts';

/**
 * `item` is the stored item the event came from: a receipt says at commit whether anyone would be
 * told of it (`notifies: false` when the program has no message for it or the customer consented
 * to no channel they can be reached on), which the notify worker would otherwise find out by
 * reading the customer.
 */
export async function listenersOf(deps: Pick<Deps, 'journeys' | 'webhooks' | 'segments'>, event: DomainEvent, item?: Readonly<Record<string, unknown>>): Promise<Listener[]> {
  const out: Listener[] = [];
  if (event.customerId && event.type in notifiableEvents && item?.notifies !== false) out.push('notify');
  if (event.customerId && (await deps.journeys.active(event.tenantId)).some((j) => triggeredBy(j.definition, event.type))) out.push('journeys');
  if ((await deps.webhooks.subscribers(event.tenantId, event.type)).length > 0) out.push('webhooks');
  // A tenant without segment definitions has no membership to keep current (the nightly job
  // still clears the members of a definition removed since).
  if (event.customerId && (segmentEvents as readonly string[]).includes(event.type) && (await deps.segments.defined(event.tenantId, MAX_SEGMENT_DEFINITIONS)).length > 0) out.push('segments');
  return out;
}
