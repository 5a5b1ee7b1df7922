/**
 * Domain events from the table's stream: a real flow through the HTTP handlers, the stream read
 * from DynamoDB Local, the outbox handler publishing to EventBridge on moto, a rule delivering
 * to SQS. Every event arrives; a replayed stream yields the same ids.
 */
import { CreateEventBusCommand, EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelopeSchema, type DomainEvent, type EventType } from '#lib/events/catalog.ts';
import { startStreamReader, type StreamReader } from '../../local/stream.ts';
import { newTenant, receipt, type TestTenant } from '../integration/harness.ts';
import { startMoto, type Moto } from '../support/moto.ts';

let moto: Moto;
let sqs: SQSClient;
let queueUrl: string;
let reader: StreamReader | undefined;
let t: TestTenant;

beforeAll(async () => {
  moto = await startMoto();
  sqs = new SQSClient(moto.config);
  const eb = new EventBridgeClient(moto.config);
  await eb.send(new CreateEventBusCommand({ Name: 'tally-events' }));
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'all-events' }))).QueueUrl!;
  const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  await eb.send(new PutRuleCommand({ Name: 'all', EventBusName: 'tally-events', EventPattern: JSON.stringify({ source: ['tally'] }) }));
  await eb.send(new PutTargetsCommand({ Rule: 'all', EventBusName: 'tally-events', Targets: [{ Id: 'q', Arn: arn }] }));
  eb.destroy();
  // What the stack sets on the outbox function, pointed at moto.
  Object.assign(process.env, { EVENT_BUS_NAME: 'tally-events', AWS_ENDPOINT_URL_EVENTBRIDGE: moto.endpoint });
  t = await newTenant();
}, 60_000);

afterAll(async () => {
  await reader?.stop();
  sqs.destroy();
  await moto.stop();
});

async function drainQueue(): Promise<DomainEvent[]> {
  const out: DomainEvent[] = [];
  for (let empty = 0; empty < 3; ) {
    const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
    if (!r.Messages?.length) empty += 1;
    for (const m of r.Messages ?? []) out.push(JSON.parse(m.Body!).detail as DomainEvent);
  }
  return out;
}

describe('outbox: stream → EventBridge → SQS', () => {
  it('publishes each change of a POS flow once, in the documented schemas, with no personal data', async () => {
    const enrolled = await t.pos('POST', '/v1/customers', { name: 'Anahit Petrosyan', phone: '+37491234567', email: 'anahit@example.am', consents: { sms: true, email: false, push: false } });
    const card = enrolled.body.card as string;
    const customerId = enrolled.body.customerId as string;
    const r = receipt(card, [{ amount: 60_000 }, { amount: 40_000 }]);
    expect((await t.pos('POST', '/v1/receipts', r)).status).toBe(200);
    // A retried commit writes nothing, so it publishes nothing.
    expect((await t.pos('POST', '/v1/receipts', r)).status).toBe(200);
    expect((await t.pos('POST', '/v1/returns', { returnId: 'RET-1', receiptId: r.receiptId, lines: [{ lineId: '1', quantity: 1 }] })).status).toBe(200);

    const { handler } = await import('../../functions/stream/outbox.ts');
    const mine = (e: DynamoDBStreamEvent) => ({ Records: e.Records.filter((x) => JSON.stringify(x.dynamodb?.Keys).includes(t.tenantId)) });
    reader = await startStreamReader({
      client: new DynamoDBClient({ endpoint: process.env.DYNAMODB_ENDPOINT!, region: 'us-east-1' }),
      endpoint: process.env.DYNAMODB_ENDPOINT!,
      table: process.env.TABLE_NAME!,
      handler: (e) => handler(mine(e)),
    });
    await reader.caughtUp();
    const events = (await drainQueue()).filter((e) => e.tenantId === t.tenantId);

    const types = events.map((e) => e.type).sort();
    expect(types).toEqual(
      // One event per receipt and per return: their points are in receipt.committed and receipt.returned.
      (['customer.enrolled', 'receipt.committed', 'tier.changed', 'receipt.returned'] as EventType[]).sort(),
    );
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    for (const e of events) envelopeSchema(e.type).parse(e);
    const committed = events.find((e) => e.type === 'receipt.committed')!;
    expect(committed).toMatchObject({ customerId, data: { storeId: 'S-01', receiptId: r.receiptId, amount: 100_000, pointsEarned: 1000, balanceAfter: 1000 } });
    expect(events.find((e) => e.type === 'receipt.returned')).toMatchObject({ data: { pointsReversed: 600, balanceAfter: 400, returnId: 'RET-1' } });
    const text = JSON.stringify(events);
    for (const pii of ['Anahit', '37491234567', 'anahit@example.am', card]) expect(text).not.toContain(pii);
  });

  it('a stream read again from the start republishes, through the handler and the bus, the same ids, so consumers can drop them', async () => {
    await reader?.stop();
    reader = undefined;
    await drainQueue();
    const { handler } = await import('../../functions/stream/outbox.ts');
    const mine = (e: DynamoDBStreamEvent) => ({ Records: e.Records.filter((x) => JSON.stringify(x.dynamodb?.Keys).includes(t.tenantId)) });
    const passes: DomainEvent[][] = [];
    for (let pass = 0; pass < 2; pass++) {
      // Each pass reads the whole stream from its start, as a relay that lost its position would.
      const r = await startStreamReader({
        client: new DynamoDBClient({ endpoint: process.env.DYNAMODB_ENDPOINT!, region: 'us-east-1' }),
        endpoint: process.env.DYNAMODB_ENDPOINT!,
        table: process.env.TABLE_NAME!,
        handler: (e) => handler(mine(e)),
      });
      await r.caughtUp();
      await r.stop();
      passes.push((await drainQueue()).filter((e) => e.tenantId === t.tenantId));
    }
    expect(passes[0]!).toHaveLength(4);
    const ids = (events: DomainEvent[]) => events.map((e) => e.id).sort();
    expect(ids(passes[1]!)).toEqual(ids(passes[0]!));
  });
});
