/** Publishes domain events on the EventBridge bus, ten to a PutEvents call, failed entries retried. */
import { PutEventsCommand, type EventBridgeClient, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { EVENT_SOURCE, type DomainEvent } from './catalog.ts';

/** The bus's name, set by the stack on the outbox function. */
export const EVENT_BUS_ENV = 'EVENT_BUS_NAME';

export interface EventPublisher {
  /**
   * Resolves when every event is on the bus; otherwise throws with how many were not.
   * `resources[i]`, if given, are event i's `resources` (lib/events/routing.ts).
   */
  publish(events: readonly DomainEvent[], resources?: ReadonlyArray<readonly string[]>): Promise<void>;
}

export const toEntry = (busName: string, e: DomainEvent, resources: readonly string[] = []): PutEventsRequestEntry => ({
  EventBusName: busName,
  Source: EVENT_SOURCE,
  DetailType: e.type,
  Detail: JSON.stringify(e),
  Time: new Date(e.occurredAt),
  ...(resources.length ? { Resources: [...resources] } : {}),
});

export function eventBridgePublisher(client: EventBridgeClient, busName: string, attempts = 4): EventPublisher {
  return {
    async publish(events, resources = []) {
      const all = events.map((e, k) => ({ e, resources: resources[k] ?? [] }));
      for (let i = 0; i < all.length; i += 10) {
        let pending = all.slice(i, i + 10);
        for (let attempt = 1; pending.length > 0; attempt++) {
          const r = await client.send(new PutEventsCommand({ Entries: pending.map((p) => toEntry(busName, p.e, p.resources)) }));
          if (!r.FailedEntryCount) break;
          const failed = pending.filter((_, k) => r.Entries?.[k]?.ErrorCode);
          if (attempt >= attempts) {
            throw new Error(`EventBridge refused ${failed.length} event(s): ${r.Entries?.find((x) => x.ErrorCode)?.ErrorCode}`);
          }
          pending = failed;
          await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
        }
      }
    },
  };
}
