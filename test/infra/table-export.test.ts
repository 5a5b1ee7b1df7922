/**
 * The optional table export (infra/constructs/table-export.ts): off by default; with context
 * `tableExport=true` a schedule that calls ExportTableToPointInTime itself, a bucket for personal
 * data, the Glue table and views, the workgroup and the saved queries, and IAM scoped exactly.
 * Templates only (no bundling). What the views read of real items is
 * test/integration/table-export.test.ts.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { CfnNamedQuery, CfnWorkGroup } from 'aws-cdk-lib/aws-athena';
import { CfnTable } from 'aws-cdk-lib/aws-glue';
import type { CfnTable as CfnDynamoTable } from 'aws-cdk-lib/aws-dynamodb';
import { Bucket, type CfnBucket } from 'aws-cdk-lib/aws-s3';
import { CfnSchedule } from 'aws-cdk-lib/aws-scheduler';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.ts';
import { SCAN_LIMIT_BYTES } from '../../infra/constructs/history-analytics.ts';
import { DEFAULT_EXPORT_DAYS, DEFAULT_EXPORT_SCHEDULE } from '../../infra/constructs/table-export.ts';
import { ExportStack } from '../../infra/stacks/export-stack.ts';
import { exportQueries, exportViews, itemColumnType, viewColumns } from '../../infra/constructs/table-export-views.ts';
import { nagViolations } from '../support/nag.ts';

const built = new Map<string, ReturnType<typeof buildApp>>();
/** The whole app for a context, built once per context for the whole file. */
const synth = (context: Record<string, unknown>) => {
  const key = JSON.stringify(context);
  if (!built.has(key)) built.set(key, buildApp(new App({ context: { ...context, 'aws:cdk:bundling-stacks': [] } })));
  return built.get(key)!;
};
const templates = new Map<unknown, Template>();
const templateOf = (stack: Parameters<typeof Template.fromStack>[0]) => templates.get(stack) ?? templates.set(stack, Template.fromStack(stack)).get(stack)!;
/** The export stack alone, as buildApp makes it with tableExport=true (a synth of it takes a fraction of the whole app's). */
const exportStacks = new Map<string, ExportStack>();
const exportStack = (stage: 'dev' | 'prod') =>
  exportStacks.get(stage) ??
  exportStacks.set(stage, new ExportStack(new App({ context: { stage, 'aws:cdk:bundling-stacks': [] } }), `tally-${stage}-export`, { stage, tableName: `tally-${stage}` })).get(stage)!;
type Json = Record<string, any>;

/** Every Allow statement of the policies attached to a role. */
function statementsOf(t: Template, roleLogicalId: string): Json[] {
  return Object.values(t.findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles).includes(JSON.stringify({ Ref: roleLogicalId })))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Json[]);
}
const roleIdOf = (t: Template, principal: string) => Object.entries(t.findResources('AWS::IAM::Role')).find(([, r]) => JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes(principal))![0];

// A synth of the whole app (templates only) takes 10–40 s on a busy machine.
describe('Table export (DynamoDB export to S3, Athena)', { timeout: 120_000 }, () => {
  it('is off by default: no export stack, no schedule, Glue table, workgroup or saved query anywhere; the table keeps point-in-time recovery', () => {
    const stacks = synth({ stage: 'dev' });
    expect(stacks.tableExport).toBeUndefined();
    // The constructs of the whole app (no synth needed to see what it would deploy).
    const app = stacks.data.node.root;
    for (const type of [CfnTable, CfnWorkGroup, CfnNamedQuery]) expect(app.node.findAll().filter((c) => c instanceof type).map((c) => c.node.path)).toEqual([]);
    // The background jobs have schedules of their own; none exports.
    const schedules = app.node.findAll().filter((c): c is CfnSchedule => c instanceof CfnSchedule);
    expect(schedules.map((c) => JSON.stringify(Stack.of(c).resolve(c.target)))).not.toContainEqual(expect.stringContaining('exportTableToPointInTime'));
    expect(app.node.findAll().filter((c) => c instanceof Bucket).map((b) => b.node.path)).not.toContainEqual(expect.stringContaining('Export'));
    // The export reads the continuous backups: they are on in every stage, export or not.
    expect((stacks.data.table.node.defaultChild as CfnDynamoTable).pointInTimeRecoverySpecification).toEqual({ pointInTimeRecoveryEnabled: true });
  });

  it('with tableExport=true: a daily schedule calls ExportTableToPointInTime itself (full, DynamoDB JSON, SSE-S3, under exports/), one export per scheduled time', () => {
    const t = templateOf(exportStack('dev'));
    const schedule = Object.values(t.findResources('AWS::Scheduler::Schedule'))[0]!.Properties;
    expect(schedule).toMatchObject({ Name: 'tally-dev-table-export', ScheduleExpression: DEFAULT_EXPORT_SCHEDULE, ScheduleExpressionTimezone: 'UTC', FlexibleTimeWindow: { Mode: 'OFF' } });
    expect(schedule.Target.Arn).toBe('arn:aws:scheduler:::aws-sdk:dynamodb:exportTableToPointInTime');
    const input = JSON.stringify(schedule.Target.Input);
    for (const part of ['\\"S3Prefix\\":\\"exports\\"', '\\"ExportFormat\\":\\"DYNAMODB_JSON\\"', '\\"ExportType\\":\\"FULL_EXPORT\\"', '\\"S3SseAlgorithm\\":\\"AES256\\"', '\\"ClientToken\\":\\"<aws.scheduler.scheduled-time>\\"', ':table/tally-dev', 'tally-dev-exports-']) {
      expect(input).toContain(part);
    }
    // The app passes the contexts on (the stack's constructs, no synth needed).
    const custom = synth({ stage: 'dev', tableExport: 'true', tableExportSchedule: 'rate(6 hours)', tableExportDays: '3' }).tableExport!.tableExport;
    expect(custom.schedule.scheduleExpression).toBe('rate(6 hours)');
    expect(custom.retentionDays).toBe(3);
    const lifecycle = Stack.of(custom).resolve((custom.bucket.node.defaultChild as CfnBucket).lifecycleConfiguration) as { rules: Array<{ expirationInDays: number; status: string }> };
    expect(lifecycle.rules.map((r) => [r.expirationInDays, r.status])).toEqual([[3, 'Enabled']]);
    const stack = (props: Partial<ConstructorParameters<typeof ExportStack>[2]>) => () => new ExportStack(new App(), 'x', { stage: 'dev', tableName: 'tally-dev', ...props });
    expect(stack({ retentionDays: 31 })).toThrow(/retention must be a whole number of days from 1 to 30/);
    expect(stack({ retentionDays: 0 })).toThrow(/retention/);
    expect(stack({ schedule: 'daily' })).toThrow(/cron\(…\) or rate\(…\)/);
  });

  it('a bucket for personal data: encrypted, never public, TLS only, every object expired after the retention; S3 tells the catalog function of each summary manifest', () => {
    const t = templateOf(exportStack('prod'));
    t.resourceCountIs('AWS::S3::Bucket', 1);
    const [bucketId, bucket] = Object.entries(t.findResources('AWS::S3::Bucket'))[0]!;
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.Properties).toMatchObject({
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      LifecycleConfiguration: { Rules: [{ ExpirationInDays: DEFAULT_EXPORT_DAYS, Status: 'Enabled', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }] },
    });
    // No prefix on the rule: exports and query results alike.
    expect(bucket.Properties.LifecycleConfiguration.Rules[0].Prefix).toBeUndefined();
    const policy = Object.values(t.findResources('AWS::S3::BucketPolicy'))[0]!.Properties;
    expect(policy.Bucket).toEqual({ Ref: bucketId });
    expect(policy.PolicyDocument.Statement).toEqual([
      expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Principal: { AWS: '*' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    ]);
    const notification = bucket.Properties.NotificationConfiguration.LambdaConfigurations;
    expect(notification).toEqual([
      {
        Event: 's3:ObjectCreated:*',
        Function: { 'Fn::GetAtt': [expect.stringMatching(/Catalog/), 'Arn'] },
        Filter: { S3Key: { Rules: [{ Name: 'prefix', Value: 'exports/AWSDynamoDB/' }, { Name: 'suffix', Value: '/manifest-summary.json' }] } },
      },
    ]);
    t.hasResourceProperties('AWS::Lambda::Permission', { Action: 'lambda:InvokeFunction', Principal: 's3.amazonaws.com', SourceAccount: { Ref: 'AWS::AccountId' } });
    expect(bucket.DependsOn).toEqual([expect.stringMatching(/S3MayInvoke/)]);
  });

  it('IAM exactly scoped: the schedule may start an export of this table into exports/ only; the catalog function reads summary manifests and adds partitions to the items table only', () => {
    const t = templateOf(exportStack('dev'));
    const bucketId = Object.keys(t.findResources('AWS::S3::Bucket'))[0]!;
    const schedulerRole = roleIdOf(t, 'scheduler.amazonaws.com');
    const role = t.findResources('AWS::IAM::Role')[schedulerRole]!.Properties;
    expect(role.AssumeRolePolicyDocument.Statement[0].Condition).toEqual({ StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } });
    expect(role.ManagedPolicyArns).toBeUndefined();
    const schedulerStatements = statementsOf(t, schedulerRole);
    expect(schedulerStatements).toEqual([
      {
        Effect: 'Allow',
        Action: 'dynamodb:ExportTableToPointInTime',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':dynamodb:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':table/tally-dev']] },
      },
      { Effect: 'Allow', Action: ['s3:PutObject', 's3:PutObjectAcl', 's3:AbortMultipartUpload'], Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/exports/*']] } },
    ]);
    expect(JSON.stringify(Object.values(t.findResources('AWS::Scheduler::Schedule'))[0]!.Properties.Target.RoleArn)).toContain(schedulerRole);

    const catalogRole = Object.entries(t.findResources('AWS::IAM::Role')).find(([id]) => /Catalog/.test(id))![0];
    const catalogStatements = statementsOf(t, catalogRole).filter((s) => !String(s.Action).startsWith('logs:') && !JSON.stringify(s.Action).includes('xray:'));
    expect(catalogStatements).toEqual([
      {
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::tally-dev-exports-', { Ref: 'AWS::AccountId' }, '-', { Ref: 'AWS::Region' }, '/exports/AWSDynamoDB/*/manifest-summary.json']] },
      },
      {
        Effect: 'Allow',
        Action: ['glue:GetTable', 'glue:CreatePartition'],
        Resource: [
          { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':glue:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':catalog']] },
          { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':glue:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':database/tally_dev_export']] },
          { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':glue:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':table/tally_dev_export/items']] },
        ],
      },
    ]);
    // No KMS anywhere: the bucket is SSE-S3, and DynamoDB reads the table's backups with its own grant on the table key.
    expect(JSON.stringify(t.toJSON())).not.toContain('kms:');
    t.hasResourceProperties('AWS::Lambda::Function', { FunctionName: 'tally-dev-export-catalog', Environment: { Variables: Match.objectLike({ EXPORT_DATABASE: 'tally_dev_export', EXPORT_TABLE: 'items' }) } });
  });

  it('alarms to the alarm topic: an export that did not start after the schedule\'s retries, and the catalog function\'s errors and throttles', () => {
    const t = templateOf(exportStack('dev'));
    t.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: 'tally-dev-table-export' });
    t.hasResourceProperties('AWS::Scheduler::Schedule', { GroupName: 'tally-dev-table-export' });
    const alarms = Object.values(t.findResources('AWS::CloudWatch::Alarm')).map((r) => r.Properties);
    expect(alarms.map((a) => a.AlarmName).sort()).toEqual(['tally-dev-export-catalog-errors', 'tally-dev-export-catalog-throttles', 'tally-dev-table-export-not-started']);
    expect(alarms.find((a) => a.AlarmName === 'tally-dev-table-export-not-started')).toMatchObject({
      Namespace: 'AWS/Scheduler',
      MetricName: 'InvocationDroppedCount',
      Dimensions: [{ Name: 'ScheduleGroup', Value: 'tally-dev-table-export' }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    for (const a of alarms) {
      expect(a.AlarmActions, a.AlarmName).toEqual([{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sns:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':tally-dev-alarms']] }]);
    }
  });

  it('the Glue table: one struct column over DynamoDB JSON, a partition per export; a view per item type with the columns the views module declares', () => {
    const t = templateOf(exportStack('dev'));
    t.hasResourceProperties('AWS::Glue::Database', { DatabaseInput: { Name: 'tally_dev_export' } });
    const tables = Object.values(t.findResources('AWS::Glue::Table')).map((r) => r.Properties.TableInput);
    const items = tables.find((x) => x.Name === 'items');
    expect(items.PartitionKeys).toEqual([{ Name: 'exporttime', Type: 'string', Comment: expect.any(String) }]);
    expect(items.StorageDescriptor.SerdeInfo.SerializationLibrary).toBe('org.openx.data.jsonserde.JsonSerDe');
    expect(items.StorageDescriptor.Columns).toEqual([{ Name: 'item', Type: itemColumnType(), Comment: expect.any(String) }]);
    // Only what the views read: no personal attribute is declared.
    for (const personal of ['name:', 'phone:', 'email:', 'birthdate:', 'card:']) expect(itemColumnType()).not.toContain(`,${personal}`);
    expect(items.Parameters['projection.enabled']).toBeUndefined();
    for (const view of exportViews) {
      const v = tables.find((x) => x.Name === view.name);
      expect(v, view.name).toMatchObject({ TableType: 'VIRTUAL_VIEW', Parameters: { presto_view: 'true' }, ViewExpandedText: '/* Presto View */' });
      const original = /^\/\* Presto View: ([A-Za-z0-9+/=]+) \*\/$/.exec(v.ViewOriginalText)!;
      const decoded = JSON.parse(Buffer.from(original[1]!, 'base64').toString('utf8'));
      expect(decoded).toMatchObject({ catalog: 'awsdatacatalog', schema: 'tally_dev_export' });
      expect(decoded.columns).toEqual(viewColumns(view).map((c) => ({ name: c.name, type: c.presto })));
      expect(v.StorageDescriptor.Columns).toEqual(viewColumns(view).map((c) => ({ Name: c.name, Type: c.hive })));
      expect(decoded.originalSql).toContain(`WHERE item."type"."s" = '${view.itemType}'`);
      expect(decoded.originalSql).toContain('"exporttime" = (SELECT max("exporttime") FROM "tally_dev_export"."items$partitions")');
    }
  });

  it('a workgroup that stops any query past its scan limit, results encrypted in the export bucket; the saved queries', () => {
    const t = templateOf(exportStack('prod'));
    const bucketId = Object.keys(t.findResources('AWS::S3::Bucket'))[0]!;
    t.hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: 'tally-prod-export',
      WorkGroupConfiguration: {
        EnforceWorkGroupConfiguration: true,
        BytesScannedCutoffPerQuery: SCAN_LIMIT_BYTES,
        ResultConfiguration: { EncryptionConfiguration: { EncryptionOption: 'SSE_S3' }, OutputLocation: { 'Fn::Join': ['', ['s3://', { Ref: bucketId }, '/athena-results/']] } },
      },
    });
    const queries = Object.values(t.findResources('AWS::Athena::NamedQuery')).map((r) => r.Properties);
    expect(queries.map((q) => q.Name).sort()).toEqual(exportQueries.map((q) => q.name).sort());
    for (const q of queries) expect(q).toMatchObject({ Database: 'tally_prod_export', WorkGroup: 'tally-prod-export', QueryString: expect.stringContaining('.tenant = ?') });
  });

  it('passes the AwsSolutions checks (every acknowledgement with its reason)', () => {
    const found = nagViolations((app) => new ExportStack(app, 'tally-prod-export', { stage: 'prod', tableName: 'tally-prod' }), { stage: 'prod', 'aws:cdk:bundling-stacks': [] });
    expect(found.filter((f) => f.includes('tally-prod-export'))).toEqual([]);
  });
});
