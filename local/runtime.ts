/**
 * The whole system on one machine: DynamoDB Local, the table from the shared definition, the
 * seeded demo tenant, the HTTP API (same Lambda handlers as in AWS), and the background half
 * (schedules, queues, stream, bus, outbox). `npm start` and `npm run job` both start it.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerResponse } from 'node:http';
import { startBackground, type Background } from './background.ts';
import { useDevIssuer } from './dev-issuer.ts';
import { startDynamoLocal, useLocalTable, type DynamoLocal } from './dynamo-local.ts';
import { startGateway, type Gateway } from './gateway.ts';
import { devSignIn, staticSite } from './web.ts';
import type { OutboxMessage } from './peers.ts';

export interface RuntimeOptions {
  readonly stateDir: string;
  readonly inMemory: boolean;
  readonly port: number;
  readonly quiet: boolean;
  /** Schedule tick; 0 runs jobs only by hand. */
  readonly tickMs: number;
  readonly onMessage?: (m: OutboxMessage) => void;
  /** The built browser side (web/dist) to serve at /; without it only the API is served. */
  readonly webDir?: string;
}

export interface Runtime {
  readonly ddb: DynamoLocal;
  readonly gateway: Gateway;
  readonly background: Background;
  readonly table: string;
  readonly seed: Awaited<ReturnType<typeof import('./seed.ts')['seedDemo']>>;
  stop(): Promise<void>;
}

export { runtimeFile } from './runtime-file.ts';
import { LOCAL_TABLE, runtimeFile, type RuntimeInfo } from './runtime-file.ts';
const JOBS = new Set(['birthday', 'expiry', 'tiers', 'refills', 'segments', 'notifications', 'insight']);

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body, null, 2));
};

export async function startRuntime(opts: RuntimeOptions): Promise<Runtime> {
  const table = LOCAL_TABLE;
  const ddb = await startDynamoLocal({ dataDir: opts.inMemory ? undefined : join(opts.stateDir, 'dynamodb') });
  let background: Background | undefined;
  let gateway: Gateway | undefined;
  const stop = async () => {
    await gateway?.close();
    await background?.close();
    await ddb.stop();
    rmSync(runtimeFile(opts.stateDir), { force: true });
  };
  try {
    // The phone lookup key must outlive restarts, or stored phone numbers could not be found again.
    if (!opts.inMemory && !process.env.LOOKUP_KEY) {
      const keyFile = join(opts.stateDir, 'lookup-key');
      mkdirSync(opts.stateDir, { recursive: true });
      if (!existsSync(keyFile)) writeFileSync(keyFile, randomBytes(32).toString('base64'), { mode: 0o600 });
      process.env.LOOKUP_KEY = readFileSync(keyFile, 'utf8').trim();
    }
    // Staff may sign in with tokens from the development issuer (npm run token), as with Cognito in AWS.
    const issuer = await useDevIssuer(opts.stateDir);
    const signIn = devSignIn(issuer);
    // The gateway prints one line per request; Lambda-style JSON logs only for warnings and errors.
    await useLocalTable(ddb, table, 'WARN');
    const { seedDemo } = await import('./seed.ts');
    const seed = await seedDemo({ persistKeys: !opts.inMemory, keysFile: join(opts.stateDir, 'demo-keys.json') });
    background = await startBackground({ dynamoEndpoint: ddb.endpoint, table, tickMs: opts.tickMs, ...(opts.inMemory ? {} : { filesDir: join(opts.stateDir, 'imports') }), ...(opts.onMessage ? { onMessage: opts.onMessage } : {}) });
    const bg = background;
    const { handlers } = await import('./handlers.ts');
    gateway = await startGateway({
      handlers,
      port: opts.port,
      quiet: opts.quiet,
      ...(opts.webDir ? { site: staticSite(opts.webDir) } : {}),
      // Local-only views of the background: what was "sent", what is queued or parked, and jobs by hand.
      local: async (req, res) => {
        const url = new URL(req.url ?? '/', 'http://local');
        if (url.pathname.startsWith('/_local/oauth2/')) return signIn(req, res);
        if (req.method === 'GET' && url.pathname === '/_local/outbox') return (json(res, 200, { messages: bg.peers.outbox }), true);
        if (req.method === 'GET' && url.pathname === '/_local/queues') {
          const view = Object.fromEntries(Object.values(bg.queues.queues).map((q) => [q.name, { depth: q.depth(), ...q.stats, deadLetters: q.deadLetters }]));
          return (json(res, 200, { queues: view, stream: bg.stream.stats, streamFailures: bg.stream.failed.length }), true);
        }
        const job = /^\/_local\/jobs\/([a-z]+)$/.exec(url.pathname);
        if (req.method === 'POST' && job && JOBS.has(job[1]!)) {
          const day = url.searchParams.get('day') ?? undefined;
          const tenantId = url.searchParams.get('tenant') ?? undefined;
          try {
            const report = await bg.runJob(job[1] as 'birthday', { ...(day ? { day } : {}), ...(tenantId ? { tenantId } : {}) });
            json(res, 200, report);
          } catch (e) {
            json(res, 400, { error: { code: 'job_failed', message: (e as Error).message } });
          }
          return true;
        }
        return false;
      },
    });
    // Sign-in links sent by SMS or e-mail point at this runtime's customer page.
    process.env.CUSTOMER_PAGE_URL ??= `${gateway.url}/me.html`;
    mkdirSync(opts.stateDir, { recursive: true });
    // Where the operator's command (npm run admin) and tools find this runtime and its table.
    const info: RuntimeInfo = { url: gateway.url, pid: process.pid, dynamodb: { endpoint: ddb.endpoint, table } };
    writeFileSync(runtimeFile(opts.stateDir), JSON.stringify(info));
    return { ddb, gateway, background, table, seed, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
