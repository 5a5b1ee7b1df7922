/**
 * The local runtime takes imports the way AWS does: POST /v1/imports hands out an upload link to
 * the local import bucket, the PUT is announced to the local import queue, the same import worker
 * runs, and GET /v1/imports/{id} shows the result and links to the report.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackground, type Background } from '../../local/background.ts';
import { newTenant, type TestTenant } from '../integration/harness.ts';

let bg: Background;
let t: TestTenant;

beforeAll(async () => {
  // From the stream's end: the import needs none of what other test files wrote before it (the
  // shared table's whole stream would keep settle() busy for minutes in the full run).
  bg = await startBackground({ dynamoEndpoint: process.env.DYNAMODB_ENDPOINT!, table: process.env.TABLE_NAME!, tickMs: 0, retryScale: 0.1, streamFrom: 'LATEST' });
  t = await newTenant();
}, 60_000);
afterAll(() => bg.close());

describe('Imports through the local API', () => {
  it('should import an uploaded file through the local bucket, queue and worker', async () => {
    const started = await t.staff('POST', '/v1/imports', { kind: 'members', format: 'jsonl' });
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ status: 'awaitingUpload', upload: { method: 'PUT' } });
    const file = [JSON.stringify({ card: '55550001', phone: '+37491555001', lots: [{ points: 70, expiresOn: '2027-09-30' }] }), JSON.stringify({ card: '1' })].join('\n');
    expect((await fetch(started.body.upload.url, { method: 'PUT', body: file })).status).toBe(200);
    await bg.settle();

    const status = await t.staff('GET', `/v1/imports/${started.body.importId}`);
    expect(status.body).toMatchObject({ status: 'done', format: 'jsonl', rows: { imported: 1, refused: 1, total: 2 }, errors: [{ row: 2, field: 'card', rule: 'must be 4–32 letters or digits' }] });
    expect(await (await fetch(status.body.reportUrl)).text()).toBe('row,field,rule\n2,card,must be 4–32 letters or digits\n');
    expect((await t.pos('POST', '/v1/identify', { customer: { phone: '+37491555001' } })).body.points.available).toBe(70);
    // Starting an import is a staff action: audited.
    const audit = await t.staff('GET', '/v1/audit');
    expect(audit.body.records.map((e: { action: string }) => e.action)).toContain('import.start');
  }, 120_000);

  it('should refuse an import over the file size limit before any upload, naming the limit', async () => {
    const r = await t.staff('POST', '/v1/imports', { kind: 'members', format: 'csv', bytes: 600 * 1024 * 1024 });
    expect(r.status).toBe(422);
    expect(r.body.error.message).toContain('import.maxFileBytes');
  });
});
