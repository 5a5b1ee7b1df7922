/** Notify worker: domain events from the bus (via its SQS queue) → at most one message each. */
import { deps } from '#lib/app/deps.ts';
import { notifyCustomer } from '#lib/app/notify.ts';
import { busMessageSchema } from '#lib/events/catalog.ts';
import { sqsWorker } from '#lib/messaging/worker.ts';
import { channelsFromEnv } from '#lib/notify/channels.ts';

let senders: ReturnType<typeof channelsFromEnv> | undefined;

export const handler = sqsWorker('notify', busMessageSchema, (event) => notifyCustomer(deps(), (senders ??= channelsFromEnv()), event));
