/**
 * Tally's own metrics as CloudWatch embedded metric format (Powertools Metrics): counts buffered
 * during an invocation and written as one JSON log line when the entry point flushes (routes,
 * workers, jobs and the stream relay each do, at the end of every invocation). A count with its
 * own dimension (the refusal code, the channel) is written at once. The names are the ones the
 * dashboard draws (metric-names.ts). Locally and in tests they are off
 * (POWERTOOLS_METRICS_DISABLED), except in the test that reads them.
 *
 * The Metrics instance is built on the first count, not at import (as the logger, logger.ts): an
 * invocation that counts nothing never builds it, and a flush with nothing counted has nothing to write.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRICS_NAMESPACE, type MetricName } from './metric-names.ts';

let metrics: Metrics | undefined;

/** Adds `value` (points, or 1 for an event) to a metric; with `dimension`, as a metric of its own. */
export function count(name: MetricName, value = 1, dimension?: { readonly name: 'code' | 'channel'; readonly value: string }): void {
  if (!(value > 0)) return;
  metrics ??= new Metrics({ namespace: METRICS_NAMESPACE, serviceName: process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'tally' });
  if (dimension) {
    const single = metrics.singleMetric();
    single.addDimension(dimension.name, dimension.value);
    single.addMetric(name, MetricUnit.Count, value);
    return;
  }
  metrics.addMetric(name, MetricUnit.Count, value);
}

/** Writes what this invocation counted (nothing when it counted nothing). */
export function flushMetrics(): void {
  if (metrics?.hasStoredMetrics()) metrics.publishStoredMetrics();
}
