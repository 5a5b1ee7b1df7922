/**
 * Account worker: birthday bonuses, expiry and expiry reminders, segment evaluations, a batch of
 * customers per message; and domain events about a customer (a bus rule), after which that
 * customer's defined segments are evaluated again.
 */
import * as z from '#domain/zod-mini.ts';
import { deps } from '#lib/app/deps.ts';
import { handleAccountJob } from '#lib/app/jobs.ts';
import { evaluateCustomerSegments } from '#lib/app/segments.ts';
import { busMessageSchema } from '#lib/events/catalog.ts';
import { accountJobSchema } from '#lib/messaging/queue.ts';
import { sqsWorker } from '#lib/messaging/worker.ts';

const message = z.union([accountJobSchema, busMessageSchema]);

export const handler = sqsWorker('accounts', message, (m) =>
  'kind' in m ? handleAccountJob(deps(), m) : m.customerId ? evaluateCustomerSegments(deps(), m.tenantId, m.customerId) : Promise.resolve('nothing'),
);
