import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // EMF metric lines would flood the output; the metrics test turns them back on for itself.
    env: { POWERTOOLS_METRICS_DISABLED: 'true' },
  },
});
