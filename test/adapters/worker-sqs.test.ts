/**
 * The SQS worker against a real SQS peer (moto_server), not only the local queue stand-in: a batch
 * with one poison message reports just that one as failed, backs it off with a real
 * ChangeMessageVisibility, and the queue's redrive policy parks it in the dead-letter queue after
 * its receives run out — while its batch-mate is handled once and deleted. The test plays Lambda's
 * event source mapping (receive, invoke, delete what succeeded); time passing is played by making
 * the backed-off message visible again, not by waiting.
 */
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import type { Context, SQSEvent } from 'aws-lambda';
import * as z from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retryDelaySeconds, sqsWorker } from '#lib/messaging/worker.ts';
import { startMoto, type Moto } from '../support/moto.ts';

let moto: Moto;
let sqs: SQSClient;

beforeAll(async () => {
  moto = await startMoto();
  sqs = new SQSClient(moto.config);
  // The worker's own client finds moto the way it finds SQS locally: through the endpoint variable.
  Object.assign(process.env, { AWS_ENDPOINT_URL_SQS: moto.endpoint, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' });
});
afterAll(async () => {
  sqs.destroy();
  await moto.stop();
});

const arnOf = async (QueueUrl: string) => (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
const counts = async (QueueUrl: string) => {
  const a = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }))).Attributes!;
  return { visible: Number(a.ApproximateNumberOfMessages), inFlight: Number(a.ApproximateNumberOfMessagesNotVisible) };
};
const asEvent = (arn: string, messages: Message[]): SQSEvent => ({
  Records: messages.map((m) => ({
    messageId: m.MessageId!,
    receiptHandle: m.ReceiptHandle!,
    body: m.Body!,
    attributes: { ApproximateReceiveCount: m.Attributes!.ApproximateReceiveCount!, SentTimestamp: '0', SenderId: 'test', ApproximateFirstReceiveTimestamp: '0' },
    messageAttributes: {},
    md5OfBody: m.MD5OfBody!,
    eventSource: 'aws:sqs',
    eventSourceARN: arn,
    awsRegion: 'us-east-1',
  })),
});

describe('sqsWorker on a real SQS peer', () => {
  it('should retry only the failed message, back it off on the queue, and park it in the DLQ after its receives', async () => {
    const dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'work-dlq' }))).QueueUrl!;
    const maxReceiveCount = 3;
    const queueUrl = (
      await sqs.send(
        new CreateQueueCommand({
          QueueName: 'work',
          Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: await arnOf(dlqUrl), maxReceiveCount: String(maxReceiveCount) }) },
        }),
      )
    ).QueueUrl!;
    const arn = await arnOf(queueUrl);
    const handled: string[] = [];
    const handler = sqsWorker('work', z.strictObject({ id: z.string() }), async (m) => {
      if (m.id === 'poison') throw new Error('cannot be handled');
      handled.push(m.id);
    });
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify({ id: 'good' }) }));
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify({ id: 'poison' }) }));

    for (let receive = 1; receive <= maxReceiveCount + 1; receive++) {
      const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, AttributeNames: ['All'], VisibilityTimeout: 30 }));
      const messages = r.Messages ?? [];
      if (receive > maxReceiveCount) {
        // The receives ran out: SQS moved the message to the dead-letter queue instead of delivering it.
        expect(messages).toEqual([]);
        break;
      }
      expect(messages.map((m) => JSON.parse(m.Body!).id).sort()).toEqual(receive === 1 ? ['good', 'poison'] : ['poison']);
      // A batch whose every message failed is thrown (Powertools' FullBatchFailureError): Lambda
      // then retries the whole batch, which here is that one message.
      const failed = await handler(asEvent(arn, messages), {} as Context).then(
        (result) => new Set(result.batchItemFailures.map((f) => f.itemIdentifier)),
        (e: Error) => {
          expect(e.name).toBe('FullBatchFailureError');
          return new Set(messages.map((m) => m.MessageId!));
        },
      );
      expect([...failed]).toEqual([messages.find((m) => JSON.parse(m.Body!).id === 'poison')!.MessageId]);
      // As the event source mapping does: what succeeded is deleted, what failed stays.
      const done = messages.filter((m) => !failed.has(m.MessageId!));
      if (done.length) await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
      // The worker backed the failure off on the queue itself: it is in flight, not visible.
      expect(await counts(queueUrl)).toEqual({ visible: 0, inFlight: 1 });
      expect(retryDelaySeconds(receive)).toBe(15 * 2 ** (receive - 1));
      // Time passes (the back-off ends): the message is visible again.
      const poison = messages.find((m) => JSON.parse(m.Body!).id === 'poison')!;
      await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: poison.ReceiptHandle!, VisibilityTimeout: 0 }));
    }
    expect(handled).toEqual(['good']);
    const parked = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10 }));
    expect((parked.Messages ?? []).map((m) => JSON.parse(m.Body!).id)).toEqual(['poison']);
  });
});
