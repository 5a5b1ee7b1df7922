/** The SQS side of `Queue`: batches of ten, failed entries sent again, a whole failure thrown. */
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { chunk, type Queue } from './queue.ts';

export function sqsQueue<T>(client: SQSClient, queueUrl: string): Queue<T> {
  return {
    async send(messages) {
      for (const batch of chunk(messages, 10)) {
        let entries = batch.map((m, i) => ({ Id: String(i), MessageBody: JSON.stringify(m) }));
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
    },
  };
}
