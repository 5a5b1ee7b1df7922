/**
 * What the report counters cost per receipt, and what each report reads per request.
 *
 * Commits receipts (1,000 members, about one receipt each a day; 10 stores; a third of the receipts burning points) through the
 * use case, reads the table's stream from DynamoDB Local, keeps what the stack's filter lets
 * through, and counts it in batches as deployed (each stream shard's records of the run in one
 * batch, up to the mapping's batch size): transaction items and write units per receipt (counter
 * items 2 each, a range marker 2 per KB), and the money per million receipts. Then it
 * calls each report and prints its Queries, items and read units.
 *
 *   npx tsx bench/reports.ts [--receipts 2000] [--customers 1000]
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { benchReceipt, startBenchEnv } from './lib/env.ts';
import { PRICES } from './cost.ts';
import { REPORTS_BATCH } from '../infra/stacks/background-stack.ts';
import { itemSizeBytes } from '../lib/storage/item-size.ts';

const BATCH = REPORTS_BATCH.size;

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const RECEIPTS = arg('receipts', 2000);
const STORES = 10;

const CUSTOMERS = arg('customers', 1000);
const env = await startBenchEnv({ customers: CUSTOMERS });
const { commit } = await import('../lib/app/receipts.ts');
const { countChanges } = await import('../lib/app/insight.ts');
const { isCounted, dayOf } = await import('../lib/domain/insight.ts');
const { changeFromStreamRecord } = await import('../lib/events/stream-record.ts');
const { startStreamReader } = await import('../local/stream.ts');
const tenantId = (await env.deps.apiKeys.resolve(env.posKey))!.tenantId;

const started = Date.now();
for (let i = 0; i < RECEIPTS; i++) {
  const storeId = `S-${String(1 + (i % STORES)).padStart(2, '0')}`;
  const principal = { tenantId, storeId, role: 'pos' as const, actor: `pos:${storeId}`, keyId: 'bench' };
  const customer = i % env.cards.length;
  // A third burn a little of what they have (from the second round of receipts on).
  const burn = i >= env.cards.length && i % 3 === 0 ? 10 : 0;
  await commit(env.deps, principal, storeId, benchReceipt(env, env.cards[customer]!, 3, burn) as never);
}
console.log(`${RECEIPTS} receipts committed in ${((Date.now() - started) / 1000).toFixed(1)} s`);

const records: DynamoDBRecord[] = [];
let all = 0;
const reader = await startStreamReader({
  client: new DynamoDBClient({ endpoint: env.ddb.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
  endpoint: env.ddb.endpoint,
  table: env.table,
  handler: async (e) => {
    all += e.Records.length;
    records.push(...e.Records.filter((r) => isCounted(r.eventName, r.dynamodb?.NewImage?.type?.S)));
    return { batchItemFailures: [] };
  },
});
await reader.caughtUp();
await reader.stop();

env.meter.reset();
// Write units as DynamoDB bills them: every transaction item twice, per KB (the range marker is several).
let billed = 0;
env.deps.db.doc.middlewareStack.add(
  (next) => async (args) => {
    const items = (args.input as { TransactItems?: Array<{ Put?: { Item: Record<string, unknown> } }> }).TransactItems ?? [];
    for (const t of items) billed += 2 * (t.Put ? Math.max(1, Math.ceil(itemSizeBytes(t.Put.Item) / 1024)) : 1);
    return next(args);
  },
  { step: 'initialize', name: 'billedUnits' },
);
const t0 = Date.now();
// In AWS a receipt's own partition and its customer's are on different stream shards, read by
// different invocations: counted here as two streams, so a receipt and its customer never share a
// transaction (as they could on DynamoDB Local's one shard).
const byShard = [records.filter((r) => JSON.stringify(r.dynamodb?.Keys).includes('#C#')), records.filter((r) => !JSON.stringify(r.dynamodb?.Keys).includes('#C#'))];
for (const shard of byShard) {
  for (let i = 0; i < shard.length; i += BATCH) await countChanges(env.deps, shard.slice(i, i + BATCH).map(changeFromStreamRecord));
}
const ms = Date.now() - t0;
const items = env.meter.itemsWritten;
const wcu = billed / RECEIPTS;
const lambdaGbS = (ms / 1000) * 0.5;
console.log(`stream records: ${all} in all, ${records.length} through the filter (${(records.length / RECEIPTS).toFixed(2)} per receipt)`);
console.log(`transaction items written: ${items} (${(items / RECEIPTS).toFixed(2)} per receipt) → ${wcu.toFixed(2)} write units per receipt (as billed: 2 per item and KB; DynamoDB Local reported ${(env.meter.writeUnits / RECEIPTS).toFixed(2)})`);
console.log(`per million receipts: DynamoDB writes $${(wcu * PRICES.dynamoWritePerMillionUnits).toFixed(2)}, Lambda ≈ $${((lambdaGbS * PRICES.lambdaGbSecond + (records.length / BATCH) * PRICES.lambdaRequestsPerMillion / 1e6) * (1e6 / RECEIPTS)).toFixed(3)} (${ms} ms for ${Math.ceil(records.length / BATCH)} batches, 512 MB, local time errs high)`);

const staff = (path: string) => env.invoke(env.handlers, { method: 'GET', path, headers: { authorization: `Bearer ${env.staffKey}` } });
const today = dayOf(new Date(), 'Asia/Yerevan');
const month = today.slice(0, 7);
for (const path of [
  `/v1/reports/sales?from=${month}-01&to=${today}`,
  `/v1/reports/sales?from=${month}-01&to=${today}&by=store`,
  `/v1/reports/sales?from=${Number(month.slice(0, 4)) - 1}-${month.slice(5)}-01&to=${today}&by=store`,
  `/v1/reports/points?from=${month}-01&to=${today}&by=store`,
  `/v1/reports/members?from=${month}&to=${month}`,
  `/v1/reports/liability?by=expiry`,
  `/v1/reports/liability?by=store`,
  `/v1/reports/breakage?from=${month}&to=${month}`,
]) {
  env.meter.reset();
  const r = await staff(path);
  const reads = r.body?.reads ? `${r.body.reads.queries} Queries, ${r.body.reads.items} items` : '';
  console.log(`${r.status} ${path}: ${reads}, ${env.meter.readUnits} read units (DynamoDB Local)`);
}
await env.stop();
process.exit(0);
