/**
 * Journeys worker: domain events from the bus (they may enter customers into journeys), and the
 * journeys' own work — customers to enter, steps whose wait is over.
 */
import * as z from '#domain/zod-mini.ts';
import { deps } from '#lib/app/deps.ts';
import { handleJourneyWork, journeyWorkSchema, onEvent } from '#lib/app/journeys.ts';
import { busMessageSchema } from '#lib/events/catalog.ts';
import { sqsWorker } from '#lib/messaging/worker.ts';
import { channelsFromEnv } from '#lib/notify/channels.ts';

let senders: ReturnType<typeof channelsFromEnv> | undefined;
const message = z.union([journeyWorkSchema, busMessageSchema]);

export const handler = sqsWorker('journeys', message, (m) =>
  'kind' in m ? handleJourneyWork(deps(), (senders ??= channelsFromEnv()), m) : onEvent(deps(), (senders ??= channelsFromEnv()), m),
);
