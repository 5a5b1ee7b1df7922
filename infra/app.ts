/**
 * The CDK app: `npx cdk deploy --all -c stage=prod`. The stage comes from context and is
 * validated; it names every resource and decides retention and deletion protection. Optional
 * context: `emailFrom`, `sms=true`, `smsSenderId`, `apnsSecretName`, `fcmSecretName` (which
 * channels customers are offered: BackgroundStack's ChannelsConfig), `alarmEmail`,
 * `deletionProtection`, `historyMonths` (how long the simulator's history is kept), `reportsBatchWindow`,
 * `reportsBatchSize` and `outboxBatchWindow` (BackgroundStack), `tableExport=true` with `tableExportSchedule` and
 * `tableExportDays` (ExportStack). README, "Deploy to AWS", says what each needs outside the stack.
 */
import { App, Tags } from 'aws-cdk-lib';
import { AnalyticsStack } from './stacks/analytics-stack.ts';
import { historyBucketName } from './constructs/history-bucket.ts';
import { ApiStack } from './stacks/api-stack.ts';
import { BackgroundStack } from './stacks/background-stack.ts';
import { DataStack } from './stacks/data-stack.ts';
import { ExportStack } from './stacks/export-stack.ts';
import { MAX_EXPORT_DAYS } from './constructs/table-export.ts';
import { MonitoringStack } from './stacks/monitoring-stack.ts';

export const stages = ['local', 'dev', 'prod'] as const;
export type Stage = (typeof stages)[number];

export function buildApp(app: App): { data: DataStack; api: ApiStack; background: BackgroundStack; monitoring: MonitoringStack; analytics?: AnalyticsStack | undefined; tableExport?: ExportStack | undefined; stage: Stage } {
  const stage = String(app.node.tryGetContext('stage') ?? 'dev');
  if (!(stages as readonly string[]).includes(stage)) {
    throw new Error(`context "stage" must be one of ${stages.join(', ')}; got "${stage}"`);
  }
  const protection = app.node.tryGetContext('deletionProtection');
  const deletionProtection = protection === undefined ? stage === 'prod' : protection === true || protection === 'true';
  const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
  const data = new DataStack(app, `tally-${stage}-data`, { stage, deletionProtection, env });
  const context = (key: string) => app.node.tryGetContext(key) as string | undefined;
  const background = new BackgroundStack(app, `tally-${stage}-background`, {
    stage,
    table: data.table,
    lookupKey: data.lookupKey,
    channels: {
      emailFrom: context('emailFrom'),
      sms: String(context('sms')) === 'true',
      smsSenderId: context('smsSenderId'),
      apnsSecretName: context('apnsSecretName'),
      fcmSecretName: context('fcmSecretName'),
    },
    alarmEmail: context('alarmEmail'),
    eventPathTracing: String(context('eventPathTracing')) === 'true',
    historyMonths: context('historyMonths') === undefined ? undefined : Number(context('historyMonths')),
    reportsBatch: {
      windowSeconds: wholeNumber(context('reportsBatchWindow'), 'reportsBatchWindow', 0, 300),
      size: wholeNumber(context('reportsBatchSize'), 'reportsBatchSize', 1, 10_000),
    },
    outboxBatchWindow: wholeNumber(context('outboxBatchWindow'), 'outboxBatchWindow', 0, 300),
    env,
  });
  const cacheSeconds = context('authorizerCacheSeconds');
  const authorizerCacheSeconds = cacheSeconds === undefined ? undefined : Number(cacheSeconds);
  if (authorizerCacheSeconds !== undefined && !(Number.isInteger(authorizerCacheSeconds) && authorizerCacheSeconds >= 0 && authorizerCacheSeconds <= 3600)) {
    throw new Error(`context "authorizerCacheSeconds" must be a whole number of seconds from 0 to 3600; got "${cacheSeconds}"`);
  }
  const tillPathTracing = String(context('tillPathTracing')) === 'true';
  const api = new ApiStack(app, `tally-${stage}-api`, { stage, table: data.table, authorizerCacheSeconds, tillPathTracing, lookupKey: data.lookupKey, journeyQueue: background.journeys.queue, simulationQueue: background.simulations.queue, webhookDeliveryQueue: background.webhooks.deliveries.queue, liveChannels: background.liveChannels, linkSending: background.linkSending, env });
  const monitoring = new MonitoringStack(app, `tally-${stage}-monitoring`, {
    stage,
    alarmTopic: background.alarmTopic,
    api: api.api,
    apiFunctions: { ...api.functions, authorizer: api.authorizer },
    backgroundFunctions: background.functions,
    outbox: background.outbox,
    workQueues: background.workQueues,
    deadLetters: background.deadLetters,
    env,
  });
  // Optional (context `historyAnalytics=true`): Athena over the history day files, for questions the reports don't answer.
  const analytics =
    String(context('historyAnalytics')) === 'true'
      ? new AnalyticsStack(app, `tally-${stage}-analytics`, {
          stage,
          // By its fixed name (bucket names are global, so it is set up front): no export between the stacks.
          historyBucketName: historyBucketName(stage),
          env,
        })
      : undefined;
  // Optional (context `tableExport=true`): DynamoDB's full export to S3 on a schedule, with Athena views over it.
  const tableExport =
    String(context('tableExport')) === 'true'
      ? new ExportStack(app, `tally-${stage}-export`, {
          stage,
          // By its fixed name: no export between the stacks.
          tableName: `tally-${stage}`,
          schedule: context('tableExportSchedule'),
          retentionDays: wholeNumber(context('tableExportDays'), 'tableExportDays', 1, MAX_EXPORT_DAYS),
          env,
        })
      : undefined;
  // Tags on a dashboard are recent in CloudFormation's schema (cfn-lint 1.51 refuses them, as a
  // region still on the older schema would); the dashboard needs none.
  const untagged = { excludeResourceTypes: ['AWS::CloudWatch::Dashboard'] };
  Tags.of(app).add('app', 'tally', untagged);
  Tags.of(app).add('stage', stage, untagged);
  return { data, api, background, monitoring, analytics, tableExport, stage: stage as Stage };
}

/** A whole-number context value within [min, max], or undefined when not given. */
function wholeNumber(raw: string | undefined, key: string, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!(Number.isInteger(n) && n >= min && n <= max)) throw new Error(`context "${key}" must be a whole number from ${min} to ${max}; got "${raw}"`);
  return n;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const app = new App();
  buildApp(app);
  app.synth();
}
