/** The SQS FIFO adapter (webhook deliveries) against moto_server: groups, order, deduplication. */
import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqsFifoQueue } from '#lib/messaging/sqs.ts';
import { startMoto, type Moto } from '../support/moto.ts';

let moto: Moto;
let sqs: SQSClient;

beforeAll(async () => {
  moto = await startMoto();
  sqs = new SQSClient(moto.config);
});
afterAll(async () => {
  sqs.destroy();
  await moto.stop();
});

const fifo = async (name: string) => (await sqs.send(new CreateQueueCommand({ QueueName: `${name}.fifo`, Attributes: { FifoQueue: 'true' } }))).QueueUrl!;

describe('sqsFifoQueue on moto', () => {
  it('sends with group and deduplication ids, in batches of ten, a group in order, a repeated dedup id dropped', async () => {
    const url = await fifo('deliveries');
    const messages = Array.from({ length: 23 }, (_, i) => ({ body: { n: i }, groupId: i % 2 ? 'odd' : 'even', dedupId: `d-${i}` }));
    const q = sqsFifoQueue<{ n: number }>(sqs, url);
    await q.send(messages);
    await q.send([messages[4]!, messages[5]!]);
    const got: Array<{ n: number; group: string }> = [];
    for (let i = 0; i < 60 && got.length < 23; i++) {
      const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['MessageGroupId'] }));
      for (const m of r.Messages ?? []) {
        got.push({ n: (JSON.parse(m.Body!) as { n: number }).n, group: m.Attributes!.MessageGroupId! });
        await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle! }));
      }
    }
    expect(got).toHaveLength(23);
    expect(got.filter((m) => m.group === 'even').map((m) => m.n)).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22]);
    expect(got.filter((m) => m.group === 'odd').map((m) => m.n)).toEqual([1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21]);
    const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    expect(r.Messages ?? []).toEqual([]);
  });

  it('holds a group back while one of its messages is in flight, and not the other groups', async () => {
    const url = await fifo('held');
    await sqsFifoQueue(sqs, url).send([
      { body: 'a1', groupId: 'a', dedupId: 'a1' },
      { body: 'b1', groupId: 'b', dedupId: 'b1' },
      { body: 'a2', groupId: 'a', dedupId: 'a2' },
    ]);
    const first = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 1 }));
    expect(first.Messages!.map((m) => m.Body)).toEqual(['"a1"']);
    const next = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    expect(next.Messages!.map((m) => m.Body)).toEqual(['"b1"']);
  });

  it('throws when SQS refuses the messages, instead of losing them', async () => {
    await expect(sqsFifoQueue(sqs, `${moto.endpoint}/123456789012/nope.fifo`).send([{ body: 1, groupId: 'g', dedupId: 'd' }])).rejects.toThrow();
  });
});
