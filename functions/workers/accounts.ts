/** Account worker: birthday bonuses, expiry and expiry reminders, a batch of customers per message. */
import { deps } from '#lib/app/deps.ts';
import { handleAccountJob } from '#lib/app/jobs.ts';
import { accountJobSchema } from '#lib/messaging/queue.ts';
import { sqsWorker } from '#lib/messaging/worker.ts';

export const handler = sqsWorker('accounts', accountJobSchema, (job) => handleAccountJob(deps(), job));
