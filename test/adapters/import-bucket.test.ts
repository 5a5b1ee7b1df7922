/** The import bucket adapters against moto_server's S3: streamed reads, streamed (multipart) report writes, presigned links. */
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeEventKey, objectKey, parseObjectKey, reportKey } from '#lib/storage/import-bucket.ts';
import { importLinks } from '#lib/storage/import-links.ts';
import { importFiles } from '#lib/storage/import-files.ts';
import { startMoto, type Moto } from '../support/moto.ts';

let moto: Moto;
let s3: S3Client;
const name = 'tally-test-imports';

beforeAll(async () => {
  moto = await startMoto();
  s3 = new S3Client({ ...moto.config, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: name }));
});
afterAll(async () => {
  s3.destroy();
  await moto.stop();
});

describe('importFiles and importLinks on moto', () => {
  it('streams a file and tells its size', async () => {
    const body = 'card\n' + Array.from({ length: 5000 }, (_, i) => `${10_000_000 + i}`).join('\n');
    await s3.send(new PutObjectCommand({ Bucket: name, Key: 'imports/t1/imp_a.csv', Body: body }));
    const file = await importFiles(s3, name).open('imports/t1/imp_a.csv');
    expect(file.bytes).toBe(Buffer.byteLength(body));
    let read = '';
    for await (const chunk of file.body) read += String(chunk);
    expect(read).toBe(body);
  });

  it('writes a report from lines as they come, also one larger than a multipart part', async () => {
    const bucket = importFiles(s3, name);
    const line = `${'x'.repeat(1000)}\n`;
    const lines = async function* () {
      for (let i = 0; i < 6000; i++) yield line; // ~6 MB: more than one 5 MB part
    };
    await bucket.write('imports/t1/imp_a.errors.csv', lines(), 'text/csv');
    const r = await s3.send(new GetObjectCommand({ Bucket: name, Key: 'imports/t1/imp_a.errors.csv' }));
    expect(r.ContentLength).toBe(6000 * line.length);
    expect(r.ContentType).toBe('text/csv');
    expect(await r.Body!.transformToString()).toBe(line.repeat(6000));
    // A small one goes up in one put.
    await bucket.write('imports/t1/imp_c.errors.csv', (async function* () { yield 'row,field,rule\n'; })(), 'text/csv');
    expect(await (await s3.send(new GetObjectCommand({ Bucket: name, Key: 'imports/t1/imp_c.errors.csv' }))).Body!.transformToString()).toBe('row,field,rule\n');
  });

  it('hands out links to upload a file and to download a report', async () => {
    const bucket = importLinks(s3, name);
    const put = await bucket.uploadUrl('imports/t1/imp_b.jsonl', 900);
    expect(new URL(put).searchParams.get('X-Amz-Expires')).toBe('900');
    expect((await fetch(put, { method: 'PUT', body: '{"card":"12345678"}\n' })).status).toBe(200);
    const get = await bucket.downloadUrl('imports/t1/imp_b.jsonl', 900);
    expect(await (await fetch(get)).text()).toBe('{"card":"12345678"}\n');
  });

  it('names files and reports by tenant and import, and reads only file keys back', () => {
    expect(objectKey('t1', 'imp_1', 'csv')).toBe('imports/t1/imp_1.csv');
    expect(parseObjectKey('imports/t1/imp_1.jsonl')).toEqual({ tenantId: 't1', importId: 'imp_1', format: 'jsonl' });
    expect(parseObjectKey(reportKey('t1', 'imp_1'))).toBeNull();
    expect(parseObjectKey('imports/t1/sub/imp_1.csv')).toBeNull();
    expect(decodeEventKey('imports/t1/my+file%2B1.csv')).toBe('imports/t1/my file+1.csv');
  });
});
