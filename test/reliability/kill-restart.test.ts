/**
 * Kill the local runtime's API process (SIGKILL) in the middle of a load and start it again on
 * the same data: the tills retry what got no answer, and in the end nothing is lost and nothing
 * is doubled.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../local/dynamo-local.ts';

const root = new URL('../../', import.meta.url).pathname;
const RECEIPTS = process.env.RELIABILITY === 'full' ? 2_000 : 240;

interface Runtime {
  child: ChildProcess;
  url: string;
  posKey: string;
  staffKey: string;
  card: string;
}

async function startRuntime(stateDir: string, port: number): Promise<Runtime> {
  const child = spawn(join(root, 'node_modules/.bin/tsx'), ['local/start.ts', '--state-dir', stateDir, '--port', String(port), '--quiet'], {
    cwd: root,
    detached: true,
    env: { ...process.env, DYNAMODB_ENDPOINT: '', TABLE_NAME: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`runtime did not start: ${out}`)), 90_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const pos = /POS key\s+(\S+)/.exec(out);
      const staff = /Staff key\s+(\S+)/.exec(out);
      const card = /customer card (\d+)/.exec(out);
      if (out.includes('Ctrl-C stops everything') && pos && staff && card) {
        clearTimeout(timer);
        resolve({ child, url: `http://127.0.0.1:${port}`, posKey: pos[1]!, staffKey: staff[1]!, card: card[1]! });
      }
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => reject(new Error(`runtime exited (${code}): ${out}`)));
  });
}

/**
 * SIGKILL for the API process (what a crashed Lambda is), but a clean stop for DynamoDB Local:
 * in AWS the database is a durable service that outlives a crashed function. (Killing DynamoDB
 * Local's JVM with SIGKILL loses writes it had already acknowledged; that is the local tool, not
 * a property of DynamoDB.)
 */
async function killHard(r: Runtime): Promise<void> {
  const group = execFileSync('ps', ['-o', 'pid=,comm=', '-g', String(r.child.pid)], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .map(([pid, comm]) => ({ pid: Number(pid), comm: comm ?? '' }));
  const exited = new Promise<void>((resolve) => r.child.once('exit', () => resolve()));
  for (const p of group.filter((x) => x.comm !== 'java')) process.kill(p.pid, 'SIGKILL');
  await exited;
  for (const p of group.filter((x) => x.comm === 'java')) {
    process.kill(p.pid, 'SIGTERM');
    for (let i = 0; i < 100; i++) {
      try {
        process.kill(p.pid, 0);
        await new Promise((res) => setTimeout(res, 100));
      } catch {
        break;
      }
    }
  }
}

describe('Reliability: kill the local runtime mid-load', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'tally-kill-'));
  let runtime: Runtime | undefined;
  afterAll(async () => {
    if (runtime && runtime.child.exitCode === null) await killHard(runtime);
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('should lose nothing and double nothing across a SIGKILL and a restart', async () => {
    const port = await freePort();
    runtime = await startRuntime(stateDir, port);
    // The demo program takes receipts up to a few days old: these are from now (fixed once, so retries match).
    const occurredAt = new Date().toISOString();
    const bodies = Array.from({ length: RECEIPTS }, (_, i) => ({
      receiptId: `K-${i}`,
      occurredAt,
      currency: 'AMD',
      customer: { card: runtime!.card },
      lines: [{ lineId: '1', sku: 'VITC-500', category: 'vitamins', quantity: 1, unitPrice: 1_000 + i, amount: 1_000 + i }],
    }));
    const answered = new Map<string, string>();
    let sent = 0;
    let killed = false;
    const post = async (body: (typeof bodies)[number]) => {
      for (;;) {
        try {
          const r = await fetch(`${runtime!.url}/v1/receipts`, {
            method: 'POST',
            headers: { authorization: `Bearer ${runtime!.posKey}`, 'content-type': 'application/json' },
            body: JSON.stringify(body),
          });
          const text = await r.text();
          if (r.status === 200) return answered.set(body.receiptId, text);
          // A throttled till waits as told and sends the same receipt again.
          if (r.status === 429) {
            await new Promise((res) => setTimeout(res, Number(r.headers.get('retry-after') ?? '1') * 1000));
            continue;
          }
          if (r.status < 500) throw new Error(`${r.status} ${text}`);
        } catch (e) {
          if (e instanceof Error && /^\d{3} /.test(e.message)) throw e;
        }
        await new Promise((res) => setTimeout(res, 200));
      }
    };
    const restart = async () => {
      killed = true;
      await killHard(runtime!);
      runtime = await startRuntime(stateDir, port);
    };
    let next = 0;
    await Promise.all([
      ...Array.from({ length: 8 }, async () => {
        while (next < bodies.length) {
          const b = bodies[next++]!;
          sent++;
          if (sent === Math.floor(RECEIPTS * 0.4) && !killed) void restart();
          await post(b);
        }
      }),
    ]);
    expect(killed).toBe(true);
    expect(answered.size).toBe(RECEIPTS);

    // Every receipt earned once: the ledger holds one earn entry per receipt and sums to the balance.
    const staff = { authorization: `Bearer ${runtime.staffKey}` };
    const id = await (await fetch(`${runtime.url}/v1/identify`, { method: 'POST', headers: { authorization: `Bearer ${runtime.posKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ customer: { card: runtime.card } }) })).json() as { customerId: string; points: { available: number } };
    const entries: Array<{ kind: string; points: number; source: { receiptId?: string } }> = [];
    let cursor: string | null = null;
    do {
      const page = (await (await fetch(`${runtime.url}/v1/customers/${id.customerId}/ledger?limit=200${cursor ? `&cursor=${cursor}` : ''}`, { headers: staff })).json()) as { entries: typeof entries; nextCursor: string | null };
      entries.push(...page.entries);
      cursor = page.nextCursor;
    } while (cursor);
    const earns = entries.filter((e) => e.kind === 'earn' && e.source.receiptId?.startsWith('K-'));
    const seen = new Set(earns.map((e) => e.source.receiptId));
    const missing: string[] = [];
    for (const b of bodies.filter((x) => !seen.has(x.receiptId))) {
      const again = await fetch(`${runtime.url}/v1/receipts`, { method: 'POST', headers: { authorization: `Bearer ${runtime.posKey}`, 'content-type': 'application/json' }, body: JSON.stringify(b) });
      missing.push(`${b.receiptId}: replayed=${again.headers.get('idempotent-replayed')} same=${(await again.text()) === answered.get(b.receiptId)}`);
    }
    expect(missing).toEqual([]);
    expect(earns.length).toBe(RECEIPTS);
    expect(new Set(earns.map((e) => e.source.receiptId)).size).toBe(RECEIPTS);
    expect(entries.reduce((s, e) => s + e.points, 0)).toBe(id.points.available);
    // Each receipt's earn entry carries exactly the points its (first) answer reported.
    for (const e of earns) expect(e.points).toBe(JSON.parse(answered.get(e.source.receiptId!)!).totals.pointsEarned);
  }, 300_000);
});
