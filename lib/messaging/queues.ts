/**
 * The queues this deployment has, by name, each found through an environment variable the stack
 * sets. The SQS client honours `AWS_ENDPOINT_URL_SQS`, which is how the local runtime and the
 * tests point it at their own peer.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { requiredEnv } from '../config.ts';
import type { JourneyWork } from '../app/journeys.ts';
import type { busMessage } from '../events/catalog.ts';
import type { DeliveryMessage } from '../app/webhooks.ts';
import type { SimulationWork } from '../app/simulations.ts';
import type { InsightWork } from '../app/insight-job.ts';
import type { AccountJob, FifoQueue, ImportContinuation, Queue } from './queue.ts';
import { sqsFifoQueue, sqsQueue } from './sqs.ts';

export const QUEUE_ENV = {
  accounts: 'ACCOUNT_QUEUE_URL',
  notify: 'NOTIFY_QUEUE_URL',
  journeys: 'JOURNEY_QUEUE_URL',
  webhookDeliveries: 'WEBHOOK_DELIVERY_QUEUE_URL',
  imports: 'IMPORT_QUEUE_URL',
  simulations: 'SIMULATION_QUEUE_URL',
} as const;

let client: SQSClient | undefined;
const sqs = () => (client ??= new SQSClient({ maxAttempts: 3 }));

/** A queue whose URL is read when something is sent, so a route that never sends needs no queue. */
const lazyQueue = <T>(env: string): Queue<T> => ({ send: (messages) => sqsQueue<T>(sqs(), requiredEnv(env)).send(messages) });

export const accountQueue = (): Queue<AccountJob> => lazyQueue(QUEUE_ENV.accounts);
export const journeyQueue = (): Queue<JourneyWork> => lazyQueue(QUEUE_ENV.journeys);
/** The import queue: S3 puts file events on it; the import worker puts its own continuations. */
export const importQueue = (): Queue<ImportContinuation> => lazyQueue(QUEUE_ENV.imports);

/** The simulation queue: POST /v1/simulations puts a simulation on it, the jobs function an insight day's continuation; the worker its own continuations. */
export const simulationQueue = (): Queue<SimulationWork | InsightWork> => lazyQueue(QUEUE_ENV.simulations);

/** The notify queue takes what a bus rule delivers: EventBridge's envelope around the event. */
export const notifyQueue = (): Queue<ReturnType<typeof busMessage>> => lazyQueue(QUEUE_ENV.notify);

/** The webhook deliveries (FIFO): one message group per endpoint and customer keeps their order. */
export const webhookDeliveryQueue = (): FifoQueue<DeliveryMessage> => ({ send: (messages) => sqsFifoQueue<DeliveryMessage>(sqs(), requiredEnv(QUEUE_ENV.webhookDeliveries)).send(messages) });
