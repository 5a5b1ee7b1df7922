/**
 * The scheduled jobs' entry point. EventBridge Scheduler invokes it with `{"job": …}` (birthday,
 * expiry and tiers hourly, notifications every 15 minutes; insight sums yesterday, UTC); a run by hand adds `day` (program time; UTC for insight)
 * and optionally `tenantId` — see events/jobs/.
 */
import type { Context } from 'aws-lambda';
import * as z from '#domain/zod-mini.ts';
import { deps } from '#lib/app/deps.ts';
import { runJob } from '#lib/app/jobs.ts';
import { runInsightJob } from '#lib/app/insight-job.ts';
import { historyReader } from '#lib/storage/history.ts';
import { deploymentHistoryReader } from '#lib/storage/history-bucket.ts';
import { releaseTimers } from '#lib/app/journeys.ts';
import { releaseDeferred } from '#lib/app/notify.ts';
import { busMessage } from '#lib/events/catalog.ts';
import { logger } from '#lib/observability/logger.ts';
import { flushMetrics } from '#lib/observability/metrics.ts';
import { accountQueue, journeyQueue, notifyQueue, simulationQueue } from '#lib/messaging/queues.ts';

export const jobEventSchema = z.strictObject({
  job: z.enum(['birthday', 'expiry', 'tiers', 'refills', 'segments', 'notifications', 'insight']),
  day: z.optional(z.iso.date()),
  tenantId: z.optional(z.string().check(z.regex(/^[A-Za-z0-9._:-]{1,64}$/))),
});

/** The day's receipts for the insight job: the history bucket, as the simulation worker reads it. */
const history = () => {
  const files = deploymentHistoryReader();
  if (!files) throw new Error('HISTORY_BUCKET is not set: the insight job has no history to read');
  return historyReader(files);
};

export const handler = async (event: unknown, context?: Context) => {
  try {
    return await run(event, context);
  } finally {
    flushMetrics();
  }
};

async function run(event: unknown, context?: Context) {
  const parsed = jobEventSchema.safeParse(event);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`job event ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const { job, ...req } = parsed.data;
  if (job === 'notifications') {
    // Messages held back by quiet hours, and journey waits, whose time has come go back to their queues.
    const queue = notifyQueue();
    const released = await releaseDeferred(deps(), (events) => queue.send(events.map(busMessage)), req.tenantId);
    const timers = await releaseTimers(deps(), journeyQueue(), req.tenantId);
    logger.info('job: deferred notifications and journey timers released', { released, timers });
    return { job, released, timers };
  }
  if (job === 'insight') {
    // Yesterday's receipts (UTC; `day` by hand) summed per tenant: top SKUs, categories, results of sends.
    // What does not fit this function's 5 minutes goes on in the simulation worker (lib/app/insight-job.ts).
    const report = await runInsightJob(deps(), history(), req, {
      remainingMs: () => context?.getRemainingTimeInMillis() ?? 5 * 60_000,
      continueLater: (work) => simulationQueue().send([work]),
    });
    logger.info('job: days summarized', { day: report.day, tenants: report.tenants.length, continued: report.continued, receipts: report.tenants.reduce((s, t) => s + t.receipts, 0) });
    return report;
  }
  const report = await runJob(deps(), accountQueue(), job, req);
  logger.info('job fanned out', { ...report, tenants: report.tenants.length, customers: report.tenants.reduce((s, t) => s + t.customers, 0) });
  return report;
}
