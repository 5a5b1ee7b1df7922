/**
 * `npm start`: DynamoDB Local (data in `.local/dynamodb`, or `--in-memory`), the table from the
 * shared definition, a seeded demo tenant, the HTTP API on 127.0.0.1 served by the same Lambda
 * handlers as in AWS, and the background jobs, queues, events and notifications (local/runtime.ts).
 * Ctrl-C stops all of it, Java included.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { startRuntime, type Runtime } from './runtime.ts';
import { buildWeb, defaultWebDist, formatSizes } from '../web/build.ts';

const { values: flags } = parseArgs({
  options: {
    'in-memory': { type: 'boolean', default: false },
    port: { type: 'string', default: process.env.PORT ?? '3000' },
    quiet: { type: 'boolean', default: false },
    /** Where DynamoDB Local's data and the demo keys live (git-ignored by default). */
    'state-dir': { type: 'string' },
    /** Seconds between schedule ticks (the jobs run on the first tick of each tenant's day). */
    tick: { type: 'string', default: '60' },
    /** Where the console is built and served from (web/dist by default). */
    'web-dir': { type: 'string' },
  },
});

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const stateDir = flags['state-dir'] ?? join(root, '.local');

let runtime: Runtime | undefined;
let stopping = false;
const stop = async (code = 0) => {
  if (stopping) return;
  stopping = true;
  await runtime?.stop();
  process.exit(code);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());

const mask = (to: string) => (to.length > 6 ? `${to.slice(0, 4)}…${to.slice(-2)}` : to);

try {
  // The console and customer page are rebuilt on every start (esbuild: about a second).
  const webDir = flags['web-dir'] ?? defaultWebDist;
  const webSizes = buildWeb(webDir);
  runtime = await startRuntime({
    webDir,
    stateDir,
    inMemory: flags['in-memory'],
    port: Number(flags.port),
    quiet: flags.quiet,
    tickMs: Number(flags.tick) * 1000,
    onMessage: (m) => {
      if (!flags.quiet) console.log(`outbox: ${m.channel} to ${mask(m.to)}: ${m.subject ? `[${m.subject}] ` : ''}${m.text}`);
    },
  });
  const { seed, gateway, ddb, table } = runtime;
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
  DynamoDB Local  ${ddb.endpoint}  table ${table}, ${flags['in-memory'] ? 'in memory' : `data in ${join(stateDir, 'dynamodb')}`}
  Background      schedules every ${flags.tick} s, queues, stream → events → notifications (in-process)
  Demo tenant     ${seed.tenantId}, store ${seed.storeId}, customer card ${seed.demoCard} / ${seed.demoPhone}${seed.created ? ' (seeded now)' : ''}
  POS key         ${seed.posKey}
  Staff key       ${seed.staffKey}
  Console         ${api}/  (sign in as any role with the local development issuer; customer page ${api}/me.html)
${formatSizes(webSizes).replace(/^/gm, '                  ')}

Try:
  curl -s ${pos} ${api}/v1/identify -d '{"customer":{"card":"${seed.demoCard}"}}'
  curl -s ${pos} ${api}/v1/receipts/quote -d '${receipt}'
  curl -s ${pos} ${api}/v1/receipts -d '${receipt}'
  curl -s ${pos} ${api}/v1/returns -d '{"returnId":"RET-1001","receiptId":"R-1001","lines":[{"lineId":"1","quantity":1}]}'
  curl -s ${staff} "${api}/v1/customers/$(curl -s ${pos} ${api}/v1/identify -d '{"customer":{"card":"${seed.demoCard}"}}' | sed -E 's/.*"customerId":"([^"]+)".*/\\1/')/ledger"
  curl -s ${api}/_local/outbox        # messages "sent" (SMS, e-mail, push)
  curl -s ${api}/_local/queues        # queue depths, dead letters, stream progress
  npm run job -- birthday --date 2027-02-28   # a job by hand, for a given day

Ctrl-C stops everything.`);
} catch (e) {
  console.error(e);
  await stop(1);
}
