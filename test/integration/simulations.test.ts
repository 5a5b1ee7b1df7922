/**
 * The program simulator through the staff API and its worker: receipts committed at the till,
 * a simulation started with POST /v1/simulations (its message on moto's SQS), the worker's
 * Lambda handler run from that message — stopping at a checkpoint near its timeout and queueing
 * its continuation — and the report read back with GET. Then the publishing rule.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { isCounted } from '#domain/insight.ts';
import { fakeLambdaContext } from '../../local/api-event.ts';
import { startStreamReader, type StreamReader } from '../../local/stream.ts';
import { startMoto, type Moto } from '../support/moto.ts';
import { newTenant, receipt, scenarioProgram, type TestTenant } from './harness.ts';

let moto: Moto;
let sqs: SQSClient;
let s3: S3Client;
let queueUrl: string;
const bucket = 'tally-test-history';
let handler: (event: SQSEvent, context: Context) => Promise<{ batchItemFailures: Array<{ itemIdentifier: string }> }>;
let reportCounters: (event: DynamoDBStreamEvent) => Promise<{ batchItemFailures: Array<{ itemIdentifier: string }> }>;
/**
 * The table's stream into the reports function, as the stack's filter lets it through, for this
 * file's tenants only (the suite shares one table): it writes the history the worker replays.
 */
let stream: StreamReader;
const tenants = new Set<string>();
/** Each batch the reports function took, as it was delivered. */
const batches: DynamoDBRecord[][] = [];

beforeAll(async () => {
  moto = await startMoto();
  sqs = new SQSClient(moto.config);
  s3 = new S3Client({ ...moto.config, forcePathStyle: true });
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'tally-test-simulations' }))).QueueUrl!;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  Object.assign(process.env, { SIMULATION_QUEUE_URL: queueUrl, AWS_ENDPOINT_URL_SQS: moto.endpoint, AWS_ENDPOINT_URL_S3: moto.endpoint, HISTORY_BUCKET: bucket });
  ({ handler } = (await import('../../functions/workers/simulations.ts')) as never);
  ({ handler: reportCounters } = (await import('../../functions/stream/report-counters.ts')) as never);
  const ours = (r: DynamoDBRecord) => [...tenants].some((t) => JSON.stringify(r.dynamodb?.Keys).includes(`T#${t}#`)) && isCounted(r.eventName, r.dynamodb?.NewImage?.type?.S);
  stream = await startStreamReader({
    client: new DynamoDBClient({ endpoint: process.env.DYNAMODB_ENDPOINT!, region: 'us-east-1' }),
    endpoint: process.env.DYNAMODB_ENDPOINT!,
    table: process.env.TABLE_NAME!,
    from: 'LATEST',
    handler: async (e) => {
      const Records = e.Records.filter(ours);
      if (!Records.length) return { batchItemFailures: [] };
      const r = await reportCounters({ Records });
      if (!r.batchItemFailures.length) batches.push(Records);
      return r;
    },
  });
});
afterAll(async () => {
  await stream.stop();
  sqs.destroy();
  s3.destroy();
  await moto.stop();
});

/** Every line of a tenant's history files, however many files repeat it. */
async function historyLines(tenantId: string): Promise<string[]> {
  const keys = (await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `history/tenant=${tenantId}/` }))).Contents?.map((o) => o.Key!) ?? [];
  const lines: string[] = [];
  for (const Key of keys) {
    const body = await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key }))).Body!.transformToByteArray();
    lines.push(...gunzipSync(body).toString('utf8').split('\n').filter(Boolean));
  }
  return lines;
}

/** The next message on the queue, as the SQS event Lambda would hand the worker. */
async function nextMessage(): Promise<SQSEvent> {
  const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 1, MessageSystemAttributeNames: ['All'] }));
  const m = r.Messages?.[0];
  if (!m) throw new Error('no message on the simulation queue');
  await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle! }));
  return {
    Records: [
      {
        messageId: m.MessageId!,
        receiptHandle: m.ReceiptHandle!,
        body: m.Body!,
        attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(Date.now()), SenderId: 'test', ApproximateFirstReceiveTimestamp: String(Date.now()) },
        messageAttributes: {},
        md5OfBody: m.MD5OfBody!,
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:tally-test-simulations',
        awsRegion: 'us-east-1',
      },
    ],
  };
}

const withTime = (ms: number): Context => ({ ...fakeLambdaContext('simulation-worker'), getRemainingTimeInMillis: () => ms });

/** The harness's program plus an every-2nd-receipt bonus; the draft doubles the base rate and lowers silver. */
const inForce = { ...scenarioProgram, receipts: { maxAgeDays: 3650, crossStoreReturns: true }, earning: { base: { points: 1, per: 100 }, rules: [{ id: 'second', name: '+30 every 2nd', type: 'nthReceipt', every: 2, points: 30 }] } };
const draft = {
  ...inForce,
  earning: { base: { points: 2, per: 100 }, rules: inForce.earning.rules },
  tiers: { ...scenarioProgram.tiers, levels: [scenarioProgram.tiers.levels[0], { ...scenarioProgram.tiers.levels[1], threshold: 20_000 }, scenarioProgram.tiers.levels[2]] },
};

interface Committed {
  pointsEarned: number;
  pointsBurned: number;
  tierDiscount: number;
  paid: number;
}

async function history(t: TestTenant): Promise<{ from: string; to: string; answers: Committed[]; reversed: number }> {
  tenants.add(t.tenantId);
  const from = new Date(Date.now() - 60_000).toISOString();
  const answers: Committed[] = [];
  const cards: string[] = [];
  for (let c = 0; c < 4; c++) cards.push((await t.pos('POST', '/v1/customers', { consents: {} })).body.card);
  let first: ReturnType<typeof receipt> | undefined;
  for (let i = 0; i < 10; i++) {
    const body = receipt(cards[i % 4]!, [{ amount: 9_000 + 1_000 * i }, { amount: 4_000, category: 'rx' }], i >= 8 ? { burn: { points: 20 } } : {});
    first ??= body;
    const r = i % 3 === 2 ? await t.pos2('POST', '/v1/receipts', body) : await t.pos('POST', '/v1/receipts', body);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    answers.push(r.body.totals);
  }
  const ret = await t.pos('POST', '/v1/returns', { returnId: `RET-${Date.now()}`, receiptId: first!.receiptId, lines: [{ lineId: '1', quantity: 1 }] });
  expect(ret.status, JSON.stringify(ret.body)).toBe(200);
  // The reports function has written them to the history bucket.
  await stream.caughtUp();
  return { from, to: new Date(Date.now() + 60_000).toISOString(), answers, reversed: ret.body.totals.pointsReversed };
}

const sum = (xs: Committed[], k: keyof Committed) => xs.reduce((s, x) => s + x[k], 0);

describe('program simulator through the staff API', () => {
  it('should replay a period of committed receipts in a worker with checkpoints, and report both programs side by side', async () => {
    const t = await newTenant(inForce);
    const h = await history(t);
    // The stream delivers again: the first batch whole (its files overwritten), and everything as
    // one batch cut after its first record (a partial retry: other files, repeating every receipt
    // and return but the first). The replay counts each once.
    const own = batches.filter((b) => JSON.stringify(b[0]?.dynamodb?.Keys).includes(`T#${t.tenantId}#`));
    expect((await historyLines(t.tenantId)).length).toBe(11);
    for (const Records of [own[0]!, own.flat().slice(1)]) expect((await reportCounters({ Records })).batchItemFailures).toEqual([]);
    expect((await historyLines(t.tenantId)).length).toBeGreaterThanOrEqual(11 + 10);

    // A new tenant has no history before the period: a day's warm-up reads one more day for nothing.
    const start = await t.staff('POST', '/v1/simulations', { draft, from: h.from, to: h.to, topN: 3, warmupDays: 1 });
    expect(start.status, JSON.stringify(start.body)).toBe(202);
    expect(start.body).toMatchObject({ status: 'queued', currentVersion: 1, progress: { shards: 16, shardsDone: 0 } });
    const id = start.body.simulationId;

    // Near its timeout the worker saves after one shard and queues its own continuation.
    expect((await handler(await nextMessage(), withTime(60_000))).batchItemFailures).toEqual([]);
    const mid = await t.staff('GET', `/v1/simulations/${id}`);
    expect(mid.body).toMatchObject({ status: 'running', progress: { shardsDone: 1 } });
    expect(mid.body.report).toBeNull();

    const continuation = await nextMessage();
    expect((await handler(continuation, withTime(15 * 60_000))).batchItemFailures).toEqual([]);
    const done = await t.staff('GET', `/v1/simulations/${id}`);
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: 'done', progress: { shardsDone: 16, receipts: 10, returns: 1, unreplayable: 0 } });
    // Each shard listed the one day and read its files; nothing from the table.
    expect(done.body.progress.readUnits).toBe(0);
    expect(done.body.progress.historyRequests).toBeGreaterThanOrEqual(16 * 2);
    const r = done.body.report;
    // Under the program in force the replay finds what the till recorded, receipt for receipt.
    expect(r.current.totals).toMatchObject({
      receipts: 10,
      returns: 1,
      pointsIssued: sum(h.answers, 'pointsEarned'),
      pointsBurned: sum(h.answers, 'pointsBurned'),
      tierDiscount: sum(h.answers, 'tierDiscount'),
      paid: sum(h.answers, 'paid'),
      pointsReversed: h.reversed,
      refused: 0,
      burnsCut: 0,
    });
    expect(Object.keys(r.current.byStore).sort()).toEqual(['S-01', 'S-02']);
    // Each of the four customers' second receipt.
    expect(r.current.byRule.second.receipts).toBe(4);
    // The draft earns about twice as much and lowers silver: someone changes tier, everyone gains.
    expect(r.draft.totals.pointsIssued).toBeGreaterThan(r.current.totals.pointsIssued * 1.8);
    expect(r.tierChanges.length).toBeGreaterThan(0);
    expect(r.topGainers).toHaveLength(3);
    expect(r.topLosers).toEqual([]);

    // A second delivery of the message changes nothing.
    expect((await handler(continuation, withTime(15 * 60_000))).batchItemFailures).toEqual([]);
    const again = await t.staff('GET', `/v1/simulations/${id}`);
    expect(again.body).toEqual(done.body);
  }, 60_000);

  it("should replay October warmed up on September and find exactly the till's October in its ledgers, which empty accounts do not", async () => {
    // The till's clock (and so every commit time, ledger entry and history day) is set by hand;
    // only Date is faked, so the stream reader and the SDK's timers run as usual.
    const program = { ...inForce, bonuses: { tierUpgrade: 100 } };
    const t = await newTenant(program);
    tenants.add(t.tenantId);
    const till = async (iso: string, call: TestTenant['pos'], path: string, body: unknown) => {
      vi.setSystemTime(new Date(Date.parse(iso) + 5 * 60_000));
      const r = await call('POST', path, body);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return r.body;
    };
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-09-01T08:00:00Z') });
    const october: Array<{ totals: Committed; tierUpgrade?: { bonusPoints: number } }> = [];
    let reversedInOctober = 0;
    const ids: string[] = [];
    try {
      const cards: string[] = [];
      for (let c = 0; c < 3; c++) {
        const r = await t.pos('POST', '/v1/customers', { consents: {} });
        cards.push(r.body.card);
        ids.push(r.body.customerId);
      }
      const [anna, boris, carl] = cards as [string, string, string];
      // The end of September: Anna reaches silver (50,000) on her third receipt; Boris buys three
      // times (45,000); Carl buys once and never again. (The days are few, so that a shard lists few.)
      const sept = (day: number, card: string, amount: number, extra: Record<string, unknown> = {}) =>
        receipt(card, [{ amount }, { amount: 2_000, category: 'rx' }], { occurredAt: `2026-09-${String(day).padStart(2, '0')}T12:00:00+04:00`, ...extra });
      for (const [day, card, amount] of [[19, anna, 20_000], [21, boris, 15_000], [23, anna, 20_000], [24, carl, 10_000], [25, anna, 20_000], [27, boris, 15_000]] as const) {
        const body = sept(day, card, amount);
        await till(body.occurredAt, day % 2 ? t.pos : t.pos2, '/v1/receipts', body);
      }
      const borisSecond = sept(28, boris, 9_000);
      await till(borisSecond.occurredAt, t.pos, '/v1/receipts', borisSecond);
      // October: Anna (silver: 1 %, and her 4th receipt earns the every-2nd bonus) burns
      // September's points and reaches gold (80,000); Boris returns September's receipt and
      // reaches silver with a big one.
      const oct = (day: number, card: string, amount: number, extra: Record<string, unknown> = {}) =>
        receipt(card, [{ amount }, { amount: 3_000, category: 'rx' }], { occurredAt: `2026-10-${String(day).padStart(2, '0')}T11:00:00+04:00`, ...extra });
      for (const body of [oct(2, anna, 12_000, { burn: { points: 50 } }), oct(4, boris, 16_000), oct(6, anna, 15_000, { burn: { points: 40 } }), oct(8, boris, 4_000)]) {
        october.push(await till(body.occurredAt, t.pos, '/v1/receipts', body));
      }
      const ret = await till('2026-10-09T10:00:00+04:00', t.pos, '/v1/returns', { returnId: `RET-OCT-${Date.now()}`, receiptId: borisSecond.receiptId, lines: [{ lineId: '1', quantity: 1 }] });
      reversedInOctober = ret.totals.pointsReversed;
    } finally {
      vi.useRealTimers();
    }
    await stream.caughtUp();

    // What the till did in October, from the ledgers: every entry made in the period (its first ten days), by kind.
    const from = '2026-10-01T00:00:00+04:00';
    const to = '2026-10-11T00:00:00+04:00';
    const ledger: Record<string, number> = {};
    const tiers: Record<string, number> = {};
    for (const id of ids.slice(0, 2)) {
      for (const e of (await t.staff('GET', `/v1/customers/${id}/ledger?limit=200`)).body.entries) {
        if (Date.parse(e.at) >= Date.parse(from) && Date.parse(e.at) < Date.parse(to)) ledger[e.kind] = (ledger[e.kind] ?? 0) + e.points;
      }
      const tier = (await t.staff('GET', `/v1/customers/${id}`)).body.tier.id;
      tiers[tier] = (tiers[tier] ?? 0) + 1;
    }
    expect(Object.keys(ledger).sort()).toEqual(['bonus', 'burn', 'earn', 'earn_reversal']);
    expect(tiers).toEqual({ gold: 1, silver: 1 });

    // The draft: silver from 100,000 and gold from 200,000, which no one reaches in these two months.
    const stricter = { ...program, tiers: { ...program.tiers, levels: [program.tiers.levels[0], { ...program.tiers.levels[1], threshold: 100_000 }, { ...program.tiers.levels[2], threshold: 200_000 }] } };
    const simulate = async (warmupDays: number) => {
      const start = await t.staff('POST', '/v1/simulations', { draft: stricter, from, to, warmupDays, draftWarmup: 'inForce' });
      expect(start.status, JSON.stringify(start.body)).toBe(202);
      expect((await handler(await nextMessage(), withTime(15 * 60_000))).batchItemFailures).toEqual([]);
      const done = await t.staff('GET', `/v1/simulations/${start.body.simulationId}`);
      expect(done.body.status).toBe('done');
      return done.body;
    };
    // Twelve days of warm-up reach back over September's receipts.
    const warm = await simulate(12);
    expect(warm.warmup).toEqual({ days: 12, draft: 'inForce', from: '2026-09-18T20:00:00.000Z', to: '2026-09-30T20:00:00.000Z', receipts: 7, returns: 0 });
    expect(warm.progress).toMatchObject({ receipts: 4, returns: 1, unreplayable: 0 });
    const w = warm.report.current.totals;
    const sumOct = (k: keyof Committed) => october.reduce((s, a) => s + a.totals[k], 0);
    expect(w).toMatchObject({
      receipts: 4,
      returns: 1,
      paid: sumOct('paid'),
      tierDiscount: sumOct('tierDiscount'),
      pointsIssued: ledger.earn! + ledger.bonus!,
      pointsBurned: -ledger.burn!,
      pointsReversed: -ledger.earn_reversal!,
      burnsCut: 0,
      refused: 0,
    });
    expect(w.pointsIssued).toBe(sumOct('pointsEarned') + october.reduce((s, a) => s + (a.tierUpgrade?.bonusPoints ?? 0), 0));
    expect(w.pointsReversed).toBe(reversedInOctober);
    // The tiers the till left, for October's customers (Carl, September's only, is not one).
    expect(warm.report.customers).toBe(2);
    expect(warm.report.current.finalTiers).toEqual(tiers);
    // The draft as if published on 1 October: Anna keeps the silver she brought in (levels are
    // lowered only by a period's review) and gets its discount on her first receipt; she never
    // reaches the draft's gold. Had the draft built her account, she would have had no level at all.
    expect(warm.report.draft.byTier.silver.receipts).toBe(2);
    expect(warm.report.draft.totals.tierDiscount).toBeGreaterThan(0);
    expect(warm.report.draft.finalTiers).toEqual({ silver: 1, standard: 1 });
    expect(warm.report.draft.totals).toMatchObject({ receipts: 4, returns: 1, burnsCut: 0, refused: 0 });

    // From empty accounts the same month is another chain's: no silver discount, no bonus for
    // Anna's 4th receipt, burns cut for want of September's points, a return without its receipt.
    const cold = await simulate(0);
    expect(cold.warmup).toMatchObject({ days: 0, receipts: 0, from: cold.from, to: cold.from });
    const c = cold.report.current.totals;
    expect(c.tierDiscount).toBeLessThan(w.tierDiscount);
    expect(c.pointsIssued).toBeLessThan(w.pointsIssued);
    expect(c.pointsBurned).toBeLessThan(w.pointsBurned);
    expect(c.burnsCut).toBeGreaterThan(0);
    expect(cold.report.current.refusals).toEqual({ receipt_not_replayed: 1 });
    expect(cold.report.current.finalTiers).not.toEqual(tiers);
  }, 60_000);

  it('should refuse to publish a draft without a finished simulation of exactly it, where the program says so, naming the rule', async () => {
    const t = await newTenant({ ...inForce, simulation: { requiredBeforePublish: true } });
    const toPublish = { ...draft, simulation: { requiredBeforePublish: true } };
    const refused = await t.staff('POST', '/v1/program', { document: toPublish });
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({ code: 'simulation_required', field: 'document' });
    expect(refused.body.error.message).toContain('simulation.requiredBeforePublish');

    const now = Date.now();
    const start = await t.staff('POST', '/v1/simulations', { draft: toPublish, from: new Date(now - 86_400_000).toISOString(), to: new Date(now).toISOString(), warmupDays: 0 });
    expect(start.status).toBe(202);
    // Started is not finished.
    expect((await t.staff('POST', '/v1/program', { document: toPublish })).status).toBe(422);
    await nextMessage();
    // The worker as Lambda hands it the sample event (events/sqs/simulations.simulate.json).
    const sample = readFileSync(new URL('../../events/sqs/simulations.simulate.json', import.meta.url), 'utf8').replaceAll('${TENANT}', t.tenantId).replaceAll('${SIMULATION}', start.body.simulationId);
    expect((await handler(JSON.parse(sample), withTime(15 * 60_000))).batchItemFailures).toEqual([]);
    expect((await t.staff('GET', `/v1/simulations/${start.body.simulationId}`)).body.status).toBe('done');

    // Another draft (one number changed) still needs its own; the simulated one is published.
    const other = { ...toPublish, earning: { ...toPublish.earning, base: { points: 3, per: 100 } } };
    expect((await t.staff('POST', '/v1/program', { document: other })).status).toBe(422);
    const published = await t.staff('POST', '/v1/program', { document: toPublish });
    expect(published.status, JSON.stringify(published.body)).toBe(201);
  });

  it('should refuse a bad draft or period naming the field, and write nothing', async () => {
    const t = await newTenant(inForce);
    const bad = await t.staff('POST', '/v1/simulations', { draft: { ...draft, currency: 'XXX' }, from: '2026-11-01T00:00:00Z', to: '2026-11-02T00:00:00Z' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('draft.currency');
    const backwards = await t.staff('POST', '/v1/simulations', { draft, from: '2026-11-02T00:00:00Z', to: '2026-11-01T00:00:00Z' });
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.field).toBe('to');
    const tooLong = await t.staff('POST', '/v1/simulations', { draft, from: '2025-01-01T00:00:00Z', to: '2026-11-01T00:00:00Z' });
    expect(tooLong.status).toBe(422);
    expect(tooLong.body.error.message).toContain('simulation.maxDays');
    const warmTooLong = await t.staff('POST', '/v1/simulations', { draft, from: '2026-10-01T00:00:00Z', to: '2026-11-01T00:00:00Z', warmupDays: 367 });
    expect(warmTooLong.status).toBe(422);
    expect(warmTooLong.body.error).toMatchObject({ code: 'limit_exceeded', field: 'warmupDays' });
    expect(warmTooLong.body.error.message).toContain('simulation.maxWarmupDays');
    const negative = await t.staff('POST', '/v1/simulations', { draft, from: '2026-10-01T00:00:00Z', to: '2026-11-01T00:00:00Z', warmupDays: -1 });
    expect(negative.status).toBe(400);
    expect(negative.body.error.field).toBe('warmupDays');
    expect((await t.items()).filter((i) => String(i.pk).includes('#SIM'))).toEqual([]);
    expect((await t.staff('GET', '/v1/simulations/sim_nope')).status).toBe(404);
  });
});
