/**
 * The metrics an operator reads without querying logs (issue "Day one", Operate): a commit, a
 * replay and a refusal through the real handler, and the commits' stream records through the
 * outbox relay, leave CloudWatch embedded-metric lines with the names the dashboard draws. Metrics
 * are off in the other tests; this file turns them on before anything that creates the Metrics
 * instance is imported.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStreamReader } from '../../local/stream.ts';

process.env.POWERTOOLS_METRICS_DISABLED = 'false';
const { newTenant, receipt } = await import('../integration/harness.ts');
const { METRICS_NAMESPACE, metricNames } = await import('#lib/observability/metric-names.ts');

/** The bus the relay publishes to: takes every PutEvents call but the one numbered `refuse` (from 1), which it refuses. */
const bus = { calls: 0, refuse: 0 };
let server: Server;
beforeAll(async () => {
  server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      bus.calls += 1;
      res.setHeader('content-type', 'application/x-amz-json-1.1');
      if (bus.calls === bus.refuse) {
        res.statusCode = 400;
        res.end(JSON.stringify({ __type: 'ValidationException', message: 'refused by the test' }));
        return;
      }
      const entries = (JSON.parse(text) as { Entries: unknown[] }).Entries;
      res.end(JSON.stringify({ FailedEntryCount: 0, Entries: entries.map((_, i) => ({ EventId: `e${bus.calls}-${i}` })) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  Object.assign(process.env, { EVENT_BUS_NAME: 'tally-test-events', AWS_ENDPOINT_URL_EVENTBRIDGE: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

interface Emf {
  _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }> };
  [key: string]: unknown;
}

const lines: string[] = [];
const write = process.stdout.write.bind(process.stdout);
beforeAll(() => {
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    lines.push(String(chunk));
    return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stdout.write;
});
afterAll(() => {
  process.stdout.write = write;
});

/** Every EMF record printed so far, flattened to (name, value, dimensions). */
function emitted(): Array<{ name: string; value: number; dims: Record<string, unknown> }> {
  const out: Array<{ name: string; value: number; dims: Record<string, unknown> }> = [];
  for (const chunk of lines) {
    for (const line of chunk.split('\n')) {
      if (!line.includes('"_aws"')) continue;
      const emf = JSON.parse(line) as Emf;
      for (const d of emf._aws.CloudWatchMetrics) {
        expect(d.Namespace).toBe(METRICS_NAMESPACE);
        const dims = Object.fromEntries(d.Dimensions.flat().map((k) => [k, emf[k]]));
        for (const m of d.Metrics) out.push({ name: m.Name, value: Number(emf[m.Name]), dims });
      }
    }
  }
  return out;
}
const total = (name: string) => emitted().filter((m) => m.name === name).reduce((s, m) => s + m.value, 0);

describe('Metrics', () => {
  it('should count receipts replayed and refused by code at the till, and receipts committed with their points in the outbox relay, once each though a batch fails part way', async () => {
    const t = await newTenant();
    const c = (await t.pos('POST', '/v1/customers', { name: 'Counted' })).body;
    await t.staff('POST', `/v1/customers/${c.customerId}/adjustments`, { adjustmentId: 'seed', points: 30, reason: 'seed points' });
    const body = { ...receipt(c.card, [{ amount: 25_000 }]), burn: { points: 20 } };
    const first = await t.pos('POST', '/v1/receipts', body);
    expect(first.status).toBe(200);
    expect((await t.pos('POST', '/v1/receipts', body)).headers['idempotent-replayed']).toBe('true');
    const refused = await t.pos('POST', '/v1/receipts', { ...receipt(c.card, [{ amount: 100_000 }]), burn: { points: first.body.balance.after + 40 } });
    expect(refused.status).toBe(409);

    // More receipts than one PutEvents call's ten events, so that the relay's batch spans calls.
    const earned = [first.body.totals.pointsEarned as number];
    for (let i = 0; i < 11; i++) earned.push((await t.pos('POST', '/v1/receipts', receipt(c.card, [{ amount: 1_000 * (i + 1) }]))).body.totals.pointsEarned as number);
    // The till prints no metrics line for a commit: the relay counts it.
    expect(total(metricNames.receiptsCommitted)).toBe(0);
    expect(total(metricNames.pointsEarned)).toBe(0);

    // The tenant's stream records, handed to the relay as one batch, as its event source would.
    const records: DynamoDBRecord[] = [];
    const reader = await startStreamReader({
      client: new DynamoDBClient({ endpoint: process.env.DYNAMODB_ENDPOINT!, region: 'us-east-1' }),
      endpoint: process.env.DYNAMODB_ENDPOINT!,
      table: process.env.TABLE_NAME!,
      handler: async (e) => void records.push(...e.Records.filter((x) => JSON.stringify(x.dynamodb?.Keys).includes(t.tenantId))),
    });
    await reader.caughtUp();
    await reader.stop();
    const { handler } = await import('../../functions/stream/outbox.ts');
    // The bus refuses the second call: the relay reports the record it failed at, and the stream retries from there.
    bus.refuse = bus.calls + 2;
    const failed = await handler({ Records: records });
    const from = records.findIndex((r) => r.dynamodb?.SequenceNumber === failed.batchItemFailures[0]?.itemIdentifier);
    expect(from).toBeGreaterThan(0);
    const partly = total(metricNames.receiptsCommitted);
    expect(partly).toBeGreaterThan(0);
    expect(partly).toBeLessThan(12);
    expect((await handler({ Records: records.slice(from) })).batchItemFailures).toEqual([]);

    expect(total(metricNames.receiptsCommitted)).toBe(12);
    expect(total(metricNames.receiptsReplayed)).toBe(1);
    expect(total(metricNames.pointsEarned)).toBe(earned.reduce((a, b) => a + b, 0));
    expect(total(metricNames.pointsBurned)).toBe(20);
    const refusals = emitted().filter((m) => m.name === metricNames.receiptsRefused);
    expect(refusals).toEqual([{ name: metricNames.receiptsRefused, value: 1, dims: expect.objectContaining({ code: 'insufficient_points', service: expect.any(String) }) }]);
  });
});
