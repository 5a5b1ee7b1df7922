/**
 * What an operator relies on after `cdk deploy`: alarms that reach someone, on everything that can
 * go wrong unseen; a dashboard; scheduled jobs whose failures are parked and alarmed; push only
 * with credentials; the event archive and the table's TTL as AWS accepts them.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { builtApp } from '../support/cdk.ts';
import { scheduledJobs } from '../../infra/stacks/background-stack.ts';
import { allFunctionEntries } from '../../infra/bundling.ts';
import { routeGroups } from '#lib/http/routes.ts';
import { metricNames } from '#lib/observability/metric-names.ts';
import { tableDefinition } from '#lib/storage/table.ts';

type Json = Record<string, any>;

function synth(context: Record<string, unknown>) {
  // These assertions read templates only; skipping the functions' bundling keeps a synth to seconds.
  const stacks = builtApp({ ...context, 'aws:cdk:bundling-stacks': [] });
  return {
    data: Template.fromStack(stacks.data),
    api: Template.fromStack(stacks.api),
    bg: Template.fromStack(stacks.background),
    mon: Template.fromStack(stacks.monitoring),
  };
}

const resourcesOf = (t: Template, type: string): Json[] => Object.values(t.findResources(type)).map((r) => (r as Json).Properties);
// The optional table export's function is not in these apps; its alarms are test/infra/table-export.test.ts's.
const functionNames = Object.keys(allFunctionEntries(Object.keys(routeGroups)))
  .filter((n) => n !== 'export-catalog')
  .map((n) => `tally-dev-${n}`);

describe('Operations', () => {
  let plain: ReturnType<typeof synth>;
  let configured: ReturnType<typeof synth>;

  beforeAll(() => {
    plain = synth({ stage: 'dev' });
    configured = synth({ stage: 'dev', alarmEmail: 'ops@pharmacy.example', apnsSecretName: 'tally/apns', fcmSecretName: 'tally/fcm' });
  }, 120_000);

  describe('alarms that reach someone', () => {
    it('should let CloudWatch use the alarm topic’s key, or no alarm could be published to the encrypted topic', () => {
      const key = resourcesOf(plain.bg, 'AWS::KMS::Key').find((k) => k.Description === 'Tally alarm topic')!;
      expect(key.KeyPolicy.Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] }),
      );
      plain.bg.hasResourceProperties('AWS::SNS::Topic', { TopicName: 'tally-dev-alarms', KmsMasterKeyId: Match.anyValue() });
    });

    it('should subscribe the alarm e-mail given by context, and nobody without it', () => {
      configured.bg.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@pharmacy.example', TopicArn: Match.anyValue() });
      plain.bg.resourceCountIs('AWS::SNS::Subscription', 0);
    });

    it('should alarm on errors and on throttles of every function, API and background, to the topic', () => {
      const alarms = resourcesOf(plain.mon, 'AWS::CloudWatch::Alarm');
      for (const fn of functionNames) {
        for (const [suffix, metric] of [['errors', 'Errors'], ['throttles', 'Throttles']] as const) {
          const a = alarms.find((x) => x.AlarmName === `${fn}-${suffix}`);
          expect(a, `${fn}-${suffix}`).toMatchObject({ MetricName: metric, Namespace: 'AWS/Lambda', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
          expect(a!.AlarmActions).toHaveLength(1);
          expect(JSON.stringify(a!.Dimensions)).toContain('FunctionName');
        }
      }
    });

    it('should alarm on the API’s 5xx rate, not on a single error at night', () => {
      const a = resourcesOf(plain.mon, 'AWS::CloudWatch::Alarm').find((x) => x.AlarmName === 'tally-dev-api-5xx-rate')!;
      expect(a.AlarmActions).toHaveLength(1);
      const expression = a.Metrics.find((m: Json) => m.Expression)!.Expression as string;
      expect(expression).toMatch(/^IF\(requests >= \d+, 100 \* errors \/ requests, 0\)$/);
      const byId = Object.fromEntries(a.Metrics.filter((m: Json) => m.MetricStat).map((m: Json) => [m.Id, m.MetricStat.Metric]));
      expect(byId.errors).toMatchObject({ Namespace: 'AWS/ApiGateway', MetricName: '5xx' });
      expect(byId.requests).toMatchObject({ Namespace: 'AWS/ApiGateway', MetricName: 'Count' });
    });

    it('should alarm when the outbox relay falls behind the table’s stream', () => {
      plain.mon.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: 'tally-dev-outbox-iterator-age',
        MetricName: 'IteratorAge',
        Statistic: 'Maximum',
        Threshold: 10 * 60 * 1000,
        AlarmActions: [Match.anyValue()],
      });
    });

    it('should alarm on every dead-letter queue holding anything, and on every work queue falling behind', () => {
      // A FIFO queue's name ends in .fifo; its alarms are named without it.
      const queues = resourcesOf(plain.bg, 'AWS::SQS::Queue').map((q) => (q.QueueName as string).replace(/\.fifo$/, ''));
      const dlqs = queues.filter((q) => q.endsWith('-dlq') || q.endsWith('-failures') || q.endsWith('-failed'));
      expect(dlqs.sort()).toEqual([
        'tally-dev-accounts-dlq',
        'tally-dev-imports-dlq',
        'tally-dev-jobs-failed',
        'tally-dev-journeys-dlq',
        'tally-dev-notify-dlq',
        'tally-dev-outbox-failures',
        'tally-dev-report-failures',
        'tally-dev-simulations-dlq',
        'tally-dev-webhook-deliveries-dlq',
        'tally-dev-webhooks-dlq',
      ]);
      const alarms = resourcesOf(plain.bg, 'AWS::CloudWatch::Alarm');
      for (const q of dlqs) {
        expect(alarms.find((a) => a.AlarmName === `${q}-not-empty`), q).toMatchObject({ MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 0, AlarmActions: [expect.anything()] });
      }
      for (const q of queues.filter((x) => !dlqs.includes(x))) {
        expect(alarms.find((a) => a.AlarmName === `${q}-falling-behind`), q).toMatchObject({ MetricName: 'ApproximateAgeOfOldestMessage', AlarmActions: [expect.anything()] });
      }
    });
  });

  describe('scheduled jobs', () => {
    it('should retry each schedule’s invocation and park what still failed in the alarmed jobs-failed queue', () => {
      const schedules = resourcesOf(plain.bg, 'AWS::Scheduler::Schedule');
      expect(schedules).toHaveLength(scheduledJobs.length);
      for (const s of schedules) {
        expect(s.Target.RetryPolicy).toEqual({ MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 });
        expect(JSON.stringify(s.Target.DeadLetterConfig)).toContain('JobFailures');
      }
    });

    it('should park a job run that failed after Lambda’s retries in the same queue', () => {
      const config = resourcesOf(plain.bg, 'AWS::Lambda::EventInvokeConfig');
      expect(config).toHaveLength(1);
      expect(config[0]).toMatchObject({ MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 });
      expect(JSON.stringify(config[0]!.FunctionName)).toContain('JobFunction');
      expect(JSON.stringify(config[0]!.DestinationConfig.OnFailure.Destination)).toContain('JobFailures');
    });
  });

  describe('dashboard', () => {
    const body = (t: Template) => JSON.stringify(resourcesOf(t, 'AWS::CloudWatch::Dashboard')[0]!.DashboardBody);

    it('should be one dashboard with the functions’ latency, errors and throttles, the queues, the outbox and the API', () => {
      plain.mon.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
      plain.mon.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'tally-dev-operations' });
      const b = body(plain.mon);
      for (const metric of ['Duration', 'Errors', 'Throttles', 'IteratorAge', 'ApproximateNumberOfMessagesVisible', 'ApproximateAgeOfOldestMessage', '"4xx', '"5xx', '"Count', '"Latency']) {
        expect(b, metric).toContain(metric);
      }
      for (const stat of ['p50', 'p99']) expect(b).toContain(stat);
      // Every function appears on it (its logical id in the metric's FunctionName reference).
      expect(b.match(/Duration/g)!.length).toBeGreaterThanOrEqual(2 * functionNames.length);
    });

    it('should draw every one of Tally’s own metrics (lib/observability/metric-names.ts) from its namespace', () => {
      const b = body(plain.mon);
      for (const name of Object.values(metricNames)) expect(b, name).toContain(`MetricName=\\\\\\"${name}\\\\\\"`);
      expect(b).toContain('Namespace=\\\\\\"Tally\\\\\\"');
    });
  });

  describe('push', () => {
    it('should create a push app only with credentials, with a channel per platform read from Secrets Manager', () => {
      plain.bg.resourceCountIs('AWS::Pinpoint::App', 0);
      configured.bg.hasResourceProperties('AWS::Pinpoint::App', { Name: 'tally-dev-push' });
      configured.bg.hasResourceProperties('AWS::Pinpoint::APNSChannel', {
        DefaultAuthenticationMethod: 'TOKEN',
        TokenKey: '{{resolve:secretsmanager:tally/apns:SecretString:tokenKey::}}',
        BundleId: '{{resolve:secretsmanager:tally/apns:SecretString:bundleId::}}',
      });
      configured.bg.hasResourceProperties('AWS::Pinpoint::GCMChannel', { DefaultAuthenticationMethod: 'TOKEN', ServiceJson: '{{resolve:secretsmanager:tally/fcm:SecretString:::}}' });
      configured.bg.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: 'tally-dev-notify-worker',
        Environment: { Variables: Match.objectLike({ TALLY_CHANNELS: 'push', TALLY_PUSH_PLATFORMS: 'APNS,GCM', PINPOINT_APP_ID: Match.anyValue() }) },
      });
    });
  });

  describe('what AWS refuses or keeps forever otherwise', () => {
    it('should synthesize the event archive without an empty KmsKeyIdentifier (aws/aws-cdk#37847)', () => {
      const archive = resourcesOf(plain.bg, 'AWS::Events::Archive')[0]!;
      expect(archive).toMatchObject({ ArchiveName: 'tally-dev-events', RetentionDays: 90 });
      expect(archive).not.toHaveProperty('KmsKeyIdentifier');
    });

    it('should turn TTL on for the attribute the code writes (lib/storage/table.ts)', () => {
      plain.data.hasResourceProperties('AWS::DynamoDB::Table', { TimeToLiveSpecification: { AttributeName: tableDefinition.timeToLiveAttribute, Enabled: true } });
    });
  });
});
