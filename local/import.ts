/**
 * `npm run import -- members FILE [--tenant demo]`: brings a chain's members in from a CSV or JSON
 * Lines file (`products FILE`: the tenant's product catalog), into the running local runtime's DynamoDB (found through `.local/runtime.json`, or
 * DYNAMODB_ENDPOINT and TABLE_NAME). A progress bar with rate and ETA goes to stderr; the summary
 * and the error report's path to stdout. The import's id comes from the file's content, so running
 * the same command again after an interruption (Ctrl-C, a crash) resumes it; `--new` starts over
 * under a new id (rows already imported then count as already imported).
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { finished } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { localClient } from './dynamo-local.ts';
import { progressLine } from './progress.ts';
import { runtimeFile } from './runtime.ts';

const usage = 'usage: npm run import -- members|products FILE [--tenant demo] [--format csv|jsonl] [--new | --id IMPORT_ID] [--takeover]';
const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    tenant: { type: 'string', default: 'demo' },
    format: { type: 'string' },
    id: { type: 'string' },
    new: { type: 'boolean', default: false },
    /** Take the import from a run that died holding it, without waiting for its lease to run out. */
    takeover: { type: 'boolean', default: false },
    concurrency: { type: 'string', default: '16' },
    'state-dir': { type: 'string' },
  },
});
const [what, file] = positionals;
if ((what !== 'members' && what !== 'products') || !file) {
  console.error(usage);
  process.exit(2);
}
const path = resolve(file);
if (!existsSync(path)) {
  console.error(`${file}: no such file`);
  process.exit(2);
}

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const stateDir = flags['state-dir'] ?? join(root, '.local');

/** Where the local runtime keeps its table: runtime.json while `npm start` runs, else the environment. */
function target(): { endpoint: string | undefined; table: string } {
  if (existsSync(runtimeFile(stateDir))) {
    const r = JSON.parse(readFileSync(runtimeFile(stateDir), 'utf8')) as { dynamodbEndpoint?: string; table?: string };
    if (r.dynamodbEndpoint && r.table) return { endpoint: r.dynamodbEndpoint, table: r.table };
  }
  if (process.env.TABLE_NAME) return { endpoint: process.env.DYNAMODB_ENDPOINT, table: process.env.TABLE_NAME };
  console.error('No local runtime found: start one with `npm start` (or set DYNAMODB_ENDPOINT and TABLE_NAME).');
  process.exit(1);
}

const { endpoint, table } = target();
if (endpoint) {
  Object.assign(process.env, { DYNAMODB_ENDPOINT: endpoint, AWS_REGION: process.env.AWS_REGION ?? 'us-east-1', AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'local', AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'local' });
  const probe = localClient(endpoint);
  try {
    await probe.send(new ListTablesCommand({ Limit: 1 }));
  } catch {
    console.error(`No DynamoDB answers at ${endpoint}: is \`npm start\` running?`);
    process.exit(1);
  } finally {
    probe.destroy();
  }
}
// Phone numbers are stored under the runtime's lookup key; without the same key they could never be found.
if (!process.env.LOOKUP_KEY && !process.env.LOOKUP_KEY_SECRET_ARN) {
  const keyFile = join(stateDir, 'lookup-key');
  if (!existsSync(keyFile)) {
    console.error(`No phone lookup key in ${keyFile}: the runtime keeps none with --in-memory; start it without, or set LOOKUP_KEY to the runtime's.`);
    process.exit(1);
  }
  process.env.LOOKUP_KEY = readFileSync(keyFile, 'utf8').trim();
}
process.env.TABLE_NAME = table;
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';

const { deps } = await import('../lib/app/deps.ts');
const { runImport } = await import('../lib/app/imports.ts');
const { importIdPattern, newImportId } = await import('../lib/app/import-requests.ts');
const { formatOf } = await import('../lib/app/import-source.ts');
const { importFormats } = await import('../lib/domain/import-kinds.ts');

const format = (flags.format ?? formatOf(path)) as (typeof importFormats)[number] | null;
if (!format || !(importFormats as readonly string[]).includes(format)) {
  console.error(`${file}: say --format csv or --format jsonl (the name ends in neither .csv nor .jsonl)`);
  process.exit(2);
}
const bytesTotal = statSync(path).size;

/** The same file gives the same import, so re-running the command resumes it. */
async function contentId(): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return `file_${h.digest('base64url').replace(/[^A-Za-z0-9]/g, '').slice(0, 20)}`;
}
const importId = flags.id ?? (flags.new ? newImportId(new Date()) : await contentId());
if (!importIdPattern.test(importId)) {
  console.error('--id: may contain only letters, digits, - and _ (at most 64)');
  process.exit(2);
}
const reportPath = path.replace(/\.(csv|jsonl|ndjson)$/i, '') + '.errors.csv';

let stop = false;
process.on('SIGINT', () => {
  if (stop) process.exit(130);
  stop = true;
  process.stderr.write('\nStopping at the next checkpoint (Ctrl-C again to quit at once; the same command resumes)…\n');
});

const d = deps();
const tty = process.stderr.isTTY;
// The rate counts this run's rows only: a resume starts from the checkpoint.
const earlier = await d.imports.get(flags.tenant!, importId);
const start = { rows: earlier?.rowsDone ?? 0, bytes: earlier?.bytesDone ?? 0 };
const started = performance.now();
let lastPrinted = 0;
console.error(`Importing ${basename(path)} (${format}, ${bytesTotal.toLocaleString('en-US')} bytes) into tenant ${flags.tenant} as import ${importId}`);
const outcome = await runImport(d, {
  kind: what,
  tenantId: flags.tenant!,
  importId,
  format,
  source: basename(path),
  bytesTotal,
  open: () => createReadStream(path),
  writeReport: async (lines) => {
    const out = createWriteStream(reportPath);
    for await (const l of lines) if (!out.write(l)) await new Promise<void>((r) => out.once('drain', () => r()));
    out.end();
    await finished(out);
    return reportPath;
  },
  actor: `import:${process.env.USER ?? 'local'}`,
  takeover: flags.takeover,
  leaseMs: 30_000,
  // Smaller chunks than the worker's: the bar moves at each checkpoint.
  chunkSize: 250,
  concurrency: Number(flags.concurrency),
  shouldStop: () => stop,
  onProgress: (p) => {
    const line = progressLine({ rows: p.rowsDone, refused: p.refused, bytesDone: p.bytesDone, bytesTotal, elapsedMs: performance.now() - started, startRows: start.rows, startBytes: start.bytes });
    if (tty) process.stderr.write(`\r${line}`);
    else if (performance.now() - lastPrinted > 5_000) {
      lastPrinted = performance.now();
      process.stderr.write(`${line}\n`);
    }
  },
}).catch((e: unknown) => {
  process.stderr.write(`\nThe import stopped: ${(e as Error).message}\nRun the same command again to resume from the last checkpoint.\n`);
  process.exit(1);
});
if (tty) process.stderr.write('\n');

const p = outcome.progress;
const seconds = (performance.now() - started) / 1000;
if (outcome.state === 'busy') {
  console.log(`Import ${importId} is being run by someone else (lease until ${p.leaseUntil}). If that run died, wait until then or add --takeover.`);
  process.exit(1);
}
if (outcome.state === 'stopped') {
  console.log(`Stopped after ${p.rowsDone.toLocaleString('en-US')} rows; run the same command to resume.`);
  process.exit(1);
}
if (p.status === 'failed') {
  console.log(`Import ${importId} refused the file: ${p.failure?.message}`);
  process.exit(1);
}
console.log(
  [
    `Import ${importId}: ${p.status}`,
    `  rows      ${(p.rowsTotal ?? p.rowsDone).toLocaleString('en-US')}`,
    `  imported  ${p.imported.toLocaleString('en-US')}`,
    `  already   ${p.alreadyImported.toLocaleString('en-US')} (imported before with the same data)`,
    `  refused   ${p.refused.toLocaleString('en-US')}`,
    `  time      ${seconds.toFixed(1)} s this run${p.activeMs ? `, ${Math.round(p.rowsDone / (p.activeMs / 1000)).toLocaleString('en-US')} rows/s overall` : ''}`,
    p.report ? `  errors    ${p.report}  (row, field, rule)` : '  errors    none',
  ].join('\n'),
);
process.exit(0);
