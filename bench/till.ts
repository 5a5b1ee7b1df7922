/**
 * The till's commit, where its time goes: the same 5-line commit timed (interleaved, same run,
 * same DynamoDB Local) as
 * - the raw calls it makes: 2 GetItem + TransactWriteItems of the same items, in-process;
 * - the handler called in-process (the authorizer step included, its answer cached as API
 *   Gateway's would be);
 * - a bare node:http server doing those raw calls per request (the floor for anything over HTTP);
 * - the local runtime's gateway (the same handlers behind node:http), first alone, then with the
 *   background running (the stream reader, the outbox relay, the bus and the workers sharing the
 *   machine's cores, as `npm start` runs them).
 * `npx tsx bench/till.ts [samples]`.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { benchReceipt, startBenchEnv, type BenchEnv } from './lib/env.ts';
import { latencyTable, timeInterleaved } from './lib/stats.ts';

const post = (url: string, path: string, body: unknown, key: string) =>
  new Promise<number>((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = request(`${url}${path}`, { method: 'POST', agent: keepAlive, headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, 'content-length': Buffer.byteLength(data) } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve(res.statusCode) : reject(new Error(`${path} → ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(data);
  });
const { Agent } = await import('node:http');
const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 });

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export async function runTillBench(samples: number): Promise<string> {
  const env: BenchEnv = await startBenchEnv({ customers: 50 });
  const { startGateway } = await import('../local/gateway.ts');
  const card = (i: number) => env.cards[Math.abs(i) % env.cards.length]!;
  // The items a 5-line commit writes, to copy on fresh keys for the raw paths.
  env.meter.reset();
  await env.invoke(env.handlers, { method: 'POST', path: '/v1/receipts', body: benchReceipt(env, card(0), 5), headers: { authorization: `Bearer ${env.posKey}` } });
  const template = env.meter.lastTransaction as Array<{ Put: { Item: Record<string, unknown> } }>;
  let k = 0;
  const raw = async () => {
    await env.deps.db.doc.send(new GetCommand({ TableName: env.table, Key: { pk: `T#x#ID#card#${card(0)}`, sk: 'ID' }, ConsistentRead: true }));
    await env.deps.db.doc.send(new GetCommand({ TableName: env.table, Key: { pk: 'RAW#none', sk: 'CUSTOMER' }, ConsistentRead: true }));
    const tag = ++k;
    await env.deps.db.doc.send(new TransactWriteCommand({ TransactItems: template.map((t) => ({ Put: { TableName: env.table, Item: { ...t.Put.Item, pk: `RAW#${tag}#${String(t.Put.Item.pk)}` } } })) as never }));
  };
  const bare = createServer((req, res) => {
    req.resume();
    req.on('end', () => void raw().then(() => (res.writeHead(200, { 'content-type': 'application/json' }), res.end('{}'))));
  });
  const bareUrl = await listen(bare);
  const gateway = await startGateway({ handlers: env.handlers as never, port: 0, quiet: true });
  const inProcess = async (i: number) => {
    const r = await env.invoke(env.handlers, { method: 'POST', path: '/v1/receipts', body: benchReceipt(env, card(i), 5), headers: { authorization: `Bearer ${env.posKey}` } });
    if (r.status !== 200) throw new Error(`commit → ${r.status}`);
  };
  const paths = (label: string) => [
    { label: 'raw 2 × GetItem + TransactWriteItems, in-process', run: raw },
    { label: 'commit through the handler, in-process', run: inProcess },
    { label: 'raw calls behind a bare HTTP server', run: async () => void (await post(bareUrl, '/', {}, 'x')) },
    { label: `commit over the local runtime's HTTP${label}`, run: async (i: number) => void (await post(gateway.url, '/v1/receipts', benchReceipt(env, card(i), 5), env.posKey)) },
  ];
  try {
    const alone = await timeInterleaved(paths(', background off'), samples);
    const { startBackground } = await import('../local/background.ts');
    let counting = true;
    const bg = await startBackground({ dynamoEndpoint: env.ddb.endpoint, table: env.table, tickMs: 0, streamFrom: 'LATEST', countReports: () => counting });
    let busy, uncounted;
    try {
      busy = await timeInterleaved(paths(', background on'), samples);
      await bg.settle();
      // The same, with the report counters' records dropped: what the till's local latency owes to them.
      counting = false;
      uncounted = await timeInterleaved(paths(', background on, report counters off'), samples);
      await bg.settle();
    } finally {
      await bg.close();
    }
    const ratio = (a: number, b: number) => (a / b).toFixed(2);
    return [
      `### The till's commit: where the time goes (5 lines, ${samples} samples per path, interleaved)`,
      '',
      '#### Background off',
      '',
      latencyTable(alone, alone[0]!),
      '',
      '#### Background on (stream reader, outbox, bus and workers in the same process, as `npm start`)',
      '',
      latencyTable(busy, busy[0]!),
      '',
      "#### Background on, the report counters' records dropped (their reader still polls)",
      '',
      latencyTable(uncounted, uncounted[0]!),
      '',
      `Handler ÷ raw calls, in-process: ${ratio(alone[1]!.p50, alone[0]!.p50)} (background off), ${ratio(busy[1]!.p50, busy[0]!.p50)} (on), ${ratio(uncounted[1]!.p50, uncounted[0]!.p50)} (on, no counting). ` +
        `Local HTTP ÷ bare HTTP: ${ratio(alone[3]!.p50, alone[2]!.p50)} (off), ${ratio(busy[3]!.p50, busy[2]!.p50)} (on), ${ratio(uncounted[3]!.p50, uncounted[2]!.p50)} (on, no counting). ` +
        `Bare HTTP ÷ raw: ${ratio(alone[2]!.p50, alone[0]!.p50)}: node:http itself.`,
    ].join('\n');
  } finally {
    await gateway.close();
    bare.close();
    keepAlive.destroy();
    await env.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await runTillBench(Number(process.argv[2] ?? 300)));
  process.exit(0);
}
