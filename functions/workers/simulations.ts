/**
 * Simulation worker: replays a simulation's period shard by shard of customers, saving after
 * each; two minutes and more before its timeout it stops after the shard in hand and queues its
 * own continuation. One message per invocation (batch size 1): a simulation can use the whole run.
 * It also continues the nightly insight job's days that did not fit the jobs function's 5 minutes
 * (the same history, the same continuation).
 */
import type { Context } from 'aws-lambda';
import { deps } from '#lib/app/deps.ts';
import { runSimulation } from '#lib/app/simulations.ts';
import { simulationQueue } from '#lib/messaging/queues.ts';
import { historyWorkSchema } from '#lib/messaging/queue.ts';
import { runInsightJob } from '#lib/app/insight-job.ts';
import { sqsWorker } from '#lib/messaging/worker.ts';
import { historyReader } from '#lib/storage/history.ts';
import { deploymentHistoryReader } from '#lib/storage/history-bucket.ts';
import { simulationRepository } from '#lib/storage/simulations.ts';

/** The period's receipts come from the history bucket; a deployment without one is broken, so the message goes back and, in the end, to the DLQ. */
const history = () => {
  const files = deploymentHistoryReader();
  if (!files) throw new Error('HISTORY_BUCKET is not set: the simulator has no history to replay');
  return historyReader(files);
};

export const handler = sqsWorker('simulations', historyWorkSchema, (work, _record, context: Context | undefined) => {
  const remainingMs = () => context?.getRemainingTimeInMillis() ?? 15 * 60_000;
  // The nightly insight job's continuation: a day's run taken up where it was saved.
  if (work.kind === 'insight') return runInsightJob(deps(), history(), work, { remainingMs, continueLater: (next) => simulationQueue().send([next]) });
  return runSimulation(deps(), { simulations: simulationRepository(deps().db), history: history() }, work, {
    remainingMs,
    continueLater: () => simulationQueue().send([work]),
  });
});
