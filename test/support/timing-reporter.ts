/**
 * Where a test run's time goes, per file: import and collection, then tests and hooks (beforeAll
 * included, which the JSON reporter leaves out). Not part of `npm test`; add it when measuring:
 *   npx vitest run --reporter=default --reporter=./test/support/timing-reporter.ts
 * Set TIMINGS_JSON=<file> to keep the rows as JSON as well.
 */
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

interface Row {
  file: string;
  worker: number;
  /** Importing the file and everything it imports, and running its describe callbacks. */
  collect: number;
  /** Vitest's own setup of the worker and the environment. */
  prepare: number;
  /** Tests and hooks together. */
  run: number;
  tests: number;
}

export default class TimingReporter implements Reporter {
  private readonly rows: Row[] = [];
  private started = Date.now();

  onTestRunStart(): void {
    this.started = Date.now();
  }

  onTestModuleEnd(module: TestModule): void {
    const d = module.diagnostic();
    this.rows.push({
      file: relative(process.cwd(), module.moduleId),
      worker: d.concurrencyId,
      collect: d.collectDuration,
      prepare: d.prepareDuration + d.environmentSetupDuration + d.setupDuration,
      run: d.duration,
      tests: [...module.children.allTests()].length,
    });
  }

  onTestRunEnd(): void {
    const wall = (Date.now() - this.started) / 1000;
    const s = (ms: number) => (ms / 1000).toFixed(1).padStart(7);
    const sum = (k: 'collect' | 'prepare' | 'run') => this.rows.reduce((a, r) => a + r[k], 0);
    const rows = [...this.rows].sort((a, b) => b.collect + b.prepare + b.run - (a.collect + a.prepare + a.run));
    const lines = [
      `\nper-file time (s), slowest first: ${this.rows.length} files, ${wall.toFixed(0)} s wall`,
      `${'total'.padStart(7)}${'collect'.padStart(8)}${'prepare'.padStart(8)}${'run'.padStart(7)} tests file`,
      ...rows.map((r) => `${s(r.collect + r.prepare + r.run)}${s(r.collect)} ${s(r.prepare)}${s(r.run)} ${String(r.tests).padStart(5)} ${r.file}`),
      `sums: collect ${s(sum('collect'))}, prepare ${s(sum('prepare'))}, run ${s(sum('run'))}`,
    ];
    console.log(lines.join('\n'));
    if (process.env.TIMINGS_JSON) writeFileSync(process.env.TIMINGS_JSON, JSON.stringify({ wall, rows }, null, 2));
  }
}
