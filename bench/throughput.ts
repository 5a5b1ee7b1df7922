/**
 * Throughput: N concurrent simulated tills posting receipts over the local HTTP API for a fixed
 * time, against raw TransactWriteItems of the same items at the same concurrency.
 */
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { startGateway } from '../local/gateway.ts';
import { benchReceipt, type BenchEnv } from './lib/env.ts';
import { percentile } from './lib/stats.ts';

interface Run {
  ops: number;
  errors: number;
  latencies: number[];
  seconds: number;
}

async function drive(tills: number, seconds: number, op: (till: number, i: number) => Promise<boolean>): Promise<Run> {
  const until = performance.now() + seconds * 1000;
  const latencies: number[] = [];
  let ops = 0;
  let errors = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: tills }, async (_, till) => {
      for (let i = 0; performance.now() < until; i++) {
        const t0 = performance.now();
        const ok = await op(till, i).catch(() => false);
        latencies.push(performance.now() - t0);
        if (ok) ops++;
        else errors++;
      }
    }),
  );
  return { ops, errors, latencies, seconds: (performance.now() - start) / 1000 };
}

export async function runThroughputBench(env: BenchEnv, opts: { tills: number[]; seconds: number }): Promise<string> {
  const gw = await startGateway({ handlers: env.handlers, quiet: true });
  const headers = { authorization: `Bearer ${env.posKey}`, 'content-type': 'application/json' };
  // One real commit gives the item template for the raw baseline.
  env.meter.reset();
  await fetch(`${gw.url}/v1/receipts`, { method: 'POST', headers, body: JSON.stringify(benchReceipt(env, env.cards[0]!, 5)) });
  const template = env.meter.lastTransaction as Array<{ Put: { Item: Record<string, unknown> } }>;
  let k = 0;
  const rows = ['| tills | receipts/s | error rate | p99 ms | raw TransactWriteItems/s | ÷ raw |', '|---:|---:|---:|---:|---:|---:|'];
  for (const tills of opts.tills) {
    const raw = await drive(tills, Math.max(3, opts.seconds / 3), async () => {
      const n = ++k;
      await env.deps.db.doc.send(
        new TransactWriteCommand({ TransactItems: template.map((t) => ({ Put: { TableName: env.table, Item: { ...t.Put.Item, pk: `RAWT#${n}#${String(t.Put.Item.pk)}` } } })) }),
      );
      return true;
    });
    const run = await drive(tills, opts.seconds, async (till, i) => {
      const card = env.cards[(till * 7919 + i * 104729) % env.cards.length]!;
      const r = await fetch(`${gw.url}/v1/receipts`, { method: 'POST', headers, body: JSON.stringify(benchReceipt(env, card, 5)) });
      await r.arrayBuffer();
      return r.status === 200;
    });
    const rps = run.ops / run.seconds;
    const rawRps = raw.ops / raw.seconds;
    rows.push(
      `| ${tills} | ${rps.toFixed(0)} | ${((100 * run.errors) / Math.max(1, run.ops + run.errors)).toFixed(2)} % | ${percentile(run.latencies, 99).toFixed(1)} | ${rawRps.toFixed(0)} | ${(rps / rawRps).toFixed(2)} |`,
    );
  }
  await gw.close();
  return [`### Throughput: concurrent tills over local HTTP, ${env.cards.length} customers, ${opts.seconds} s per row`, '', ...rows].join('\n');
}
