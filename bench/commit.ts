/**
 * POS commit latency, measured against the raw DynamoDB calls it needs, in the same run on the
 * same DynamoDB Local: `npm run bench:commit [-- --receipts 1000]`.
 * Rows: raw TransactWriteItems of the same items; raw 2 × GetItem + that TransactWriteItems;
 * the commit handler in-process (validation, auth, pricing, reads, transaction); the same over
 * local HTTP. Absolute numbers depend on the machine; the ratios are the point.
 */
import { parseArgs } from 'node:util';
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ensureTable, localClient, startDynamoLocal } from '../local/dynamo-local.ts';

const { values } = parseArgs({ options: { receipts: { type: 'string', default: '1000' }, customers: { type: 'string', default: '50' } } });
const N = Number(values.receipts);
const CUSTOMERS = Number(values.customers);

const ddb = await startDynamoLocal();
const table = 'tally-bench';
const client = localClient(ddb.endpoint);
await ensureTable(client, table);
client.destroy();
Object.assign(process.env, {
  DYNAMODB_ENDPOINT: ddb.endpoint,
  TABLE_NAME: table,
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  POWERTOOLS_LOG_LEVEL: 'ERROR',
});

const { deps } = await import('../lib/app/deps.ts');
const { provisionTenant } = await import('../lib/app/tenants.ts');
const { handlers } = await import('../local/handlers.ts');
const { invoke } = await import('../test/support/http.ts');
const { startGateway } = await import('../local/gateway.ts');
const program = (await import('../local/demo-program.json', { with: { type: 'json' } })).default;

const d = deps();
// Count every DynamoDB call and the items each transaction writes, on the client the handlers use.
const calls: Record<string, number> = {};
let itemsWritten = 0;
d.db.doc.middlewareStack.add(
  (next, context) => async (args) => {
    const name = context.commandName ?? 'unknown';
    calls[name] = (calls[name] ?? 0) + 1;
    const input = args.input as { TransactItems?: unknown[] };
    if (input.TransactItems) itemsWritten += input.TransactItems.length;
    return next(args);
  },
  { step: 'initialize', name: 'benchCounter' },
);

const tenant = await provisionTenant(d, { tenantId: 'bench', program, stores: [{ storeId: 'S-01', name: 'Bench' }], staff: [{ name: 'bench' }] });
const posKey = tenant.posKeys['S-01']!;
const auth = { authorization: `Bearer ${posKey}` };
const cards: string[] = [];
for (let i = 0; i < CUSTOMERS; i++) {
  const r = await invoke(handlers, { method: 'POST', path: '/v1/customers', body: { name: `Bench ${i}` }, headers: auth });
  cards.push(r.body.card);
}

const receiptBody = (i: number, prefix: string) => ({
  receiptId: `${prefix}-${i}`,
  occurredAt: new Date().toISOString(),
  currency: program.currency,
  customer: { card: cards[Math.abs(i) % cards.length] },
  lines: [
    { lineId: '1', sku: 'VITC-500', category: 'vitamins', quantity: 2, unitPrice: 15000, amount: 30000 },
    { lineId: '2', sku: 'SHAMPOO', category: 'care', quantity: 1, unitPrice: 20000, amount: 20000 },
    { lineId: '3', sku: 'RX-AMOX', category: 'rx', quantity: 1, unitPrice: 50000, amount: 50000 },
    { lineId: '4', sku: 'GUM', category: 'food', quantity: 2, unitPrice: 2500, amount: 5000 },
    { lineId: '5', sku: 'WATER', category: 'food', quantity: 6, unitPrice: 300, amount: 1800 },
  ],
});

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
/**
 * Runs the paths round-robin — one of each per iteration — so JIT warm-up and machine noise fall
 * on all of them alike instead of on whichever ran first.
 */
async function timeInterleaved(paths: Array<{ label: string; run: (i: number) => Promise<void> }>) {
  for (let w = 0; w < Math.min(200, N); w++) for (const p of paths) await p.run(-1 - w);
  const samples = paths.map(() => [] as number[]);
  for (let i = 0; i < N; i++) {
    for (const [k, p] of paths.entries()) {
      const t0 = performance.now();
      await p.run(i);
      samples[k]!.push(performance.now() - t0);
    }
  }
  return paths.map((p, k) => ({ label: p.label, p50: percentile(samples[k]!, 50), p99: percentile(samples[k]!, 99) }));
}

// One real commit, to learn its call pattern and to copy its items for the raw baselines.
for (const k of Object.keys(calls)) delete calls[k];
itemsWritten = 0;
const probe = await invoke(handlers, { method: 'POST', path: '/v1/receipts', body: receiptBody(0, 'PROBE'), headers: auth });
if (probe.status !== 200) throw new Error(`probe commit failed: ${probe.raw}`);
const perCommit = { calls: { ...calls }, itemsWritten };
const customerId = probe.body.customerId as string;
const stored = (await d.db.doc.send(new GetCommand({ TableName: table, Key: { pk: 'T#bench#S#S-01#R#PROBE-0', sk: 'RECEIPT' } }))).Item!;
const customer = (await d.db.doc.send(new GetCommand({ TableName: table, Key: { pk: `T#bench#C#${customerId}`, sk: 'CUSTOMER' } }))).Item!;

// The baselines write the same items to keys of their own: receipt (new key), customer (versioned), one ledger entry.
let rawVersion = 0;
const rawItems = (i: number) => {
  const v = rawVersion++;
  return [
    { Put: { TableName: table, Item: { ...stored, pk: `RAW#R#${i}#${v}` }, ConditionExpression: 'attribute_not_exists(pk)' } },
    {
      Put: {
        TableName: table,
        Item: { ...customer, pk: 'RAW#C', version: v + 1 },
        ...(v === 0 ? {} : { ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': v } }),
      },
    },
    { Put: { TableName: table, Item: { pk: 'RAW#C', sk: `LEDGER#${String(v).padStart(12, '0')}`, kind: 'earn', points: 506 }, ConditionExpression: 'attribute_not_exists(pk)' } },
  ];
};

const gw = await startGateway({ handlers, quiet: true });
const rows = await timeInterleaved([
  {
    label: 'raw TransactWriteItems (same 3 items)',
    run: async (i) => void (await d.db.doc.send(new TransactWriteCommand({ TransactItems: rawItems(i) }))),
  },
  {
    label: 'raw 2 × GetItem + TransactWriteItems',
    run: async (i) => {
      await d.db.doc.send(new GetCommand({ TableName: table, Key: { pk: `T#bench#ID#card#${cards[0]}`, sk: 'ID' }, ConsistentRead: true }));
      await d.db.doc.send(new GetCommand({ TableName: table, Key: { pk: 'RAW#C', sk: 'CUSTOMER' }, ConsistentRead: true }));
      await d.db.doc.send(new TransactWriteCommand({ TransactItems: rawItems(i) }));
    },
  },
  {
    label: 'commit through the handler (in-process)',
    run: async (i) => {
      const r = await invoke(handlers, { method: 'POST', path: '/v1/receipts', body: receiptBody(i, 'H'), headers: auth });
      if (r.status !== 200) throw new Error(r.raw);
    },
  },
  {
    label: 'commit over local HTTP (gateway + handler)',
    run: async (i) => {
      const r = await fetch(`${gw.url}/v1/receipts`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify(receiptBody(i, 'G')),
      });
      if (r.status !== 200) throw new Error(await r.text());
    },
  },
]);
await gw.close();

const base = rows[0]!;
console.log(`\nPOS commit, ${N} receipts (5 lines, earn) after ${Math.min(200, N)} warm-up rounds, paths interleaved, DynamoDB Local, node ${process.version}`);
console.log(`DynamoDB calls per commit: ${JSON.stringify(perCommit.calls)}; items in its TransactWriteItems: ${perCommit.itemsWritten}\n`);
console.log('| path | p50 ms | p99 ms | p50 ÷ raw tx | p99 ÷ raw tx |');
console.log('|---|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(`| ${r.label} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${(r.p50 / base.p50).toFixed(2)} | ${(r.p99 / base.p99).toFixed(2)} |`);
}
await ddb.stop();
process.exit(0);
