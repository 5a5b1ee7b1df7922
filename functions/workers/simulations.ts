/**
 * Simulation worker: replays a simulation's period shard by shard of customers, saving after
 * each; two minutes and more before its timeout it stops after the shard in hand and queues its
 * own continuation. One message per invocation (batch size 1): a simulation can use the whole run.
 */
import type { Context } from 'aws-lambda';
import { deps } from '#lib/app/deps.ts';
import { runSimulation } from '#lib/app/simulations.ts';
import { simulationQueue } from '#lib/messaging/queues.ts';
import { simulationWorkSchema } from '#lib/messaging/queue.ts';
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

export const handler = sqsWorker('simulations', simulationWorkSchema, (work, _record, context: Context | undefined) =>
  runSimulation(deps(), { simulations: simulationRepository(deps().db), history: history() }, work, {
    remainingMs: () => context?.getRemainingTimeInMillis() ?? 15 * 60_000,
    continueLater: () => simulationQueue().send([work]),
  }),
);
