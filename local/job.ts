/**
 * `npm run job -- <birthday|expiry|tiers|refills|notifications> [--date YYYY-MM-DD] [--tenant ID]`: runs a job
 * by hand, for a given program-time day. With `npm start` running it asks that runtime; otherwise
 * it starts one on the same state directory, runs the job, waits for its effects, and stops.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { runtimeFile, startRuntime } from './runtime.ts';

const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    date: { type: 'string' },
    tenant: { type: 'string' },
    'state-dir': { type: 'string' },
    'in-memory': { type: 'boolean', default: false },
  },
});
const job = positionals[0];
if (!job || !['birthday', 'expiry', 'tiers', 'refills', 'segments', 'notifications', 'insight'].includes(job)) {
  console.error('usage: npm run job -- <birthday|expiry|tiers|refills|segments|notifications|insight> [--date YYYY-MM-DD] [--tenant ID]');
  process.exit(2);
}
const root = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const stateDir = flags['state-dir'] ?? join(root, '.local');
const query = new URLSearchParams({ ...(flags.date ? { day: flags.date } : {}), ...(flags.tenant ? { tenant: flags.tenant } : {}) });

async function viaRunning(): Promise<boolean> {
  if (flags['in-memory'] || !existsSync(runtimeFile(stateDir))) return false;
  const { url } = JSON.parse(readFileSync(runtimeFile(stateDir), 'utf8')) as { url: string };
  try {
    const r = await fetch(`${url}/_local/jobs/${job}?${query}`, { method: 'POST' });
    console.log(JSON.stringify(await r.json(), null, 2));
    process.exitCode = r.ok ? 0 : 1;
    return true;
  } catch {
    return false; // a stale runtime.json: nobody is listening
  }
}

if (!(await viaRunning())) {
  const runtime = await startRuntime({ stateDir, inMemory: flags['in-memory'], port: 0, quiet: true, tickMs: 0, onMessage: (m) => console.log(`outbox: ${m.channel}: ${m.text}`) });
  try {
    const report = await runtime.background.runJob(job as 'birthday', { ...(flags.date ? { day: flags.date } : {}), ...(flags.tenant ? { tenantId: flags.tenant } : {}) });
    console.log(JSON.stringify(report, null, 2));
  } catch (e) {
    console.error((e as Error).message);
    process.exitCode = 1;
  } finally {
    await runtime.stop();
  }
}
