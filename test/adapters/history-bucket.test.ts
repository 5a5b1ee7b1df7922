/**
 * The history bucket adapters (lib/storage/history-bucket.ts) against moto_server's S3 and against
 * the local runtime's stand-in (local/s3.ts, where `npm start` keeps the history): day files
 * written gzip at the fixed layout, listed a page at a time with a cursor, read back line by line;
 * and the history reader over them keeping each receipt once, whatever file repeats it.
 */
import { gunzipSync } from 'node:zlib';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReplayEvent } from '#domain/simulation.ts';
import { historyFileKey, historyFileReader, historyFileWriter } from '#lib/storage/history-bucket.ts';
import { daysOf, HISTORY_SHARDS, historyLineOf, historyReader, parseHistoryLine } from '#lib/storage/history.ts';
import { shardOf } from '#lib/storage/keys.ts';
import { replayEventOf } from '#lib/storage/receipts.ts';
import { startLocalS3, type LocalS3 } from '../../local/s3.ts';
import { startMoto, type Moto } from '../support/moto.ts';

let moto: Moto;
let local: LocalS3;
let dir: string;
const peers: Array<{ name: string; s3: () => S3Client; bucket: string }> = [];
const name = 'tally-test-history';

beforeAll(async () => {
  moto = await startMoto();
  const motoS3 = new S3Client({ ...moto.config, forcePathStyle: true });
  await motoS3.send(new CreateBucketCommand({ Bucket: name }));
  dir = mkdtempSync(join(tmpdir(), 'tally-history-test-'));
  local = await startLocalS3({ dir, bucket: 'tally-local-imports', prefix: 'imports/', onCreated: () => undefined });
  const localS3 = new S3Client({ endpoint: local.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, forcePathStyle: true });
  peers.push({ name: 'moto', s3: () => motoS3, bucket: name }, { name: 'the local runtime', s3: () => localS3, bucket: 'tally-local-imports' });
});
afterAll(async () => {
  for (const p of peers) p.s3().destroy();
  await moto.stop();
  await local.close();
  rmSync(dir, { recursive: true, force: true });
});

const at = (iso: string) => new Date(iso);
const receiptEvent = (customerId: string, receiptId: string, when: string, amount = 1_000): ReplayEvent => ({
  type: 'receipt',
  customerId,
  storeId: 'S-01',
  receiptId,
  occurredAt: at(when),
  at: at(when),
  lines: [{ lineId: '1', sku: 'A', category: 'otc', quantityMilli: 1000, unitPrice: 0, amount }],
  burnPoints: 0,
  coupons: [],
});

describe.each(['moto', 'the local runtime'])('history bucket adapters on %s', (peer) => {
  const p = () => peers.find((x) => x.name === peer)!;

  it('writes a day file gzip at history/tenant=…/day=…/{batchId}.jsonl.gz, one JSON line each, and reads it back', async () => {
    const { s3, bucket } = p();
    const lines = [historyLineOf('t1', receiptEvent('c-1', 'R-1', '2026-11-02T10:00:00Z')), historyLineOf('t1', receiptEvent('c-2', 'R-2', '2026-11-02T11:00:00Z'))];
    const bytes = await historyFileWriter(s3(), bucket).put('t1', '2026-11-02', '100-e1', lines);
    const key = 'history/tenant=t1/day=2026-11-02/100-e1.jsonl.gz';
    expect(historyFileKey('t1', '2026-11-02', '100-e1')).toBe(key);
    const raw = await s3().send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const zipped = await raw.Body!.transformToByteArray();
    expect(zipped.length).toBe(bytes);
    // Plain gzip, as Athena reads it: one JSON object a line, customerId first.
    const text = gunzipSync(zipped).toString('utf8');
    expect(text).toBe(`${lines.join('\n')}\n`);
    expect(JSON.parse(text.split('\n')[0]!)).toMatchObject({ customerId: 'c-1', kind: 'receipt', tenantId: 't1', type: 'receipt', receiptId: 'R-1', at: '2026-11-02T10:00:00.000Z' });
    expect(await historyFileReader(s3(), bucket).read(key)).toEqual({ lines, bytes });
    // Written again (a redelivered batch): the same object, not a second one.
    await historyFileWriter(s3(), bucket).put('t1', '2026-11-02', '100-e1', lines);
    expect((await s3().send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'history/tenant=t1/day=2026-11-02/' }))).KeyCount).toBe(1);
  });

  it("lists a day's files a page at a time with a cursor, and only that tenant's and day's", async () => {
    const { s3, bucket } = p();
    const w = historyFileWriter(s3(), bucket);
    for (let i = 0; i < 5; i++) await w.put('t2', '2026-11-03', `b${i}`, [historyLineOf('t2', receiptEvent('c-1', `R-${i}`, '2026-11-03T10:00:00Z'))]);
    await w.put('t2', '2026-11-04', 'other-day', ['{}']);
    await w.put('t2x', '2026-11-03', 'other-tenant', ['{}']);
    const reader = historyFileReader(s3(), bucket, 2);
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await reader.list('t2', '2026-11-03', cursor);
      pages.push(page.keys);
      cursor = page.cursor;
    } while (cursor);
    expect(pages.map((k) => k.length)).toEqual([2, 2, 1]);
    expect(pages.flat()).toEqual([0, 1, 2, 3, 4].map((i) => historyFileKey('t2', '2026-11-03', `b${i}`)));
    expect((await reader.list('t2', '2026-11-05')).keys).toEqual([]);
  });

  it('replays a shard of the customers in the period, each receipt once even when files repeat it', async () => {
    const { s3, bucket } = p();
    const w = historyFileWriter(s3(), bucket);
    const customers = Array.from({ length: 40 }, (_, i) => `c-${i}`);
    const events = customers.map((c, i) => receiptEvent(c, `R-${i}`, `2026-11-0${5 + (i % 2)}T${String(10 + (i % 10)).padStart(2, '0')}:00:00Z`, 1_000 + i));
    const lines = (es: ReplayEvent[]) => es.map((e) => historyLineOf('t3', e));
    const day5 = events.filter((e) => e.at.toISOString().startsWith('2026-11-05'));
    const day6 = events.filter((e) => e.at.toISOString().startsWith('2026-11-06'));
    // A receipt from before lines kept SKU and category, and a line that is no history line.
    const old = historyLineOf('t3', { customerId: 'c-old', storeId: 'S-01', receiptId: 'R-old', at: at('2026-11-05T09:00:00Z'), unreplayable: true });
    await w.put('t3', '2026-11-05', 'b1', [...lines(day5), old, 'not json']);
    // A retry that cut the batch at its 4th record: a second file with the tail again.
    await w.put('t3', '2026-11-05', 'b2', [...lines(day5.slice(3)), old]);
    await w.put('t3', '2026-11-06', 'b3', lines(day6));
    // Outside the period (a day file of the next day read for a period ending at noon).
    await w.put('t3', '2026-11-07', 'b4', lines([receiptEvent('c-0', 'R-late', '2026-11-07T13:00:00Z')]));
    const reader = historyReader(historyFileReader(s3(), bucket, 2));
    const found: ReplayEvent[] = [];
    let requests = 0;
    let unreplayable = 0;
    for (let shard = 0; shard < HISTORY_SHARDS; shard++) {
      const r = await reader.shard('t3', shard, '2026-11-05T00:00:00Z', '2026-11-07T12:00:00Z');
      expect(r.events.every((e) => shardOf(e.customerId, HISTORY_SHARDS) === shard)).toBe(true);
      unreplayable += r.unreplayable;
      expect(r.readUnits).toBe(0);
      found.push(...r.events);
      requests += r.requests;
    }
    expect(found.map((e) => (e as { receiptId: string }).receiptId).sort()).toEqual(events.map((e) => (e as { receiptId: string }).receiptId).sort());
    expect(found.find((e) => e.customerId === 'c-7')).toEqual(events[7]);
    // The old receipt once (in two files), the line not understood once (in the first shard).
    expect(unreplayable).toBe(2);
    // Per shard: a List of each of the three days (two keys fit a page) and a Get of each of the four files.
    expect(requests).toBe(HISTORY_SHARDS * 7);
  });
});

describe('history lines', () => {
  it("name the UTC days a period touches, whatever offset it is given in", () => {
    expect(daysOf('2026-09-01T00:00:00+04:00', '2026-09-02T00:00:00+04:00')).toEqual(['2026-08-31', '2026-09-01']);
    expect(daysOf('2026-09-01T00:00:00Z', '2026-09-02T00:00:00Z')).toEqual(['2026-09-01']);
  });

  it('carry the replay event as the simulator replays it, and say when one is not a history line', () => {
    const e = receiptEvent('c-1', 'R-1', '2026-11-02T10:00:00+04:00');
    expect(parseHistoryLine(historyLineOf('t1', e))).toEqual({ key: 'R#S-01#R-1', at: e.at, event: e });
    const ret: ReplayEvent = { type: 'return', customerId: 'c-1', storeId: 'S-02', returnId: 'X-1', receiptId: 'R-1', receiptStoreId: 'S-01', at: at('2026-11-03T10:00:00Z'), lines: [{ lineId: '1', quantityMilli: 500 }] };
    expect(JSON.parse(historyLineOf('t1', ret))).toMatchObject({ kind: 'return', tenantId: 't1', returnId: 'X-1' });
    expect(parseHistoryLine(historyLineOf('t1', ret))).toEqual({ key: 'X#S-02#X-1', at: ret.at, event: ret });
    const old = historyLineOf('t1', { customerId: 'c-1', storeId: 'S-01', receiptId: 'R-0', at: at('2026-11-01T10:00:00Z'), unreplayable: true });
    expect(parseHistoryLine(old)).toEqual({ key: 'R#S-01#R-0', at: at('2026-11-01T10:00:00Z'), event: null });
    expect(parseHistoryLine('not json')).toBeNull();
    // A return as the table keeps it: a refund by amount is money back (its answer has no quantity),
    // and its goods (SKU, category, share of the line's amount) and receipt time ride along for the insight job.
    const item = {
      pk: 'x', sk: 'y', type: 'return', tenantId: 't1', storeId: 'S-01', returnId: 'X-2', receiptStoreId: 'S-01', receiptId: 'R-1', customerId: 'c-1', requestHash: 'h', at: '2026-11-03T10:00:00.000Z',
      response: JSON.stringify({ lines: [{ lineId: '1', amount: 2_000, refund: 2_000 }, { lineId: '2', quantity: 1.5, refund: 300 }] }),
      goods: { receiptOccurredAt: '2026-11-01T08:00:00.000Z', lines: [{ sku: 'TEA', category: 'drinks', amountBack: 2_000 }, { sku: 'CUP', category: 'home', amountBack: 300 }] },
    };
    const back = replayEventOf(item)!;
    expect(back).toMatchObject({ type: 'return', receiptOccurredAt: at('2026-11-01T08:00:00Z'), lines: [{ lineId: '1', quantityMilli: 0, amount: 2_000, sku: 'TEA', category: 'drinks', amountBack: 2_000 }, { lineId: '2', quantityMilli: 1_500, sku: 'CUP', category: 'home', amountBack: 300 }] });
    expect(parseHistoryLine(historyLineOf('t1', back))!.event).toEqual(back);
    expect(parseHistoryLine('{"kind":"receipt"}')).toBeNull();
  });
});
