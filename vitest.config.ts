import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/** The CDK tests: they only build apps in memory and read them, so they share one process (see below). */
const cdkTests = ['test/infra/**/*.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Vitest's default is one worker less than the cores: one worker on CI's two. Most files here
    // wait on other processes (DynamoDB Local, moto_server, a spawned runtime, Chromium) much of
    // the time, so a second worker fills those waits. Each worker has its own table
    // (test/support/worker-table.ts): files running at once share no table and no stream.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // EMF metric lines would flood the output; the metrics test turns them back on for itself.
    env: { POWERTOOLS_METRICS_DISABLED: 'true' },
    projects: [
      {
        extends: true,
        test: {
          name: 'main',
          include: ['test/**/*.test.ts'],
          exclude: cdkTests,
          globalSetup: ['test/support/global-setup.ts'],
          setupFiles: ['test/support/worker-table.ts'],
        },
      },
      {
        // Without isolation the files run one after another in one worker: aws-cdk-lib loads once
        // (seconds per file), and an app built for one context serves every file that asks for it
        // (test/support/cdk.ts). They need no DynamoDB Local.
        extends: true,
        test: {
          name: 'infra',
          include: cdkTests,
          isolate: false,
          globalSetup: ['test/support/cdk-outdir.ts'],
        },
      },
    ],
  },
});
