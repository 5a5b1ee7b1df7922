/**
 * Cold start: each function's bundle (same esbuild options as the CDK) and the time a fresh Node
 * process takes to import it, against a baseline bundle that only creates the DynamoDB clients.
 * Beside the wall time, the CPU time the import took (user + system): on a shared, busy machine
 * the wall time mostly measures the queue for a core, the CPU time what the import itself costs.
 * Runs are interleaved (each round imports every bundle once, in a shuffled order), so a change in
 * the machine's load moves every bundle's median alike and the ratios stay comparable.
 *
 * `tsx bench/cold-start.ts [--runs N] [--before DIR]`: with `--before`, the bundles another
 * checkout built (its `npm run bundle` writes DIR/<function>/index.mjs) are measured in the same
 * rounds, against the same baseline, for a before/after table.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';
import { bundlingOptions, projectRoot } from '../infra/bundling.ts';
import { bundleAll } from '../scripts/bundle.ts';
import { percentile } from './lib/stats.ts';

interface Sample {
  wall: number;
  cpu: number;
}

/** One fresh Node process importing `file`: wall and CPU milliseconds of the import alone. */
function importOnce(file: string): Sample {
  const out = execFileSync(
    process.execPath,
    ['--input-type=module', '-e', `const t = performance.now(), c = process.cpuUsage(); await import(${JSON.stringify(file)}); const d = process.cpuUsage(c); console.log(performance.now() - t, (d.user + d.system) / 1000);`],
    { env: { ...process.env, TABLE_NAME: 'cold', AWS_REGION: 'us-east-1' }, encoding: 'utf8' },
  );
  const [wall, cpu] = out.trim().split(' ').map(Number) as [number, number];
  return { wall, cpu };
}

/**
 * Medians over `runs` rounds; each round imports every file once, in an order shuffled per round
 * (a fixed seed): a place in the round (just after another import, say) favours no bundle.
 */
function importMs(files: readonly string[], runs: number): Array<{ wall: number; cpu: number }> {
  const samples = files.map(() => [] as Sample[]);
  let seed = 42;
  const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  for (let r = 0; r < runs; r++) {
    const order = files.map((_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const i of order) samples[i]!.push(importOnce(files[i]!));
  }
  return samples.map((s) => ({ wall: percentile(s.map((x) => x.wall), 50), cpu: percentile(s.map((x) => x.cpu), 50) }));
}

export async function runColdStartBench(runs = 7, before?: string): Promise<string> {
  const sizes = await bundleAll();
  const baseDir = `${projectRoot}dist/baseline`;
  mkdirSync(baseDir, { recursive: true });
  writeFileSync(
    `${baseDir}/entry.ts`,
    "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nimport { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';\nexport const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));\n",
  );
  await build({
    entryPoints: [`${baseDir}/entry.ts`],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: bundlingOptions.target,
    minify: true,
    banner: { js: bundlingOptions.banner },
    outfile: `${baseDir}/index.mjs`,
    nodePaths: [`${projectRoot}node_modules`],
    mainFields: [...bundlingOptions.mainFields],
    logLevel: 'warning',
  });
  const baseBytes = statSync(`${baseDir}/index.mjs`).size;
  const baseGzip = gzipSync(readFileSync(`${baseDir}/index.mjs`)).length;
  const beforeFile = (group: string) => (before ? `${before}/${group}/index.mjs` : undefined);
  const compared = sizes.filter((s) => beforeFile(s.group) && existsSync(beforeFile(s.group)!));
  const files = [`${baseDir}/index.mjs`, ...sizes.map((s) => `${projectRoot}dist/${s.group}/index.mjs`), ...compared.map((s) => beforeFile(s.group)!)];
  const [baseMs, ...rest] = importMs(files, runs) as [{ wall: number; cpu: number }, ...Array<{ wall: number; cpu: number }>];
  const ms = new Map(sizes.map((s, i) => [s.group, rest[i]!]));
  const beforeMs = new Map(compared.map((s, i) => [s.group, rest[sizes.length + i]!]));
  const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
  const cmp = before !== undefined;
  const rows = [
    `| bundle | size | gzip | import ms, wall (median of ${runs} fresh processes) | ÷ baseline | import ms, CPU | ÷ baseline |${cmp ? ' before: size | before: CPU ÷ baseline |' : ''}`,
    `|---|---:|---:|---:|---:|---:|---:|${cmp ? '---:|---:|' : ''}`,
    `| baseline: DynamoDB document client only | ${kib(baseBytes)} | ${kib(baseGzip)} | ${baseMs.wall.toFixed(1)} | 1.00 | ${baseMs.cpu.toFixed(1)} | 1.00 |${cmp ? ' | |' : ''}`,
  ];
  for (const s of sizes) {
    const m = ms.get(s.group)!;
    const b = beforeMs.get(s.group);
    const beforeCells = !cmp ? '' : b ? ` ${kib(statSync(beforeFile(s.group)!).size)} | ${(b.cpu / baseMs.cpu).toFixed(2)} |` : ' – | – |';
    rows.push(`| ${s.group} | ${kib(s.bytes)} | ${kib(s.gzipBytes)} | ${m.wall.toFixed(1)} | ${(m.wall / baseMs.wall).toFixed(2)} | ${m.cpu.toFixed(1)} | ${(m.cpu / baseMs.cpu).toFixed(2)} |${beforeCells}`);
  }
  return ['### Cold start: bundle size and import time', '', ...rows].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' }, before: { type: 'string' } } });
  console.log(await runColdStartBench(Number(values.runs), values.before));
}
