/**
 * The Powertools Logger and Metrics are built on first use, not when a function's bundle is
 * imported (lib/observability/logger.ts): building them at import cost every cold start
 * milliseconds before the first request. Importing whole entry points, a route group, a worker, the
 * job and the stream relay, must build neither; the first line and the first count build one each.
 */
import { describe, expect, it, vi } from 'vitest';

const built = vi.hoisted(() => ({ loggers: 0, metrics: 0 }));
vi.mock('@aws-lambda-powertools/logger', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@aws-lambda-powertools/logger')>();
  class CountedLogger extends actual.Logger {
    constructor(...options: ConstructorParameters<typeof actual.Logger>) {
      super(...options);
      built.loggers++;
    }
  }
  return { ...actual, Logger: CountedLogger };
});
vi.mock('@aws-lambda-powertools/metrics', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@aws-lambda-powertools/metrics')>();
  class CountedMetrics extends actual.Metrics {
    constructor(...options: ConstructorParameters<typeof actual.Metrics>) {
      super(...options);
      built.metrics++;
    }
  }
  return { ...actual, Metrics: CountedMetrics };
});

describe('Logger and Metrics construction', () => {
  it('should build neither when the entry points are imported, and each once on first use', async () => {
    await import('../../functions/http/catalog.ts');
    await import('../../functions/workers/webhooks.ts');
    await import('../../functions/jobs/run.ts');
    await import('../../functions/stream/outbox.ts');
    expect(built).toEqual({ loggers: 0, metrics: 0 });

    const { logger } = await import('#lib/observability/logger.ts');
    const { count, flushMetrics } = await import('#lib/observability/metrics.ts');
    const { metricNames } = await import('#lib/observability/metric-names.ts');
    flushMetrics();
    expect(built).toEqual({ loggers: 0, metrics: 0 });

    logger.debug('first line');
    logger.info('second line');
    count(metricNames.receiptsCommitted);
    count(metricNames.receiptsCommitted);
    flushMetrics();
    expect(built).toEqual({ loggers: 1, metrics: 1 });
  });
});
