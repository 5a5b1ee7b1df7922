import { defineConfig } from 'vitest/config';

/** The CDK tests: they only build apps in memory and read them, so they share one process (see below). */
const cdkTests = ['test/infra/**/*.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
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
        },
      },
    ],
  },
});
