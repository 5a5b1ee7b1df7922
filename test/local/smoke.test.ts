/**
 * The smoke command against the local runtime, end to end as an operator would: `npm start`
 * running, `npm run admin -- tenant create` against it, then `npm run smoke -- --url --key` with
 * the printed admin key — every step passes, and what it made is cleaned up.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../local/dynamo-local.ts';
import { runSmoke } from '../../scripts/smoke.ts';
import { admin } from '../admin/support.ts';

const root = new URL('../../', import.meta.url).pathname;
const tsx = join(root, 'node_modules/.bin/tsx');

function runCommand(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(tsx, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => resolve({ code, out }));
  });
}

describe('npm run smoke against npm start', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'tally-smoke-'));
  let child: ChildProcess | undefined;
  let url = '';
  let demoStaffKey = '';

  beforeAll(async () => {
    const port = await freePort();
    child = spawn(tsx, ['local/start.ts', '--in-memory', '--state-dir', stateDir, '--port', String(port), '--quiet', '--tick', '0'], {
      cwd: root,
      detached: true,
      env: { ...process.env, DYNAMODB_ENDPOINT: '', TABLE_NAME: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    await new Promise<void>((resolve, reject) => {
      child!.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const staff = /Staff key\s+(\S+)/.exec(out);
        if (out.includes('Ctrl-C stops everything') && staff) {
          demoStaffKey = staff[1]!;
          resolve();
        }
      });
      child!.stderr!.on('data', (d: Buffer) => (out += d.toString()));
      child!.once('exit', (code) => reject(new Error(`runtime exited (${code}): ${out}`)));
    });
    url = `http://127.0.0.1:${port}`;
  }, 120_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM'); // the runtime stops DynamoDB Local itself
      await exited;
    }
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('should pass every step for a tenant the admin command just created, and leave nothing active behind', async () => {
    const program = join(stateDir, 'program.json');
    writeFileSync(program, JSON.stringify({ name: 'Smoke chain', currency: 'EUR', timeZone: 'Europe/Budapest', earning: { base: { points: 1, per: 100 } } }));
    const stores = join(stateDir, 'stores.csv');
    writeFileSync(stores, 'storeId,name,tags\nB-1,Budapest 1,region=central\n');
    const created = await admin('tenant', 'create', '--tenant', 'smokechain', '--program', program, '--stores', stores, '--admin-email', 'it@smoke.example', '--locale', 'hu', '--state-dir', stateDir, '--json');
    expect(created.err).toBe('');
    const key = created.json().admin.key as string;
    expect(created.json().apiUrl).toBe(url);

    // The command itself, as an operator runs it.
    const smoke = await runCommand(['scripts/smoke.ts', '--url', `${url}/`, '--key', key]);
    expect(smoke.out).toMatch(/all 10 steps passed in \d+ ms/);
    expect(smoke.code).toBe(0);
    for (const name of ['setup', 'enrol', 'identify', 'quote', 'commit', 'replay', 'return', 'ledger', 'erase', 'cleanup']) {
      expect(smoke.out).toMatch(new RegExp(`✓ ${name}\\s+\\d+ ms`));
    }
    expect(smoke.out).toMatch(/commit\s+\d+ ms\s+earned 500, balance 0 → 500/);

    const get = async (path: string) => (await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${key}` } })).json() as Promise<any>;
    const smokeStores = (await get('/v1/stores')).stores.filter((s: { storeId: string }) => s.storeId.startsWith('SMOKE-'));
    expect(smokeStores).toEqual([expect.objectContaining({ active: false })]);
    const smokeKeys = (await get('/v1/keys')).keys.filter((k: { storeId?: string }) => k.storeId === smokeStores[0].storeId);
    expect(smokeKeys).toEqual([expect.objectContaining({ revokedAt: expect.any(String) })]);
    const erased = (await get('/v1/audit')).records.filter((r: { action: string }) => r.action === 'customer.erase');
    expect(erased).toHaveLength(1);
    expect((await get(`/v1/customers/${erased[0].target.replace('customer:', '')}`)).error.code).toBe('not_found');
  }, 120_000);

  it('should fail, say where, and still clean up when a step is refused', async () => {
    const lines: string[] = [];
    // The demo tenant's program cannot be read by a POS key: setup fails, nothing was made.
    const bad = await runSmoke({ url, key: 'tly_pos_not-a-key', log: (l) => lines.push(l) });
    expect(bad.ok).toBe(false);
    expect(bad.steps[0]).toMatchObject({ name: 'setup', ok: false, detail: expect.stringContaining('expected 200, got 401') });
    expect(bad.steps.at(-1)).toMatchObject({ name: 'cleanup', ok: true, detail: 'nothing to clean up' });
    expect(lines.at(-1)).toBe('smoke test FAILED');
    // With a good key, the demo tenant passes too.
    expect((await runSmoke({ url, key: demoStaffKey })).ok).toBe(true);
  }, 60_000);
});
