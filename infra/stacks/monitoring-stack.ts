/**
 * What an operator watches, kept apart from what it watches: an alarm on every function's errors
 * and throttles, on the API's rate of 5xx answers and on the outbox relay falling behind, all to
 * the alarm topic; and one dashboard with the functions' latency, errors and throttles, the queues,
 * the outbox, the API and Tally's own metrics. The queues' alarms (dead letters, oldest message)
 * live with the queues (infra/constructs/worker-queue.ts).
 */
import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  TreatMissingData,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { METRICS_NAMESPACE, metricNames } from '../../lib/observability/metric-names.ts';
import type { DeadLetters, WorkerQueue } from '../constructs/worker-queue.ts';

export interface MonitoringStackProps extends StackProps {
  readonly stage: string;
  readonly alarmTopic: ITopic;
  readonly api: IHttpApi;
  /** The functions behind the API (route groups and the authorizer), by short name. */
  readonly apiFunctions: Readonly<Record<string, IFunction>>;
  /** The background functions (jobs, workers, outbox), by short name. */
  readonly backgroundFunctions: Readonly<Record<string, IFunction>>;
  /** The stream relay, whose iterator age says how far domain events lag behind the table. */
  readonly outbox: IFunction;
  /** Work queues by short name: depth, age, and what their dead-letter queues hold. */
  readonly workQueues: Readonly<Record<string, WorkerQueue>>;
  /** The other dead-letter queues (outbox failures, failed job runs) by short name. */
  readonly deadLetters: Readonly<Record<string, DeadLetters>>;
}

/** How far behind the table's stream the outbox may fall before someone is told. */
export const outboxMaxLag = Duration.minutes(10);
/** The share of API requests answered 5xx (percent) that raises the alarm, over at least `apiMinRequests`. */
export const apiMax5xxPercent = 1;
const apiMinRequests = 20;

export class MonitoringStack extends Stack {
  readonly alarms: Alarm[] = [];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id, props);
    const name = (s: string) => `tally-${props.stage}-${s}`;
    const action = new SnsAction(props.alarmTopic);
    const fiveMinutes = Duration.minutes(5);
    const alarm = (alarmId: string, alarmProps: ConstructorParameters<typeof Alarm>[2]) => {
      const a = new Alarm(this, alarmId, { treatMissingData: TreatMissingData.NOT_BREACHING, ...alarmProps });
      a.addAlarmAction(action);
      this.alarms.push(a);
      return a;
    };

    const functions = { ...props.apiFunctions, ...props.backgroundFunctions };
    for (const [short, fn] of Object.entries(functions)) {
      // Errors are what the handler did not turn into an answer or a reported batch failure:
      // crashes, timeouts, out of memory. Each one is worth a look.
      alarm(`${short}-errors`, {
        alarmName: name(`${short}-errors`),
        alarmDescription: `${name(short)} failed (exception, timeout or out of memory): see its log group.`,
        metric: fn.metricErrors({ period: fiveMinutes, statistic: 'Sum' }),
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
      });
      alarm(`${short}-throttles`, {
        alarmName: name(`${short}-throttles`),
        alarmDescription: `${name(short)} was throttled: the account's or the function's concurrency is exhausted.`,
        metric: fn.metricThrottles({ period: fiveMinutes, statistic: 'Sum' }),
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
      });
    }

    const requests = props.api.metricCount({ period: fiveMinutes, statistic: 'Sum' });
    const serverErrors = props.api.metricServerError({ period: fiveMinutes, statistic: 'Sum' });
    const clientErrors = props.api.metricClientError({ period: fiveMinutes, statistic: 'Sum' });
    // A quiet night's single 5xx out of three requests is not an outage: below the minimum the rate counts as 0.
    const serverErrorRate = new MathExpression({
      expression: `IF(requests >= ${apiMinRequests}, 100 * errors / requests, 0)`,
      usingMetrics: { requests, errors: serverErrors },
      label: 'API 5xx (% of requests)',
      period: fiveMinutes,
    });
    alarm('api-5xx-rate', {
      alarmName: name('api-5xx-rate'),
      alarmDescription: `More than ${apiMax5xxPercent} % of API requests were answered 5xx for 10 minutes: see the route functions' errors and logs.`,
      metric: serverErrorRate,
      threshold: apiMax5xxPercent,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 2,
    });

    const iteratorAge = props.outbox.metric('IteratorAge', { period: fiveMinutes, statistic: 'Maximum' });
    alarm('outbox-iterator-age', {
      alarmName: name('outbox-iterator-age'),
      alarmDescription: `Domain events lag the table by more than ${outboxMaxLag.toMinutes()} minutes: the outbox relay is failing or too slow (its errors, its log group, ${name('outbox-failures')}).`,
      metric: iteratorAge,
      threshold: outboxMaxLag.toMilliseconds(),
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 2,
    });

    // The report counters, the stream's second reader: reports go stale while they lag.
    const reportCounters = props.backgroundFunctions['report-counters'];
    if (reportCounters) {
      alarm('report-counters-iterator-age', {
        alarmName: name('report-counters-iterator-age'),
        alarmDescription: `Reports lag the table by more than ${outboxMaxLag.toMinutes()} minutes: the report counters are failing or too slow (their errors, their log group, ${name('report-failures')}).`,
        metric: reportCounters.metric('IteratorAge', { period: fiveMinutes, statistic: 'Maximum' }),
        threshold: outboxMaxLag.toMilliseconds(),
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 2,
      });
    }

    // The dashboard: what is wrong now on top, then the API, the functions, the queues, the business.
    const graph = (title: string, left: IMetric[], width = 8, extra: Partial<ConstructorParameters<typeof GraphWidget>[0]> = {}) =>
      new GraphWidget({ title, left, width, height: 6, period: fiveMinutes, ...extra });
    const perFunction = (fns: Readonly<Record<string, IFunction>>, metric: (fn: IFunction, label: string) => IMetric) =>
      Object.entries(fns).map(([short, fn]) => metric(fn, short));
    const duration = (statistic: string) => (fn: IFunction, label: string) => fn.metricDuration({ statistic, label, period: fiveMinutes });
    const tallyMetric = (metricName: string) =>
      // Every series of the metric, whatever its dimensions (service, and code or channel where it has them).
      new MathExpression({
        expression: `SEARCH('Namespace="${METRICS_NAMESPACE}" MetricName="${metricName}"', 'Sum', ${fiveMinutes.toSeconds()})`,
        usingMetrics: {},
        label: metricName,
        period: fiveMinutes,
      });

    this.dashboard = new Dashboard(this, 'Dashboard', { dashboardName: name('operations'), defaultInterval: Duration.hours(12) });
    const queueAlarms = [...Object.values(props.workQueues).flatMap((q) => q.alarms), ...Object.values(props.deadLetters).map((d) => d.alarm)];
    this.dashboard.addWidgets(new AlarmStatusWidget({ title: 'Alarms', alarms: [...this.alarms, ...queueAlarms], width: 24, height: 6 }));
    this.dashboard.addWidgets(
      graph('API requests', [requests.with({ label: 'requests' })]),
      graph('API 4xx and 5xx', [clientErrors.with({ label: '4xx' }), serverErrors.with({ label: '5xx' })]),
      graph('API latency (ms)', [props.api.metricLatency({ statistic: 'p50', label: 'p50', period: fiveMinutes }), props.api.metricLatency({ statistic: 'p99', label: 'p99', period: fiveMinutes })]),
    );
    this.dashboard.addWidgets(
      graph('API functions: duration p50 (ms)', perFunction(props.apiFunctions, duration('p50')), 12),
      graph('API functions: duration p99 (ms)', perFunction(props.apiFunctions, duration('p99')), 12),
    );
    this.dashboard.addWidgets(
      graph('Background functions: duration p50 (ms)', perFunction(props.backgroundFunctions, duration('p50')), 12),
      graph('Background functions: duration p99 (ms)', perFunction(props.backgroundFunctions, duration('p99')), 12),
    );
    this.dashboard.addWidgets(
      graph('Function errors', perFunction(functions, (fn, label) => fn.metricErrors({ statistic: 'Sum', label, period: fiveMinutes })), 12),
      graph('Function throttles', perFunction(functions, (fn, label) => fn.metricThrottles({ statistic: 'Sum', label, period: fiveMinutes })), 12),
    );
    const queues = Object.entries(props.workQueues).map(([label, w]) => [label, w.queue] as const);
    const parked = [
      ...Object.entries(props.workQueues).map(([label, w]) => [`${label}-dlq`, w.deadLetterQueue] as const),
      ...Object.entries(props.deadLetters).map(([label, d]) => [label, d.queue] as const),
    ];
    const visible = (label: string, q: IQueue) => q.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', label, period: fiveMinutes });
    this.dashboard.addWidgets(
      graph('Queue depth (visible messages)', queues.map(([label, q]) => visible(label, q)), 6),
      graph('Oldest message age (s)', queues.map(([label, q]) => q.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum', label, period: fiveMinutes })), 6),
      graph('Parked messages (dead letters)', parked.map(([label, q]) => visible(label, q)), 6),
      graph('Outbox iterator age (ms)', [iteratorAge.with({ label: 'outbox' })], 6),
    );
    this.dashboard.addWidgets(
      graph('Receipts', [tallyMetric(metricNames.receiptsCommitted), tallyMetric(metricNames.receiptsRefused), tallyMetric(metricNames.receiptsReplayed)], 6),
      graph('Points', [tallyMetric(metricNames.pointsEarned), tallyMetric(metricNames.pointsBurned), tallyMetric(metricNames.pointsExpired)], 6),
      graph('Messages and webhooks', [tallyMetric(metricNames.messagesSent), tallyMetric(metricNames.webhooksDelivered)], 6),
      graph('Contention retries', [tallyMetric(metricNames.contentionRetries)], 6),
    );
  }
}
