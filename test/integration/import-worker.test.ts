/**
 * The import worker through its Lambda handler: an SQS event carrying S3's notification of a file
 * in the import bucket (moto_server for S3 and SQS, DynamoDB Local for the table). The report
 * lands next to the file; a worker near its timeout stops at a checkpoint and queues its own
 * continuation, which finishes the import.
 */
import { readFileSync } from 'node:fs';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeLambdaContext } from '../../local/api-event.ts';
import { startMoto, type Moto } from '../support/moto.ts';
import { newTenant, type TestTenant } from './harness.ts';

const bucket = 'tally-test-imports';
let moto: Moto;
let s3: S3Client;
let sqs: SQSClient;
let queueUrl: string;
let handler: (event: SQSEvent, context: Context) => Promise<{ batchItemFailures: Array<{ itemIdentifier: string }> }>;
let t: TestTenant;

const header = 'card,phone,name,email,birthDate,locale,consentSms,consentEmail,consentPush,tier,staffTier,referralCode,paidTotal,lots';

/** S3's notification, in the SQS event the queue hands the worker (events/sqs/imports.s3-object-created.json). */
const s3Event = (importId: string): SQSEvent =>
  JSON.parse(
    readFileSync(new URL('../../events/sqs/imports.s3-object-created.json', import.meta.url), 'utf8')
      .replaceAll('${BUCKET}', bucket)
      .replaceAll('${TENANT}', t.tenantId)
      .replaceAll('${IMPORT}', importId),
  );

const withTime = (ms: number): Context => ({ ...fakeLambdaContext('import-worker'), getRemainingTimeInMillis: () => ms });

beforeAll(async () => {
  moto = await startMoto();
  s3 = new S3Client({ ...moto.config, forcePathStyle: true });
  sqs = new SQSClient(moto.config);
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'tally-test-imports' }))).QueueUrl!;
  Object.assign(process.env, { IMPORT_BUCKET: bucket, IMPORT_QUEUE_URL: queueUrl, AWS_ENDPOINT_URL_S3: moto.endpoint, AWS_ENDPOINT_URL_SQS: moto.endpoint, IMPORT_CHUNK_ROWS: '10' });
  ({ handler } = (await import('../../functions/workers/imports.ts')) as never);
  t = await newTenant();
});
afterAll(async () => {
  s3.destroy();
  sqs.destroy();
  await moto.stop();
});

describe('Import worker (S3 → SQS → Lambda)', () => {
  it('should import the file the event names, write the error report next to it, and show both through the API', async () => {
    const csv = [header, '90000001,+37491900001,Ani,,,,yes,,,,,,,100@2027-06-30', 'x,,,,,,,,,,,,,', '90000003,,Davit,,,,,,,gold,,,,'].join('\n');
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `imports/${t.tenantId}/imp_w1.csv`, Body: csv }));
    const r = await handler(s3Event('imp_w1'), withTime(15 * 60_000));
    expect(r.batchItemFailures).toEqual([]);

    const status = await t.staff('GET', '/v1/imports/imp_w1');
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ status: 'done', format: 'csv', rows: { done: 3, imported: 2, refused: 1, total: 3 }, bytes: { total: csv.length }, report: `imports/${t.tenantId}/imp_w1.errors.csv` });
    expect(status.body.errors).toEqual([{ row: 3, field: 'card', rule: 'must be 4–32 letters or digits' }]);
    const report = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: `imports/${t.tenantId}/imp_w1.errors.csv` }));
    expect(await report.Body!.transformToString()).toBe('row,field,rule\n3,card,must be 4–32 letters or digits\n');
    // The link in the answer downloads the same report.
    expect(await (await fetch(status.body.reportUrl)).text()).toBe('row,field,rule\n3,card,must be 4–32 letters or digits\n');
    expect((await t.pos('POST', '/v1/identify', { customer: { phone: '+37491900001' } })).body.points.available).toBe(100);

    // The same event again (SQS delivers at least once) changes nothing.
    const before = await t.items();
    expect((await handler(s3Event('imp_w1'), withTime(15 * 60_000))).batchItemFailures).toEqual([]);
    expect(await t.items()).toEqual(before);
  });

  it('should stop at a checkpoint near its timeout, queue its continuation, and finish from there', async () => {
    const rows = [header, ...Array.from({ length: 60 }, (_, i) => `91${String(i).padStart(6, '0')},,M${i},,,,,,,,,,,${i + 1}@2027-05-31`)];
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `imports/${t.tenantId}/imp_w2.csv`, Body: rows.join('\n') }));
    // A run with less than the stop margin left stops at its first checkpoint (10 rows, plus those in flight) and hands over.
    expect((await handler(s3Event('imp_w2'), withTime(60_000))).batchItemFailures).toEqual([]);
    const paused = await t.staff('GET', '/v1/imports/imp_w2');
    expect(paused.body).toMatchObject({ status: 'running', rows: { total: null } });
    expect(paused.body.rows.done).toBeGreaterThanOrEqual(10);
    expect(paused.body.rows.done).toBeLessThan(60);
    expect(paused.body.rows.imported).toBe(paused.body.rows.done);

    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
    expect(received.Messages?.map((m) => JSON.parse(m.Body!))).toEqual([{ kind: 'continueImport', bucket, key: `imports/${t.tenantId}/imp_w2.csv` }]);
    const continuation = s3Event('imp_w2');
    continuation.Records[0]!.body = received.Messages![0]!.Body!;
    expect((await handler(continuation, withTime(15 * 60_000))).batchItemFailures).toEqual([]);
    const done = await t.staff('GET', '/v1/imports/imp_w2');
    expect(done.body).toMatchObject({ status: 'done', rows: { done: 60, imported: 60, alreadyImported: 0, refused: 0, total: 60 }, report: null, reportUrl: null });
  });

  it('should import a product file as the catalog when POST /v1/imports said kind products', async () => {
    const started = await t.staff('POST', '/v1/imports', { kind: 'products', format: 'jsonl' });
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ kind: 'products', status: 'awaitingUpload' });
    const importId = started.body.importId as string;
    const jsonl = [JSON.stringify({ sku: 'W-1', name: 'Worker soap', category: 'care', attributes: { brand: 'acme' }, price: 990 }), JSON.stringify({ sku: 'W-2', name: 'No category' })].join('\n');
    // The upload link the answer gave, as a till's back office would use it.
    expect((await fetch(started.body.upload.url, { method: 'PUT', body: jsonl })).status).toBe(200);
    const event = s3Event(importId);
    event.Records[0]!.body = event.Records[0]!.body.replaceAll(`${importId}.csv`, `${importId}.jsonl`);
    expect((await handler(event, withTime(15 * 60_000))).batchItemFailures).toEqual([]);
    const status = await t.staff('GET', `/v1/imports/${importId}`);
    expect(status.body).toMatchObject({ kind: 'products', status: 'done', rows: { imported: 1, refused: 1, total: 2 } });
    expect(status.body.errors).toEqual([{ row: 2, field: 'category', rule: 'is required' }]);
    expect((await t.staff('GET', '/v1/catalog/W-1')).body).toMatchObject({ name: 'Worker soap', attributes: { brand: 'acme' }, price: 990 });
  });

  it('should take S3 test events and files it does not import (its own reports) without failing', async () => {
    const test: SQSEvent = s3Event('x');
    test.Records[0]!.body = JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Time: '2026-11-20T08:00:00.000Z', Bucket: bucket });
    expect((await handler(test, withTime(15 * 60_000))).batchItemFailures).toEqual([]);
    const report = s3Event('imp_w1');
    report.Records[0]!.body = report.Records[0]!.body.replace('imp_w1.csv', 'imp_w1.errors.csv');
    expect((await handler(report, withTime(15 * 60_000))).batchItemFailures).toEqual([]);
  });
});
