/**
 * Webhook delivery end to end, against a real HTTP receiver on 127.0.0.1 that checks signatures,
 * with the delivery queue on moto_server's SQS FIFO (the real protocol peer: message groups,
 * visibility, deduplication) and the table on DynamoDB Local. The worker is invoked with what
 * SQS hands Lambda; time is the worker's injected clock, and "time passes" for SQS by making the
 * waiting message visible again — never by waiting.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ChangeMessageVisibilityCommand, CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deps, makeDeps, type Deps } from '#lib/app/deps.ts';
import { deliveryIdOf } from '#lib/app/webhooks.ts';
import { busMessage, type DomainEvent } from '#lib/events/catalog.ts';
import { QUEUE_ENV } from '#lib/messaging/queues.ts';
import { sqsFifoQueue } from '#lib/messaging/sqs.ts';
import { WEBHOOK_ENV } from '#lib/config.ts';
import { postWebhook } from '#lib/webhooks/deliver.ts';
import { verifySignature } from '#lib/webhooks/signature.ts';
import { webhookWorker } from '#lib/webhooks/worker.ts';
import { startMoto, type Moto } from '../support/moto.ts';
import { newTenant, type TestTenant } from '../integration/harness.ts';

// ---- the receiver: answers from a script, records everything, holds a response when told to.
type Reply = number | 'hold';
interface Received {
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  readonly event: DomainEvent;
  readonly answered: Reply;
}
let receiver: Server;
let receiverUrl: string;
const received: Received[] = [];
/** Replies by path, in order; when a path's script runs out it answers 200. */
const script = new Map<string, Reply[]>();
const held: ServerResponse[] = [];

// ---- SQS (moto) and the worker.
let moto: Moto;
let sqs: SQSClient;
let fifoUrl: string;
let fifoArn: string;
let now: Date;
let d: Deps;
let t: TestTenant;
const worker = () =>
  webhookWorker({
    deps: () => d,
    queue: () => sqsFifoQueue(sqs, fifoUrl),
    send: () => (url, body, headers) => postWebhook(url, body, headers, { allowPrivate: true, timeoutMs: 300 }),
    jitter: () => 0.5,
  });

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const answered = script.get(req.url!)?.shift() ?? 200;
      received.push({ path: req.url!, headers: req.headers, body, event: JSON.parse(body), answered });
      if (answered === 'hold') return void held.push(res);
      res.writeHead(answered).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

  moto = await startMoto();
  sqs = new SQSClient(moto.config);
  const q = await sqs.send(new CreateQueueCommand({ QueueName: 'tally-test-webhook-deliveries.fifo', Attributes: { FifoQueue: 'true', VisibilityTimeout: '360' } }));
  fifoUrl = q.QueueUrl!;
  fifoArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: fifoUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  // What the stack gives the worker and the API function; the local runtime allows 127.0.0.1 targets.
  Object.assign(process.env, { AWS_ENDPOINT_URL_SQS: moto.endpoint, [QUEUE_ENV.webhookDeliveries]: fifoUrl, [WEBHOOK_ENV.allowPrivateUrls]: '1' });

  now = new Date();
  d = makeDeps(deps().db, () => now);
}, 60_000);

// Each test its own tenant, so no endpoint of one test receives another's events.
beforeEach(async () => {
  t = await newTenant();
});

afterAll(async () => {
  for (const r of held) r.destroy();
  receiver.closeAllConnections();
  await new Promise((r) => receiver.close(r));
  sqs.destroy();
  await moto.stop();
});

// ---- helpers: events, the intake as the bus rule's queue hands it over, and the delivery queue as SQS hands it to Lambda.
let seq = 0;
const event = (customerId: string | null, type: DomainEvent['type'] = 'points.earned'): DomainEvent => {
  seq += 1;
  const occurredAt = new Date(now.getTime() + seq).toISOString();
  const data =
    type === 'receipt.committed'
      ? { storeId: 'S-01', receiptId: `R-${seq}`, amount: 1000, paid: 1000, pointsEarned: 10, pointsBurned: 0, balanceAfter: 10 * seq, occurredAt }
      : { seq, points: 10, pendingPoints: 0, balanceAfter: 10 * seq };
  return { id: `evt-${seq}-${Math.random().toString(36).slice(2, 8)}`, type, version: 1, tenantId: t.tenantId, customerId, occurredAt, data } as DomainEvent;
};

const intakeRecord = (e: DomainEvent, i: number): SQSRecord => ({
  messageId: `intake-${e.id}`,
  receiptHandle: `rh-${e.id}`,
  body: JSON.stringify({ version: '0', id: `eb-${i}`, account: '123456789012', region: 'us-east-1', time: e.occurredAt, resources: [], ...busMessage(e) }),
  attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(Date.now()), SenderId: 'events', ApproximateFirstReceiveTimestamp: String(Date.now()) },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:tally-test-webhooks',
  awsRegion: 'us-east-1',
});

async function intake(...events: DomainEvent[]): Promise<void> {
  expect(await worker()({ Records: events.map(intakeRecord) })).toEqual({ batchItemFailures: [] });
}

const toRecord = (m: Message): SQSRecord => ({
  messageId: m.MessageId!,
  receiptHandle: m.ReceiptHandle!,
  body: m.Body!,
  attributes: m.Attributes as unknown as SQSRecord['attributes'],
  messageAttributes: {},
  md5OfBody: m.MD5OfBody!,
  eventSource: 'aws:sqs',
  eventSourceARN: fifoArn,
  awsRegion: 'us-east-1',
});

/** Messages that failed and wait for their visibility to end, by receipt handle. */
const waiting = new Map<string, { body: string }>();

/** One poll of the delivery queue, as Lambda's poller does: receive, invoke, delete what succeeded. */
async function pump(): Promise<{ records: number; failed: number }> {
  const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: fifoUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageSystemAttributeNames: ['All'] }));
  const messages = r.Messages ?? [];
  if (messages.length === 0) return { records: 0, failed: 0 };
  const { batchItemFailures } = await worker()({ Records: messages.map(toRecord) });
  const failed = new Set(batchItemFailures.map((f) => f.itemIdentifier));
  for (const m of messages) {
    if (failed.has(m.MessageId!)) waiting.set(m.ReceiptHandle!, { body: m.Body! });
    else await sqs.send(new DeleteMessageCommand({ QueueUrl: fifoUrl, ReceiptHandle: m.ReceiptHandle! }));
  }
  return { records: messages.length, failed: failed.size };
}

/** Polls until the queue hands nothing out (every group done or waiting). */
async function drain(): Promise<void> {
  for (let i = 0; i < 50; i++) if ((await pump()).records === 0) return;
  throw new Error('the delivery queue kept handing out messages');
}

/**
 * Time passes: the worker's clock moves on, and SQS shows again each waiting message whose
 * visibility — the delay the worker set, up to its delivery's next attempt — ran out. Messages the
 * worker released itself are visible already; anything else keeps waiting.
 */
async function advance(seconds: number): Promise<void> {
  now = new Date(now.getTime() + seconds * 1000);
  for (const [receiptHandle, { body }] of waiting) {
    const m = JSON.parse(body) as { tenantId: string; webhookId: string; deliveryId: string };
    const due = (await d.webhooks.delivery(m.tenantId, m.webhookId, m.deliveryId))?.nextAttemptAt;
    if (due && Date.parse(due) <= now.getTime()) await reveal(receiptHandle);
  }
}

/** A waiting message shows up before its time (a duplicate, or a visibility change that did not take). */
async function reveal(receiptHandle: string): Promise<void> {
  await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: fifoUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: 0 }));
  waiting.delete(receiptHandle);
}

async function createEndpoint(path: string, eventTypes: string[] = ['points.earned', 'receipt.committed']) {
  const r = await t.staff('POST', '/v1/webhooks', { url: `${receiverUrl}${path}`, eventTypes });
  expect(r.status).toBe(201);
  // The worker caches a tenant's endpoints for 10 s; a worker instance started now sees the new one.
  d = makeDeps(deps().db, () => now);
  return r.body as { webhookId: string; secret: string };
}

const log = async (webhookId: string) => (await t.staff('GET', `/v1/webhooks/${webhookId}/deliveries?limit=200`)).body.deliveries as Array<Record<string, any>>;
const at = (path: string) => received.filter((r) => r.path === path);
const nowSeconds = () => Math.floor(now.getTime() / 1000);

describe('webhook delivery', () => {
  it('signs each delivery and names the event; during a rotation both secrets verify, and after the overlap only the new one is sent', async () => {
    const { webhookId, secret } = await createEndpoint('/signed');
    const e1 = event('c_sig');
    await intake(e1);
    await drain();
    const [first] = at('/signed');
    expect(first!.body).toBe(JSON.stringify(e1));
    expect(first!.headers).toMatchObject({
      'content-type': 'application/json; charset=utf-8',
      'tally-event-id': e1.id,
      'tally-event-type': 'points.earned',
      'tally-delivery-id': deliveryIdOf(e1),
      'tally-delivery-attempt': '1',
      'tally-webhook-id': webhookId,
    });
    const signature = String(first!.headers['tally-signature']);
    expect(signature).toMatch(new RegExp(`^t=${nowSeconds()},v1=[0-9a-f]{64}$`));
    expect(verifySignature(signature, secret, first!.body, nowSeconds())).toBe(true);

    const rotated = (await t.staff('POST', `/v1/webhooks/${webhookId}/rotate-secret`, { overlapSeconds: 600 })).body;
    const e2 = event('c_sig');
    await intake(e2);
    await drain();
    const during = at('/signed')[1]!;
    expect(String(during.headers['tally-signature']).split(',')).toHaveLength(3);
    expect(verifySignature(String(during.headers['tally-signature']), secret, during.body, nowSeconds())).toBe(true);
    expect(verifySignature(String(during.headers['tally-signature']), rotated.secret, during.body, nowSeconds())).toBe(true);

    // The API's clock set the overlap's end; the worker's clock is past it after this.
    await advance(700);
    const e3 = event('c_sig');
    await intake(e3);
    await drain();
    const after = at('/signed')[2]!;
    expect(String(after.headers['tally-signature']).split(',')).toHaveLength(2);
    expect(verifySignature(String(after.headers['tally-signature']), rotated.secret, after.body, nowSeconds())).toBe(true);
    expect(verifySignature(String(after.headers['tally-signature']), secret, after.body, nowSeconds())).toBe(false);
    expect((await log(webhookId)).map((x) => [x.eventId, x.state, x.attempts, x.lastStatus])).toEqual([
      [e3.id, 'delivered', 1, 200],
      [e2.id, 'delivered', 1, 200],
      [e1.id, 'delivered', 1, 200],
    ]);
  });

  it('takes a redelivered event in once: one delivery per endpoint and event', async () => {
    const { webhookId } = await createEndpoint('/once');
    const e = event('c_once');
    await intake(e);
    await intake(e);
    await drain();
    await intake(e);
    await drain();
    expect(at('/once').map((r) => r.event.id)).toEqual([e.id]);
    expect((await log(webhookId)).length).toBe(1);
  });

  it('retries after a 500 and after a timeout, on the backoff schedule, then delivers the same body', async () => {
    const { webhookId } = await createEndpoint('/flaky');
    script.set('/flaky', [500, 'hold']);
    const e = event('c_flaky');
    await intake(e);
    expect(await pump()).toEqual({ records: 1, failed: 1 });
    let [entry] = await log(webhookId);
    expect(entry).toMatchObject({ state: 'retrying', attempts: 1, lastStatus: 500, lastError: 'HTTP 500', nextAttemptAt: new Date(now.getTime() + 60_000).toISOString() });
    // SQS keeps it out of sight until then.
    expect(await pump()).toEqual({ records: 0, failed: 0 });

    // Shown again too early: it waits again without calling the receiver.
    await advance(30);
    expect(await pump()).toEqual({ records: 0, failed: 0 });
    for (const handle of [...waiting.keys()]) await reveal(handle);
    expect(await pump()).toEqual({ records: 1, failed: 1 });
    expect(at('/flaky')).toHaveLength(1);

    await advance(30);
    expect(await pump()).toEqual({ records: 1, failed: 1 });
    [entry] = await log(webhookId);
    expect(entry).toMatchObject({ state: 'retrying', attempts: 2, lastStatus: null, lastError: 'timed out', nextAttemptAt: new Date(now.getTime() + 120_000).toISOString() });

    await advance(120);
    await drain();
    expect(at('/flaky').map((r) => [r.answered, r.headers['tally-delivery-attempt'], r.body])).toEqual([
      [500, '1', JSON.stringify(e)],
      ['hold', '2', JSON.stringify(e)],
      [200, '3', JSON.stringify(e)],
    ]);
    expect((await log(webhookId))[0]).toMatchObject({ state: 'delivered', attempts: 3, lastStatus: 200, lastError: null, nextAttemptAt: null, deliveredAt: now.toISOString() });
  });

  it('parks at once on a 4xx the receiver means, and after 24 hours of failures; a replay then delivers it, once', async () => {
    const { webhookId } = await createEndpoint('/gone');
    script.set('/gone', [410]);
    const refused = event('c_gone');
    await intake(refused);
    await drain();
    expect((await log(webhookId))[0]).toMatchObject({ state: 'parked', attempts: 1, lastStatus: 410, lastError: 'HTTP 410' });

    const down = await createEndpoint('/down');
    script.set('/down', Array<Reply>(14).fill(503));
    const e = event('c_down');
    const started = now.getTime();
    await intake(e);
    for (let i = 0; i < 20; i++) {
      await drain();
      const [entry] = await log(down.webhookId);
      if (entry!.state !== 'retrying') break;
      await advance((Date.parse(entry!.nextAttemptAt) - now.getTime()) / 1000);
    }
    const [parked] = await log(down.webhookId);
    expect(parked).toMatchObject({ state: 'parked', attempts: 14, lastStatus: 503, lastError: 'HTTP 503; retried for 24 hours', nextAttemptAt: null });
    expect(Date.parse(parked!.parkedAt) - started).toBe(24 * 3_600_000);
    expect(at('/down')).toHaveLength(14);
    expect(await pump()).toEqual({ records: 0, failed: 0 });

    // Replayed through the API (the receiver is fixed now): the same body and event id, delivered once.
    const replayed = await t.staff('POST', `/v1/webhooks/${down.webhookId}/deliveries/${parked!.deliveryId}/replay`);
    expect(replayed.status).toBe(200);
    expect(replayed.body).toMatchObject({ state: 'pending', attempts: 0, replays: 1, parkedAt: null });
    expect((await t.staff('POST', `/v1/webhooks/${down.webhookId}/deliveries/${parked!.deliveryId}/replay`)).status).toBe(200);
    await drain();
    const last = at('/down').at(-1)!;
    expect([last.answered, last.body, last.headers['tally-event-id']]).toEqual([200, JSON.stringify(e), e.id]);
    expect(at('/down')).toHaveLength(15);
    expect((await log(down.webhookId))[0]).toMatchObject({ state: 'delivered', attempts: 1, replays: 1 });
    const again = await t.staff('POST', `/v1/webhooks/${down.webhookId}/deliveries/${parked!.deliveryId}/replay`);
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'delivery_not_parked', field: 'deliveryId' });
    // Both replay requests are staff actions, and audited (the second only sent the message again).
    const audit = (await t.staff('GET', '/v1/audit?limit=200')).body.records.filter((r: { action: string }) => r.action === 'webhook.replay');
    expect(audit.map((r: { after: unknown }) => r.after)).toEqual([
      { deliveryId: parked!.deliveryId, state: 'pending', replays: 1 },
      { deliveryId: parked!.deliveryId, state: 'pending', replays: 1 },
    ]);
  });

  it('replays a delivery whose message was lost (stalled for over an hour), and refuses one that is only waiting', async () => {
    const { webhookId } = await createEndpoint('/stalled');
    const realNow = now;
    now = new Date(Date.now() - 2 * 3_600_000);
    const e = event('c_lost');
    await intake(e);
    // The message is lost (say, parked in the DLQ by a worker that kept crashing).
    const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: fifoUrl, MaxNumberOfMessages: 10 }));
    for (const m of r.Messages ?? []) await sqs.send(new DeleteMessageCommand({ QueueUrl: fifoUrl, ReceiptHandle: m.ReceiptHandle! }));
    now = realNow;
    const [stalled] = await log(webhookId);
    expect(stalled).toMatchObject({ state: 'pending', attempts: 0 });
    const replayed = await t.staff('POST', `/v1/webhooks/${webhookId}/deliveries/${stalled!.deliveryId}/replay`);
    expect(replayed.body).toMatchObject({ state: 'pending', replays: 1 });
    await drain();
    expect(at('/stalled').map((x) => x.event.id)).toEqual([e.id]);

    const fresh = event('c_waiting');
    script.set('/stalled', [503]);
    await intake(fresh);
    await drain();
    const waitingOne = (await log(webhookId)).find((x) => x.eventId === fresh.id)!;
    expect(waitingOne.state).toBe('retrying');
    const refused = await t.staff('POST', `/v1/webhooks/${webhookId}/deliveries/${waitingOne.deliveryId}/replay`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toBe('deliveryId: only a parked delivery (or one stalled for an hour) can be replayed; this one is retrying');
  });

  it('keeps one customer’s deliveries in order when the first needs retries, without holding up other customers', async () => {
    const { webhookId } = await createEndpoint('/ordered');
    const [a1, a2, a3] = [event('c_a'), event('c_a', 'receipt.committed'), event('c_a')];
    const b1 = event('c_b');
    script.set('/ordered', [503]);
    // One intake batch, not in order: the worker takes them in by time.
    await intake(a3, b1, a1, a2);
    expect(await pump()).toMatchObject({ failed: 3 });
    expect(at('/ordered').map((r) => r.event.id)).toEqual([a1.id, b1.id]);
    // a2 and a3 are visible, but SQS holds customer a's group back while a1 waits.
    expect(await pump()).toEqual({ records: 0, failed: 0 });

    await advance(60);
    await drain();
    const forA = at('/ordered').filter((r) => r.event.customerId === 'c_a');
    expect(forA.map((r) => [r.event.id, r.answered])).toEqual([
      [a1.id, 503],
      [a1.id, 200],
      [a2.id, 200],
      [a3.id, 200],
    ]);
    expect((await log(webhookId)).map((x) => x.state)).toEqual(['delivered', 'delivered', 'delivered', 'delivered']);
  });

  it('delivers only subscribed types, nothing to a paused endpoint, and parks what was queued before the pause', async () => {
    const { webhookId } = await createEndpoint('/paused', ['receipt.committed']);
    await intake(event('c_p', 'points.earned'));
    expect(await log(webhookId)).toEqual([]);
    const queued = event('c_p', 'receipt.committed');
    await intake(queued);
    expect((await t.staff('PATCH', `/v1/webhooks/${webhookId}`, { active: false })).status).toBe(200);
    await drain();
    expect(at('/paused')).toEqual([]);
    expect((await log(webhookId))[0]).toMatchObject({ eventId: queued.id, state: 'parked', attempts: 0, lastError: 'the endpoint is inactive; activate it and replay' });
    d = makeDeps(deps().db, () => now);
    await intake(event('c_p', 'receipt.committed'));
    expect(await log(webhookId)).toHaveLength(1);
  });

  it('in AWS, parks a delivery whose target the address policy forbids, without connecting', async () => {
    const { webhookId } = await createEndpoint('/private');
    const aws = webhookWorker({
      deps: () => d,
      queue: () => sqsFifoQueue(sqs, fifoUrl),
      send: () => (url, body, headers) => postWebhook(url, body, headers, { allowPrivate: false, timeoutMs: 300 }),
    });
    await aws({ Records: [intakeRecord(event('c_x'), 0)] });
    const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: fifoUrl, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['All'] }));
    expect(await aws({ Records: (r.Messages ?? []).map(toRecord) })).toEqual({ batchItemFailures: [] });
    for (const m of r.Messages ?? []) await sqs.send(new DeleteMessageCommand({ QueueUrl: fifoUrl, ReceiptHandle: m.ReceiptHandle! }));
    expect(at('/private')).toEqual([]);
    expect((await log(webhookId))[0]).toMatchObject({ state: 'parked', attempts: 1, lastError: 'blocked: the URL must be an https URL' });
  });

  it('runs events/sqs/webhooks.intake.json and webhooks.delivery.json through the deployed handler as Lambda would', async () => {
    const { webhookId, secret } = await createEndpoint('/sample');
    const { readFileSync } = await import('node:fs');
    const sample = (file: string, vars: Record<string, string>) =>
      JSON.parse(Object.entries(vars).reduce((text, [k, v]) => text.replaceAll(`\${${k}}`, v), readFileSync(new URL(`../../events/sqs/${file}`, import.meta.url), 'utf8')));
    const { handler } = await import('../../functions/workers/webhooks.ts');
    // The sample's event happened in March 2027; the handler's clock is the real one.
    expect(await handler(sample('webhooks.intake.json', { TENANT: t.tenantId, CUSTOMER: 'c_sample' }))).toEqual({ batchItemFailures: [] });
    const [taken] = await log(webhookId);
    expect(taken).toMatchObject({ eventId: 'sample-evt-0001', state: 'pending' });
    const delivery = sample('webhooks.delivery.json', { TENANT: t.tenantId, WEBHOOK: webhookId, DELIVERY: taken!.deliveryId });
    expect(await handler(delivery)).toEqual({ batchItemFailures: [] });
    expect(await handler(delivery)).toEqual({ batchItemFailures: [] });
    const got = at('/sample');
    expect(got).toHaveLength(1);
    expect(verifySignature(String(got[0]!.headers['tally-signature']), secret, got[0]!.body, Math.floor(Date.now() / 1000))).toBe(true);
    expect((await log(webhookId))[0]).toMatchObject({ state: 'delivered', attempts: 1 });
    await drain();
  });
});
