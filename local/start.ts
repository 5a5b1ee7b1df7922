/**
 * `npm start`: DynamoDB Local (data in `.local/dynamodb`, or `--in-memory`), the table from the
 * shared definition, a seeded demo tenant, and the HTTP API on 127.0.0.1 served by the same
 * Lambda handlers as in AWS. Ctrl-C stops all of it, Java included.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { startDynamoLocal, useLocalTable } from './dynamo-local.ts';
import { startGateway } from './gateway.ts';

const { values: flags } = parseArgs({
  options: {
    'in-memory': { type: 'boolean', default: false },
    port: { type: 'string', default: process.env.PORT ?? '3000' },
    quiet: { type: 'boolean', default: false },
    /** Where DynamoDB Local's data and the demo keys live (git-ignored by default). */
    'state-dir': { type: 'string' },
  },
});

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const stateDir = flags['state-dir'] ?? join(root, '.local');
const dataDir = flags['in-memory'] ? undefined : join(stateDir, 'dynamodb');
const table = 'tally-local';

const ddb = await startDynamoLocal({ dataDir });
let stopping = false;
const stop = async (code = 0) => {
  if (stopping) return;
  stopping = true;
  await gateway?.close();
  await ddb.stop();
  process.exit(code);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());


let gateway: Awaited<ReturnType<typeof startGateway>> | undefined;
try {
  // The gateway prints one line per request; Lambda-style JSON logs only for warnings and errors.
  await useLocalTable(ddb, table, 'WARN');
  const { seedDemo } = await import('./seed.ts');
  const seed = await seedDemo({ persistKeys: !flags['in-memory'], keysFile: join(stateDir, 'demo-keys.json') });
  const { handlers } = await import('./handlers.ts');
  gateway = await startGateway({ handlers, port: Number(flags.port), quiet: flags.quiet });
  const api = gateway.url;
  const pos = `-H 'authorization: Bearer ${seed.posKey}' -H 'content-type: application/json'`;
  const staff = `-H 'authorization: Bearer ${seed.staffKey}'`;
  const receipt = JSON.stringify({
    receiptId: 'R-1001',
    occurredAt: new Date().toISOString(),
    currency: seed.currency,
    customer: { card: seed.demoCard },
    lines: [
      { lineId: '1', sku: 'VITC-500', category: 'vitamins', quantity: 2, unitPrice: 15000, amount: 30000 },
      { lineId: '2', sku: 'RX-AMOX', category: 'rx', quantity: 1, unitPrice: 50000, amount: 50000 },
    ],
    burn: { points: 0 },
  });
  console.log(`
Tally is running.
  API             ${api}  (same Lambda handlers, API Gateway v2 events)
  DynamoDB Local  ${ddb.endpoint}  table ${table}, ${dataDir ? `data in ${dataDir}` : 'in memory'}
  Demo tenant     ${seed.tenantId}, store ${seed.storeId}, customer card ${seed.demoCard} / ${seed.demoPhone}${seed.created ? ' (seeded now)' : ''}
  POS key         ${seed.posKey}
  Staff key       ${seed.staffKey}

Try:
  curl -s ${pos} ${api}/v1/identify -d '{"customer":{"card":"${seed.demoCard}"}}'
  curl -s ${pos} ${api}/v1/receipts/quote -d '${receipt}'
  curl -s ${pos} ${api}/v1/receipts -d '${receipt}'
  curl -s ${pos} ${api}/v1/returns -d '{"returnId":"RET-1001","receiptId":"R-1001","lines":[{"lineId":"1","quantity":1}]}'
  curl -s ${staff} "${api}/v1/customers/$(curl -s ${pos} ${api}/v1/identify -d '{"customer":{"card":"${seed.demoCard}"}}' | sed -E 's/.*"customerId":"([^"]+)".*/\\1/')/ledger"

Ctrl-C stops everything.`);
} catch (e) {
  console.error(e);
  await stop(1);
}
