/** The SQS side of `Queue`: batches of ten, failed entries sent again, a whole failure thrown. */
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { chunk, type FifoQueue, type Queue } from './queue.ts';

type Entry = { Id: string; MessageBody: string; MessageGroupId?: string; MessageDeduplicationId?: string };

export function sqsQueue<T>(client: SQSClient, queueUrl: string): Queue<T> {
  return { send: (messages) => sendEntries(client, queueUrl, messages.map((m) => ({ MessageBody: JSON.stringify(m) }))) };
}

/**
 * A FIFO queue (name ending `.fifo`): each message with its group and deduplication id. An entry
 * SQS refused is sent again after the others, so callers put at most one message of a group in one call.
 */
export function sqsFifoQueue<T>(client: SQSClient, queueUrl: string): FifoQueue<T> {
  return {
    send: (messages) =>
      sendEntries(client, queueUrl, messages.map((m) => ({ MessageBody: JSON.stringify(m.body), MessageGroupId: m.groupId, MessageDeduplicationId: m.dedupId }))),
  };
}

/** Batches of ten, in order; failed entries sent again, a whole failure thrown. */
async function sendEntries(client: SQSClient, queueUrl: string, messages: ReadonlyArray<Omit<Entry, 'Id'>>): Promise<void> {
  for (const batch of chunk(messages, 10)) {
    let entries: Entry[] = batch.map((m, i) => ({ Id: String(i), ...m }));
    for (let attempt = 0; entries.length > 0; attempt++) {
      const r = await client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
      const failed = new Set((r.Failed ?? []).map((f) => f.Id));
      if (failed.size === 0) break;
      const permanent = (r.Failed ?? []).find((f) => f.SenderFault);
      if (permanent || attempt === 4) {
        throw new Error(`SQS refused ${failed.size} message(s): ${(permanent ?? r.Failed?.[0])?.Code}`);
      }
      entries = entries.filter((e) => failed.has(e.Id));
      await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
    }
  }
}
