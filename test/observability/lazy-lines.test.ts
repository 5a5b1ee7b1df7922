/**
 * The logger and metrics built on first use (lib/observability/logger.ts, metrics.ts) write the
 * lines a Logger and a Metrics built at import wrote, under the settings AWS and we set: the log
 * level from Powertools, Lambda or LOG_LEVEL, debug sampling, development mode, the function's
 * keys and trace id, metrics on or off.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { METRICS_NAMESPACE, metricNames } from '#lib/observability/metric-names.ts';

const lambda = {
  AWS_LAMBDA_FUNCTION_NAME: 'tally-prod-pos',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
  AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
  AWS_REGION: 'eu-central-1',
  _X_AMZN_TRACE_ID: 'Root=1-674bb5ee-6f1c2b3a4d5e6f7a8b9c0d1e;Parent=53995c3f42cd8ad8;Sampled=0;Lineage=1:a0b1c2d3:0',
};

/** Each setting as a function has it before its bundle is imported. */
const settings: Array<Record<string, string | undefined>> = [
  { POWERTOOLS_LOG_LEVEL: undefined },
  { POWERTOOLS_LOG_LEVEL: 'DEBUG', ...lambda },
  { POWERTOOLS_LOG_LEVEL: 'ERROR', ...lambda },
  { POWERTOOLS_LOG_LEVEL: 'DEBUG', AWS_LAMBDA_LOG_LEVEL: 'WARN', ...lambda },
  { POWERTOOLS_LOG_LEVEL: undefined, LOG_LEVEL: 'WARN' },
  { POWERTOOLS_LOG_LEVEL: 'ERROR', POWERTOOLS_LOGGER_SAMPLE_RATE: '1', ...lambda },
  { POWERTOOLS_LOG_LEVEL: 'INFO', POWERTOOLS_SERVICE_NAME: 'tally-pos', POWERTOOLS_DEV: 'true' },
];

/**
 * The lines `run` writes to stdout and stderr (or, in development mode, to the global console),
 * with the times, the only thing that may differ, taken out.
 */
async function written(run: () => void | Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  const out = process.stdout.write, err = process.stderr.write;
  const capture = ((chunk: string | Uint8Array) => (lines.push(String(chunk)), true)) as typeof process.stdout.write;
  process.stdout.write = capture;
  process.stderr.write = capture;
  const consoled = (['log', 'debug', 'info', 'warn', 'error'] as const).map((m) => vi.spyOn(console, m).mockImplementation((...a: unknown[]) => void lines.push(`${m} ${a.join(' ')}\n`)));
  try {
    await run();
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    for (const spy of consoled) spy.mockRestore();
  }
  return lines
    .join('')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.replace(/"timestamp": ?"[^"]+"/g, '"timestamp":"T"').replace(/"Timestamp":\d+/g, '"Timestamp":0'));
}

/** What Tally's entry points log: a request line at DEBUG and INFO, a warning, a failure with its error, then a level change. */
function logAsTally(log: Pick<Logger, 'debug' | 'info' | 'warn' | 'error' | 'setLogLevel'>, error: Error): void {
  log.debug('request', { routeKey: 'POST /v1/receipts', status: 200, ms: 12 });
  log.info('request', { routeKey: 'POST /v1/receipts', status: 409, tenantId: 't1' });
  log.warn('messages failed', { worker: 'notify', failed: 1, of: 3 });
  log.error('request failed', { routeKey: 'POST /v1/receipts', status: 500, error });
  log.setLogLevel('DEBUG');
  log.debug('message handled', { worker: 'notify', messageId: 'm1' });
}

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe('Logger built on first use', () => {
  it.each(settings)('should write what a Logger built at import wrote, with %o', async (env) => {
    for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
    const { logger } = await import('#lib/observability/logger.ts');
    const error = new Error('boom');
    const atImport = await written(() => logAsTally(new Logger({ serviceName: 'tally' }), error));
    const onFirstUse = await written(() => logAsTally(logger, error));
    expect(onFirstUse.length).toBeGreaterThan(0);
    expect(onFirstUse).toEqual(atImport);
  });
});

describe('Metrics built on first count', () => {
  it.each([
    { POWERTOOLS_METRICS_DISABLED: 'false', ...lambda },
    { POWERTOOLS_METRICS_DISABLED: 'false', AWS_LAMBDA_FUNCTION_NAME: undefined },
    { POWERTOOLS_METRICS_DISABLED: 'true', ...lambda },
  ])('should write the embedded-metric lines Metrics built at import wrote, with %o', async (env) => {
    for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
    const { count, flushMetrics } = await import('#lib/observability/metrics.ts');
    const atImport = await written(() => {
      const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'tally' });
      metrics.addMetric(metricNames.receiptsCommitted, MetricUnit.Count, 1);
      metrics.addMetric(metricNames.pointsEarned, MetricUnit.Count, 250);
      const single = metrics.singleMetric();
      single.addDimension('code', 'insufficient_points');
      single.addMetric(metricNames.receiptsRefused, MetricUnit.Count, 1);
      metrics.publishStoredMetrics();
    });
    const onFirstCount = await written(() => {
      count(metricNames.receiptsCommitted);
      count(metricNames.pointsEarned, 250);
      count(metricNames.pointsBurned, 0);
      count(metricNames.receiptsRefused, 1, { name: 'code', value: 'insufficient_points' });
      flushMetrics();
    });
    expect(onFirstCount).toEqual(atImport);
    expect(onFirstCount.length).toBe(env.POWERTOOLS_METRICS_DISABLED === 'true' ? 0 : 2);
  });
});
