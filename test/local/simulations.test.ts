/**
 * The simulator under the local runtime, as `npm start` runs it: receipts committed at the till,
 * the report counters (the table's second stream reader) writing them as day files to the local
 * bucket, POST /v1/simulations queueing the worker, which lists and reads those files.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackground, type Background } from '../../local/background.ts';
import { newTenant, receipt, type TestTenant } from '../integration/harness.ts';

let bg: Background;
let t: TestTenant;
const dir = mkdtempSync(join(tmpdir(), 'tally-local-history-'));

beforeAll(async () => {
  // From the stream's end: only this file's writes matter (the shared table's whole stream would keep settle() busy).
  bg = await startBackground({ dynamoEndpoint: process.env.DYNAMODB_ENDPOINT!, table: process.env.TABLE_NAME!, tickMs: 0, retryScale: 0.1, streamFrom: 'LATEST', filesDir: dir });
  t = await newTenant();
}, 60_000);
afterAll(async () => {
  await bg.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Simulator through the local runtime', () => {
  it("should replay the receipts the till committed, from the local bucket's day files", async () => {
    const from = new Date(Date.now() - 60_000).toISOString();
    const card = (await t.pos('POST', '/v1/customers', { consents: {} })).body.card;
    const first = receipt(card, [{ amount: 12_000 }, { amount: 3_000 }]);
    const answers = [];
    for (const body of [first, receipt(card, [{ amount: 8_000 }])]) {
      const r = await t.pos('POST', '/v1/receipts', body);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      answers.push(r.body.totals.pointsEarned as number);
    }
    const ret = await t.pos('POST', '/v1/returns', { returnId: `RET-${Date.now()}`, receiptId: first.receiptId, lines: [{ lineId: '2', quantity: 1 }] });
    expect(ret.status, JSON.stringify(ret.body)).toBe(200);
    await bg.settle();
    const day = new Date().toISOString().slice(0, 10);
    expect(readdirSync(join(dir, 'history', `tenant=${t.tenantId}`, `day=${day}`)).every((f) => f.endsWith('.jsonl.gz'))).toBe(true);

    const program = (await t.staff('GET', '/v1/program')).body.document;
    const start = await t.staff('POST', '/v1/simulations', { draft: program, from, to: new Date(Date.now() + 60_000).toISOString() });
    expect(start.status, JSON.stringify(start.body)).toBe(202);
    await bg.settle();
    const done = await t.staff('GET', `/v1/simulations/${start.body.simulationId}`);
    expect(done.body).toMatchObject({ status: 'done', progress: { receipts: 2, returns: 1, unreplayable: 0 } });
    expect(done.body.report.current.totals).toMatchObject({ receipts: 2, returns: 1, pointsIssued: answers[0]! + answers[1]!, pointsReversed: ret.body.totals.pointsReversed });
  }, 120_000);
});
