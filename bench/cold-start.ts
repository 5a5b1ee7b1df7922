/**
 * Cold start: each function's bundle (same esbuild options as the CDK) and the time a fresh Node
 * process takes to import it, against a baseline bundle that only creates the DynamoDB clients.
 * Beside the wall time, the CPU time the import took (user + system): on a shared, busy machine
 * the wall time mostly measures the queue for a core, the CPU time what the import itself costs.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';
import { bundlingOptions, projectRoot } from '../infra/bundling.ts';
import { bundleAll } from '../scripts/bundle.ts';
import { percentile } from './lib/stats.ts';

function importMs(file: string, runs: number): { wall: number; cpu: number } {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const out = execFileSync(
      process.execPath,
      ['--input-type=module', '-e', `const t = performance.now(), c = process.cpuUsage(); await import(${JSON.stringify(file)}); const d = process.cpuUsage(c); console.log(performance.now() - t, (d.user + d.system) / 1000);`],
      { env: { ...process.env, TABLE_NAME: 'cold', AWS_REGION: 'us-east-1' }, encoding: 'utf8' },
    );
    const [w, u] = out.trim().split(' ').map(Number) as [number, number];
    wall.push(w);
    cpu.push(u);
  }
  return { wall: percentile(wall, 50), cpu: percentile(cpu, 50) };
}

export async function runColdStartBench(runs = 7): Promise<string> {
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
  const baseMs = importMs(`${baseDir}/index.mjs`, runs);
  const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
  const rows = [
    `| bundle | size | gzip | import ms, wall (median of ${runs} fresh processes) | ÷ baseline | import ms, CPU | ÷ baseline |`,
    '|---|---:|---:|---:|---:|---:|---:|',
    `| baseline: DynamoDB document client only | ${kib(baseBytes)} | ${kib(baseGzip)} | ${baseMs.wall.toFixed(1)} | 1.00 | ${baseMs.cpu.toFixed(1)} | 1.00 |`,
  ];
  for (const s of sizes) {
    const ms = importMs(`${projectRoot}dist/${s.group}/index.mjs`, runs);
    rows.push(`| ${s.group} | ${kib(s.bytes)} | ${kib(s.gzipBytes)} | ${ms.wall.toFixed(1)} | ${(ms.wall / baseMs.wall).toFixed(2)} | ${ms.cpu.toFixed(1)} | ${(ms.cpu / baseMs.cpu).toFixed(2)} |`);
  }
  return ['### Cold start: bundle size and import time', '', ...rows].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await runColdStartBench());
