/**
 * `npm run bench`: every benchmark, each with a baseline measured in the same run, written to
 * bench/RESULTS.md with the machine, date and commit. `--quick` for a short smoke run.
 */
import { execFileSync, execSync } from 'node:child_process';
import { cpus, totalmem, type as osType, release } from 'node:os';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runColdStartBench } from './cold-start.ts';
import { runEngineBench } from './engine.ts';
import { runImportBench } from './import.ts';
import { runJobsBench } from './jobs.ts';
import { startBenchEnv } from './lib/env.ts';
import { runPosBench } from './pos.ts';
import { runSimulatorBench } from './simulator.ts';
import { runThroughputBench } from './throughput.ts';
import { runTillBench } from './till.ts';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    samples: { type: 'string' },
    seconds: { type: 'string' },
    customers: { type: 'string' },
    'job-customers': { type: 'string' },
    'import-members': { type: 'string' },
    'simulator-receipts': { type: 'string' },
    out: { type: 'string', default: 'bench/RESULTS.md' },
  },
});
const quick = values.quick;
const samples = Number(values.samples ?? (quick ? 100 : 1000));
const seconds = Number(values.seconds ?? (quick ? 5 : 60));
const customers = Number(values.customers ?? (quick ? 200 : 10_000));
const jobCustomers = Number(values['job-customers'] ?? (quick ? 5_000 : 100_000));
const importMembers = Number(values['import-members'] ?? (quick ? 5_000 : 100_000));
const simulatorReceipts = Number(values['simulator-receipts'] ?? (quick ? 100_000 : 1_000_000));

const log = (s: string) => console.log(`[bench] ${s}`);
const sections: string[] = [];

log('rules engine');
const engine = runEngineBench();
sections.push(engine.markdown);

log('cold start');
sections.push(await runColdStartBench(quick ? 3 : 7));

log(`starting DynamoDB Local and ${customers} customers`);
const env = await startBenchEnv({ customers: Math.min(customers, 200) });
try {
  log(`POS paths, ${samples} samples each`);
  const pos = await runPosBench(env, samples);
  sections.push(pos.markdown);
  // Its own process: the log level and metrics it measures are fixed when the handlers are first imported.
  log('cost per receipt');
  sections.push(execFileSync('npx', ['tsx', 'bench/cost.ts'], { encoding: 'utf8' }).trim());
  if (customers > env.cards.length) {
    log(`enrolling ${customers - env.cards.length} more customers for throughput`);
    const { enrol } = await import('../lib/app/customers.ts');
    const principal = (await env.deps.apiKeys.resolve(env.posKey))!;
    const more = customers - env.cards.length;
    let next = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < more) {
          next++;
          env.cards.push((JSON.parse((await enrol(env.deps, principal, { consents: { sms: false, email: false, push: false } })).body) as { card: string }).card);
        }
      }),
    );
  }
  log('the till over HTTP');
  sections.push(await runTillBench(quick ? 100 : 500));
  log(`throughput, ${seconds} s per concurrency`);
  sections.push(await runThroughputBench(env, { tills: [1, 8, 32], seconds }));
} finally {
  await env.stop();
}

log(`jobs with ${jobCustomers} customers`);
sections.push((await runJobsBench(jobCustomers, log)).markdown);

log(`migration import of ${importMembers} members`);
sections.push((await runImportBench(importMembers, log)).markdown);

log(`program simulator on ${simulatorReceipts} receipts`);
sections.push((await runSimulatorBench(simulatorReceipts, { log })).markdown);

const commit = (() => {
  try {
    return execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
})();
const cpu = cpus();
const header = [
  '# Benchmark results',
  '',
  `Run ${new Date().toISOString()} at commit \`${commit}\`${quick ? ' (quick mode: small samples, not for comparison)' : ''}.`,
  `Machine: ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${osType()} ${release()}, Node ${process.version}, DynamoDB Local (in memory) on the same machine.`,
  '',
  'Every figure is next to a baseline measured in the same run; absolute times on a shared machine mean little, the ratios are the point.',
  'Reproduce with `npm run bench` (about 15 minutes) or `npm run bench -- --quick`.',
];
writeFileSync(values.out!, `${[...header, '', ...sections].join('\n\n').replace(/\n{3,}/g, '\n\n')}\n`);
log(`wrote ${values.out}`);
process.exit(0);
