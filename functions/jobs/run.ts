/**
 * The scheduled jobs' entry point. EventBridge Scheduler invokes it hourly with `{"job": …}`; a
 * run by hand adds `day` (program time) and optionally `tenantId` — see events/jobs/.
 */
import * as z from 'zod';
import { deps } from '#lib/app/deps.ts';
import { runJob } from '#lib/app/jobs.ts';
import { logger } from '#lib/http/function.ts';
import { accountQueue } from '#lib/messaging/queues.ts';

export const jobEventSchema = z.strictObject({
  job: z.enum(['birthday', 'expiry']),
  day: z.iso.date().optional(),
  tenantId: z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/).optional(),
});

export const handler = async (event: unknown) => {
  const parsed = jobEventSchema.safeParse(event);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`job event ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const report = await runJob(deps(), accountQueue(), parsed.data.job, parsed.data);
  logger.info('job fanned out', { ...report, tenants: report.tenants.length, customers: report.tenants.reduce((s, t) => s + t.customers, 0) });
  return report;
};
