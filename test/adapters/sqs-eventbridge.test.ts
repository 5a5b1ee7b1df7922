/** The SQS and EventBridge adapters against moto_server: real requests, real protocol answers. */
import { CreateEventBusCommand, EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainEvent } from '#lib/events/catalog.ts';
import { eventBridgePublisher } from '#lib/events/eventbridge.ts';
import { sqsQueue } from '#lib/messaging/sqs.ts';
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

async function receiveAll(queueUrl: string, expected: number): Promise<string[]> {
  const bodies: string[] = [];
  for (let i = 0; i < 50 && bodies.length < expected; i++) {
    const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    bodies.push(...(r.Messages ?? []).map((m) => m.Body!));
  }
  return bodies;
}

describe('sqsQueue on moto', () => {
  it('sends every message, in batches of ten, bodies as JSON', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'accounts' }));
    const messages = Array.from({ length: 23 }, (_, i) => ({ kind: 'birthday', tenantId: 't1', day: '2027-02-28', customerIds: [`c_${i}`] }));
    await sqsQueue(sqs, QueueUrl!).send(messages);
    const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
    expect(attrs.Attributes?.ApproximateNumberOfMessages).toBe('23');
    const bodies = (await receiveAll(QueueUrl!, 23)).map((b) => JSON.parse(b));
    expect(bodies.map((b) => b.customerIds[0]).sort()).toEqual(messages.map((m) => m.customerIds[0]).sort());
  });

  it('throws when the queue does not exist, instead of losing the messages', async () => {
    await expect(sqsQueue(sqs, `${moto.endpoint}/123456789012/nope`).send([{ a: 1 }])).rejects.toThrow();
  });
});

describe('eventBridgePublisher on moto', () => {
  it('puts events on the bus, where a rule on detail-type delivers them to an SQS queue', async () => {
    const eb = new EventBridgeClient(moto.config);
    await eb.send(new CreateEventBusCommand({ Name: 'tally-test' }));
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'notify' }));
    const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    await eb.send(
      new PutRuleCommand({ Name: 'receipts', EventBusName: 'tally-test', EventPattern: JSON.stringify({ source: ['tally'], 'detail-type': ['receipt.committed'] }) }),
    );
    await eb.send(new PutTargetsCommand({ Rule: 'receipts', EventBusName: 'tally-test', Targets: [{ Id: 'notify', Arn: arn }] }));

    const events: DomainEvent[] = Array.from({ length: 12 }, (_, i) => ({
      id: `e${i}`,
      type: i % 2 === 0 ? 'receipt.committed' : 'points.earned',
      version: 1,
      tenantId: 't1',
      customerId: 'c_1',
      occurredAt: '2027-03-15T10:00:00.000Z',
      data: {} as never,
    }));
    await eventBridgePublisher(eb, 'tally-test').publish(events);
    const delivered = (await receiveAll(QueueUrl!, 6)).map((b) => JSON.parse(b));
    // Only the rule's type arrived, each once, as EventBridge's envelope around our event.
    expect(delivered.map((d) => d.detail.id).sort()).toEqual(['e0', 'e10', 'e2', 'e4', 'e6', 'e8']);
    expect(delivered[0]).toMatchObject({ source: 'tally', 'detail-type': 'receipt.committed', detail: { tenantId: 't1', version: 1 } });
    eb.destroy();
  });

  it('tags events with the queues they are for, and a rule on its queue in resources takes only those (lib/events/routing.ts)', async () => {
    const eb = new EventBridgeClient(moto.config);
    await eb.send(new CreateEventBusCommand({ Name: 'tally-routed' }));
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'journeys' }));
    const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    await eb.send(new PutRuleCommand({ Name: 'journeys', EventBusName: 'tally-routed', EventPattern: JSON.stringify({ source: ['tally'], resources: [arn] }) }));
    await eb.send(new PutTargetsCommand({ Rule: 'journeys', EventBusName: 'tally-routed', Targets: [{ Id: 'journeys', Arn: arn }] }));
    const events: DomainEvent[] = ['r0', 'r1', 'r2'].map((id) => ({ id, type: 'receipt.committed', version: 1, tenantId: 't1', customerId: 'c_1', occurredAt: '2027-03-15T10:00:00.000Z', data: {} as never }));
    await eventBridgePublisher(eb, 'tally-routed').publish(events, [[arn], [], ['arn:aws:sqs:us-east-1:123456789012:other', arn]]);
    const delivered = (await receiveAll(QueueUrl!, 2)).map((b) => JSON.parse(b));
    expect(delivered.map((d) => d.detail.id).sort()).toEqual(['r0', 'r2']);
    expect(delivered.find((d) => d.detail.id === 'r0')).toMatchObject({ resources: [arn] });
    eb.destroy();
  });

  it('throws when the bus does not exist', async () => {
    const eb = new EventBridgeClient(moto.config);
    const e: DomainEvent = { id: 'x', type: 'points.earned', version: 1, tenantId: 't', customerId: null, occurredAt: '2027-01-01T00:00:00Z', data: {} as never };
    await expect(eventBridgePublisher(eb, 'no-such-bus', 2).publish([e])).rejects.toThrow();
    eb.destroy();
  });
});
