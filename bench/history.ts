/**
 * The simulator's history in S3 (lib/app/history-files.ts), measured: receipts committed through
 * the real handlers on DynamoDB Local, the table's stream read as the reports function gets it
 * (the stack's filter applied), each stream batch written as day files through the real S3
 * adapter to moto_server. It reports, per receipt:
 * - stream records the reports function receives (what fills its batches);
 * - S3 PUTs: one per tenant, UTC day and batch, so per receipt 1 / receipts in a batch, where a
 *   batch closes at the batching window or at the batch size (records), whichever comes first,
 *   on each of the stream's shards (assumed: 4 shards, a 60 s window, batch size 500 as the stack
 *   has it today and 10,000 as Lambda allows);
 * - bytes stored (gzip) and the raw JSON, from the files written at those batch sizes;
 * - the receipt item's bytes with and without the history index keys it no longer carries.
 * And what a simulation reads back: Lists and Gets per receipt replayed.
 *
 * Baskets: 5 lines from a 5,000-SKU catalog, 1,000 customers (a seeded PRNG: the same run each time);
 * `--cost-receipt` commits bench/cost.ts's 5-line receipt instead (the same five lines every time).
 * `npx tsx bench/history.ts [--receipts 1500] [--window 60] [--shards 4] [--cost-receipt]`
 */
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBRecord } from 'aws-lambda';
import { startBenchEnv, benchReceipt } from './lib/env.ts';
import { startMoto } from '../test/support/moto.ts';
import { startStreamReader } from '../local/stream.ts';
import { isCounted } from '../lib/domain/insight.ts';
import { changeFromStreamRecord } from '../lib/events/stream-record.ts';
import { batchIdOf, historyFilesOf, writeHistoryFiles } from '../lib/app/history-files.ts';
import { historyFileReader, historyFileWriter } from '../lib/storage/history-bucket.ts';
import { HISTORY_SHARDS, historyReader } from '../lib/storage/history.ts';
import { itemSizeBytes } from '../lib/storage/item-size.ts';
import { shardOf } from '../lib/storage/keys.ts';
import { seeded } from '../test/reliability/faults.ts';
import { PRICES } from './cost.ts';

const { values: flags } = parseArgs({ options: { receipts: { type: 'string', default: '1500' }, window: { type: 'string', default: '60' }, shards: { type: 'string', default: '4' }, 'cost-receipt': { type: 'boolean', default: false } } });
const N = Number(flags.receipts);
const WINDOW_S = Number(flags.window);
const SHARDS = Number(flags.shards);
/** The prices the cost model uses (bench/cost.ts): S3 Standard requests and storage, a DynamoDB write unit. */
const S3 = { putPer1000: PRICES.s3PutPerThousand, listPer1000: PRICES.s3PutPerThousand, getPer1000: PRICES.s3GetPerThousand, gbMonth: PRICES.s3StorageGbMonth };
const WRITE_UNIT = PRICES.dynamoWritePerMillionUnits / 1e6;

const random = seeded(14);
const pick = (n: number) => Math.floor(random() ** 2 * n); // popular items more often
/** A 5-line basket from a 5,000-SKU catalog in 40 categories: the history compresses as real receipts would, not as five identical lines. */
const basket = (card: string) => ({
  ...benchReceipt(env, card, 5),
  lines: Array.from({ length: 5 }, (_, l) => {
    const sku = pick(5_000);
    const quantity = 1 + Math.floor(random() * 3);
    const unitPrice = 100 * (5 + ((sku * 7919) % 400));
    return { lineId: String(l + 1), sku: `SKU-${String(sku).padStart(5, '0')}`, category: `cat-${sku % 40}`, quantity, unitPrice, amount: unitPrice * quantity };
  }),
});

// EMF metric lines would flood the output (as in npm start).
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
const env = await startBenchEnv({ customers: 1000 });
const moto = await startMoto();
const s3 = new S3Client({ ...moto.config, forcePathStyle: true });
const bucket = 'bench-history';
await s3.send(new CreateBucketCommand({ Bucket: bucket }));
const requests: Record<string, number> = {};
s3.middlewareStack.add((next, context) => async (args) => {
  requests[context.commandName ?? '?'] = (requests[context.commandName ?? '?'] ?? 0) + 1;
  return next(args);
}, { step: 'initialize', name: 'count' });

// The reports function's view of the stream: what the stack's filter lets through.
const delivered: DynamoDBRecord[] = [];
const stream = await startStreamReader({
  client: new DynamoDBClient({ endpoint: env.ddb.endpoint, region: 'us-east-1' }),
  endpoint: env.ddb.endpoint,
  table: env.table,
  from: 'LATEST',
  handler: async (e) => {
    delivered.push(...e.Records.filter((r) => isCounted(r.eventName, r.dynamodb?.NewImage?.type?.S)));
    return { batchItemFailures: [] };
  },
});

for (let i = 0; i < N; i++) {
  const card = env.cards[i % env.cards.length]!;
  const body = flags['cost-receipt'] ? benchReceipt(env, card, 5) : basket(card);
  const r = await env.invoke(env.handlers, { method: 'POST', path: '/v1/receipts', body, headers: { authorization: `Bearer ${env.posKey}` } });
  if (r.status !== 200) throw new Error(`commit ${i}: ${r.status} ${JSON.stringify(r.body)}`);
}
await stream.caughtUp(120_000);
await stream.stop();

const receiptRecords = delivered.filter((r) => r.eventName === 'INSERT' && r.dynamodb?.NewImage?.type?.S === 'receipt');
if (receiptRecords.length !== N) throw new Error(`expected ${N} receipt inserts on the stream, saw ${receiptRecords.length}`);
const recordsPerReceipt = delivered.length / N;

// The receipt item now, and with the history index keys main wrote on it.
const images = receiptRecords.map((r) => changeFromStreamRecord(r).newImage!);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const itemNow = mean(images.map((i) => itemSizeBytes(i)));
const itemBefore = mean(
  images.map((i) =>
    itemSizeBytes({
      ...i,
      histPk: `T#${i.tenantId}#HIST#${String(i.committedAt).slice(0, 10)}#${shardOf(String(i.customerId), HISTORY_SHARDS)}`,
      histSk: `${i.committedAt}#R#${i.storeId}#${i.receiptId}`,
    }),
  ),
);
const units = (bytes: number) => Math.ceil(bytes / 1024) * 2;

// Batches as the stream would cut them at each rate and batch size; each written through the real adapter.
const writer = historyFileWriter(s3, bucket);
const rows: string[] = [];
const readRows: string[] = [];
for (const rate of [10, 100]) {
  for (const batchSize of [500, 10_000]) {
    const perShard = rate / SHARDS;
    const byWindow = perShard * WINDOW_S;
    const bySize = Math.floor(batchSize / recordsPerReceipt);
    const receiptsPerBatch = Math.max(1, Math.min(byWindow, bySize, N));
    // Whole batches of the measured stream: its records in order, cut after `receiptsPerBatch` receipts.
    const before = { ...requests };
    let stored = 0;
    let raw = 0;
    let written = 0;
    let batches = 0;
    let batch: DynamoDBRecord[] = [];
    let inBatch = 0;
    const flush = async () => {
      if (!batch.length) return;
      const changes = batch.map(changeFromStreamRecord);
      raw += historyFilesOf(changes).reduce((n, f) => n + f.lines.reduce((m, l) => m + Buffer.byteLength(l) + 1, 0), 0);
      const r = await writeHistoryFiles(writer, `${rate}-${batchSize}-${batchIdOf(batch)}`, changes);
      stored += r.bytes;
      written += r.lines;
      if (r.files) batches++;
      batch = [];
      inBatch = 0;
    };
    for (const rec of delivered) {
      batch.push(rec);
      if (rec.eventName === 'INSERT' && rec.dynamodb?.NewImage?.type?.S === 'receipt' && ++inBatch >= receiptsPerBatch) await flush();
    }
    await flush();
    const puts = (requests.PutObjectCommand ?? 0) - (before.PutObjectCommand ?? 0);
    // Per receipt at this rate, for a full window: the batches measured are whole ones except the last.
    const putsPerReceipt = 1 / receiptsPerBatch;
    const bytesPerReceipt = stored / written;
    rows.push(
      `| ${rate}/s | ${batchSize.toLocaleString('en-US')} | ${receiptsPerBatch.toFixed(0)} (${byWindow <= bySize ? `${WINDOW_S} s window` : 'batch size'}) | ${putsPerReceipt.toFixed(4)} | $${((putsPerReceipt * S3.putPer1000) / 1000 * 1e6).toFixed(3)} | ${bytesPerReceipt.toFixed(0)} B (raw ${(raw / written).toFixed(0)} B) | $${((bytesPerReceipt * 1e6) / 1024 ** 3 * S3.gbMonth).toFixed(4)} | ${puts} PUTs for ${batches} batches |`,
    );
    if (batchSize === 500 || rate === 10) {
      // A simulation reads every file of its period once per shard of customers.
      const filesPerDay = SHARDS * Math.ceil((86_400 * perShard) / receiptsPerBatch);
      const receiptsPerDay = rate * 86_400;
      const getsPerReceipt = (HISTORY_SHARDS * filesPerDay) / receiptsPerDay;
      const listsPerDay = HISTORY_SHARDS * Math.ceil(filesPerDay / 1000);
      readRows.push(
        `| ${rate}/s | ${batchSize.toLocaleString('en-US')} | ${filesPerDay.toLocaleString('en-US')} | ${getsPerReceipt.toFixed(3)} | ${listsPerDay} | $${(((getsPerReceipt * S3.getPer1000) / 1000) * 1e6 + ((listsPerDay / receiptsPerDay) * S3.listPer1000) / 1000 * 1e6).toFixed(3)} |`,
      );
    }
  }
}

// A shard of the last written period read back through the real reader, to check the Gets it takes.
const reader = historyReader(historyFileReader(s3, bucket));
const day = new Date().toISOString().slice(0, 10);
const tenantId = String(images[0]!.tenantId);
const before = { ...requests };
const shard0 = await reader.shard(tenantId, 0, `${day}T00:00:00Z`, new Date(Date.now() + 86_400_000).toISOString());
const gets = (requests.GetObjectCommand ?? 0) - (before.GetObjectCommand ?? 0);

console.log(`### Simulator history in S3 (${N} 5-line receipts committed through the handlers; ${SHARDS} stream shards, ${WINDOW_S} s window assumed)\n`);
console.log(`Stream records the reports function receives per receipt: ${recordsPerReceipt.toFixed(2)} (receipt, ledger entry, customer).`);
console.log(`Receipt item: ${itemBefore.toFixed(0)} B with the history index keys (main) → ${itemNow.toFixed(0)} B without: ${units(itemBefore)} → ${units(itemNow)} write units in the commit's transaction, and the index entry's 1 write unit gone: ${units(itemBefore) + 1 - units(itemNow)} write units, $${(((units(itemBefore) + 1 - units(itemNow)) * WRITE_UNIT) * 1e6).toFixed(2)} per million receipts.\n`);
console.log('| rate | batch size (records) | receipts per batch (closed by) | S3 PUTs per receipt | PUTs $ per million receipts | stored per receipt (gzip) | storage $ per million receipts per month | measured |');
console.log('|---|---:|---|---:|---:|---:|---:|---|');
for (const r of rows) console.log(r);
console.log(`\nA simulation reads every day file of its period once per shard of customers (${HISTORY_SHARDS}):\n`);
console.log('| rate | batch size | files per day | GETs per receipt replayed | LISTs per day replayed | $ per million receipts replayed |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const r of readRows) console.log(r);
console.log(`\n(Check: one shard of today read back took ${gets} GETs for the files written, found ${shard0.events.length} of its receipts, each once.)`);

s3.destroy();
await moto.stop();
await env.stop();
process.exit(0);
