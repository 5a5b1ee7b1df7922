/**
 * Webhooks in the local runtime (what `npm start` runs): a receipt through the HTTP handlers becomes
 * stream records, events on the local bus, the webhooks rule's intake, FIFO deliveries, and signed
 * POSTs to a receiver on 127.0.0.1 — which the local runtime allows, and AWS would not.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logger } from '#lib/observability/logger.ts';
import { verifySignature } from '#lib/webhooks/signature.ts';
import { startBackground, type Background } from '../../local/background.ts';
import { newTenant, receipt, type TestTenant } from '../integration/harness.ts';

let bg: Background;
let t: TestTenant;
let receiver: Server;
let url: string;
const got: Array<{ path: string; signature: string; type: string; body: string }> = [];
const failFirst = new Set<string>(['/flaky']);

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({ path: req.url!, signature: String(req.headers['tally-signature']), type: String(req.headers['tally-event-type']), body: Buffer.concat(chunks).toString('utf8') });
      const fail = failFirst.delete(req.url!);
      res.writeHead(fail ? 503 : 204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  // Retries at their real pace: the worker's clock is the real one here (test/webhooks/delivery.test.ts drives time).
  bg = await startBackground({ dynamoEndpoint: process.env.DYNAMODB_ENDPOINT!, table: process.env.TABLE_NAME!, tickMs: 0, streamFrom: 'LATEST' });
  t = await newTenant();
}, 60_000);
afterAll(async () => {
  await bg.close();
  receiver.closeAllConnections();
  await new Promise((r) => receiver.close(r));
});

describe('webhooks in the local runtime', () => {
  it('delivers a committed receipt’s events to a local receiver, signed with the endpoint secret, and logs neither secret nor URL', async () => {
    const captured: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    logger.setLogLevel('DEBUG');
    process.stdout.write = ((chunk: string | Uint8Array) => (captured.push(String(chunk)), true)) as typeof process.stdout.write;
    let hook: Awaited<ReturnType<TestTenant['staff']>>;
    try {
      hook = await t.staff('POST', '/v1/webhooks', { url: `${url}/erp?token=url-token-4f7a`, eventTypes: ['receipt.committed', 'points.earned'] });
      expect(hook.status).toBe(201);
      const c = await t.pos('POST', '/v1/customers', { name: 'Webhook customer' });
      expect((await t.pos('POST', '/v1/receipts', receipt(c.body.card, [{ amount: 150_000 }]))).status).toBe(200);
      await bg.settle();
      await t.staff('POST', `/v1/webhooks/${hook.body.webhookId}/rotate-secret`);
    } finally {
      process.stdout.write = write;
      logger.setLogLevel('ERROR');
    }
    const logs = captured.join('');
    expect(logs).toContain('"message":"webhook delivery"');
    for (const s of [hook.body.secret, 'whsec_', 'url-token-4f7a', url]) expect(logs, `logs contain ${s}`).not.toContain(s);
    const mine = got.filter((g) => g.path === '/erp?token=url-token-4f7a');
    // One event per receipt: its points are in receipt.committed, not a points.earned of their own.
    expect(mine.map((g) => g.type).sort()).toEqual(['receipt.committed']);
    for (const g of mine) expect(verifySignature(g.signature, hook.body.secret, g.body, Math.floor(Date.now() / 1000))).toBe(true);
    const log = (await t.staff('GET', `/v1/webhooks/${hook.body.webhookId}/deliveries`)).body.deliveries;
    expect(log.map((d: { state: string }) => d.state)).toEqual(['delivered']);
    expect(bg.queues.queues['webhook-deliveries.fifo']!.deadLetters).toEqual([]);
  });

  it('holds a customer’s next delivery back while the one before it waits for its retry', async () => {
    const hook = await t.staff('POST', '/v1/webhooks', { url: `${url}/flaky`, eventTypes: ['points.adjusted'] });
    const c = await t.pos('POST', '/v1/customers', { name: 'Retried customer' });
    const log = async () => (await t.staff('GET', `/v1/webhooks/${hook.body.webhookId}/deliveries`)).body.deliveries as Array<{ state: string; lastStatus: number | null; nextAttemptAt: string | null }>;
    await t.staff('POST', `/v1/customers/${c.body.customerId}/adjustments`, { adjustmentId: 'wh-1', points: 10, reason: 'first' });
    await bg.settle();
    expect(await log()).toEqual([expect.objectContaining({ state: 'retrying', lastStatus: 503, nextAttemptAt: expect.any(String) })]);
    await t.staff('POST', `/v1/customers/${c.body.customerId}/adjustments`, { adjustmentId: 'wh-2', points: 20, reason: 'second' });
    // Settled: the second is taken in, and waits behind the first (retried a minute later, in real time).
    await bg.settle();
    expect((await log()).map((d) => d.state)).toEqual(['pending', 'retrying']);
    expect(got.filter((g) => g.path === '/flaky').map((g) => (JSON.parse(g.body) as { data: { points: number } }).data.points)).toEqual([10]);
    expect(bg.queues.queues['webhook-deliveries.fifo']!.deadLetters).toEqual([]);
  });
});
