/**
 * The optional export of the table for questions the reports don't answer: DynamoDB's native
 * full export (ExportTableToPointInTime, which reads the point-in-time backups the table keeps,
 * not the table) on a schedule into an export bucket, a Glue table and views over the exports,
 * an Athena workgroup with a scan limit, and saved queries (./table-export-views.ts).
 *
 * The schedule calls DynamoDB itself (EventBridge Scheduler's universal target): starting an
 * export is one API call with fixed parameters, so a function would only add code, logs and a
 * bundle. Its ClientToken is the scheduled time, so Scheduler's retries of one run are one export.
 * DynamoDB names each export's folder (`exports/AWSDynamoDB/{exportId}/`, the id starting with
 * the export's time); when an export finishes, its summary manifest's arrival invokes a small
 * function that adds it to the Glue table as a partition (lib/storage/table-export.ts).
 *
 * Personal data: the export holds whole customer items (names, phone numbers, e-mail addresses).
 * The bucket is encrypted (SSE-S3), TLS only, never public, owned by the account; it expires
 * every object after `retentionDays` (at most 30), which is also how long an erased customer can
 * remain in an earlier export. Who may read it is whoever IAM lets read `exports/`: nothing in
 * this stack but the catalog function (the summary manifests) does.
 */
import { Aws, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { CfnNamedQuery, CfnWorkGroup } from 'aws-cdk-lib/aws-athena';
import { Alarm, ComparisonOperator, Metric, TreatMissingData, type IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import { CfnDatabase, CfnTable } from 'aws-cdk-lib/aws-glue';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnPermission } from 'aws-cdk-lib/aws-lambda';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership, type CfnBucket } from 'aws-cdk-lib/aws-s3';
import { CfnSchedule, CfnScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import { EXPORT_DATABASE_ENV, EXPORT_PREFIX, EXPORT_TABLE_ENV, exportRequest, MANIFEST_PREFIX, MANIFEST_SUMMARY } from '../../lib/storage/table-export.ts';
import { workerEntry } from '../bundling.ts';
import { SCAN_LIMIT_BYTES } from './history-analytics.ts';
import { EXPORT_PARTITION, exportQueries, exportViews, ITEMS_TABLE, itemColumnType, prestoViewText, viewColumns } from './table-export-views.ts';
import { TallyFunction } from './tally-function.ts';

/** Once a day at 03:00 UTC unless context `tableExportSchedule` says otherwise. */
export const DEFAULT_EXPORT_SCHEDULE = 'cron(0 3 * * ? *)';
/** Days an export (and a query's results) is kept unless context `tableExportDays` says otherwise. */
export const DEFAULT_EXPORT_DAYS = 7;
/** The longest allowed: an erasure reaches every copy within a month. */
export const MAX_EXPORT_DAYS = 30;
/** Where Athena writes query results in the export bucket (they can hold personal data too). */
export const RESULTS_PREFIX = 'athena-results/';

export interface TableExportProps {
  readonly stage: string;
  /** The table's name (fixed: `tally-{stage}`), so no reference crosses from the data stack. */
  readonly tableName: string;
  readonly schedule?: string | undefined;
  readonly retentionDays?: number | undefined;
  readonly logsRemovalPolicy?: RemovalPolicy;
  /** Where an export that did not start, or one the catalog could not add, is reported. */
  readonly alarmAction?: IAlarmAction | undefined;
}

export class TableExport extends Construct {
  readonly bucket: Bucket;
  readonly schedule: CfnSchedule;
  readonly schedulerRole: Role;
  readonly catalogFunction: TallyFunction;
  readonly databaseName: string;
  readonly workGroupName: string;
  readonly retentionDays: number;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: TableExportProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.retentionDays = props.retentionDays ?? DEFAULT_EXPORT_DAYS;
    if (!(Number.isInteger(this.retentionDays) && this.retentionDays >= 1 && this.retentionDays <= MAX_EXPORT_DAYS)) {
      throw new Error(`table export retention must be a whole number of days from 1 to ${MAX_EXPORT_DAYS}; got ${props.retentionDays}`);
    }
    const scheduleExpression = props.schedule ?? DEFAULT_EXPORT_SCHEDULE;
    if (!/^(cron|rate)\(.+\)$/.test(scheduleExpression)) throw new Error(`table export schedule must be a cron(…) or rate(…) expression; got "${scheduleExpression}"`);
    this.databaseName = `tally_${props.stage}_export`;
    this.workGroupName = `tally-${props.stage}-export`;
    const bucketName = exportBucketName(props.stage);
    const tableArn = stack.formatArn({ service: 'dynamodb', resource: 'table', resourceName: props.tableName });

    this.bucket = new Bucket(this, 'Bucket', {
      bucketName,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ id: 'expire-exports-and-results', expiration: Duration.days(this.retentionDays), abortIncompleteMultipartUploadAfter: Duration.days(1) }],
      // Kept when a prod stack goes (its lifecycle still empties it); CloudFormation cannot delete a bucket with objects anyway.
      removalPolicy: props.stage === 'prod' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: `Exports and query results, kept ${this.retentionDays} days; DynamoDB and Athena write them, CloudTrail records the API calls, so a second log bucket adds nothing.`,
    });
    const cfnBucket = this.bucket.node.defaultChild as CfnBucket;
    const exportObjects = `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(cfnBucket)}.Arn>/${EXPORT_PREFIX}/*]`;

    // The schedule's role: start an export of this table into exports/ of this bucket, nothing else.
    this.schedulerRole = new Role(this, 'SchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } } }),
      description: 'Tally: starts the scheduled export of the table to S3',
    });
    this.schedulerRole.addToPolicy(new PolicyStatement({ actions: ['dynamodb:ExportTableToPointInTime'], resources: [tableArn] }));
    // What DynamoDB writes with the caller's permissions (the export's files, in parts).
    this.schedulerRole.addToPolicy(new PolicyStatement({ actions: ['s3:PutObject', 's3:PutObjectAcl', 's3:AbortMultipartUpload'], resources: [this.bucket.arnForObjects(`${EXPORT_PREFIX}/*`)] }));
    Validations.of(this.schedulerRole).acknowledge({ id: exportObjects, reason: 'DynamoDB names the files of each export (exports/AWSDynamoDB/{exportId}/…); the role may write only under exports/.' });
    // Its own group: Scheduler's metrics are per group, so the alarm below counts this schedule only.
    const group = new CfnScheduleGroup(this, 'ScheduleGroup', { name: `tally-${props.stage}-table-export` });
    this.schedule = new CfnSchedule(this, 'Schedule', {
      name: `tally-${props.stage}-table-export`,
      groupName: group.name!,
      description: 'Tally: full export of the table to S3 (DynamoDB JSON) for Athena',
      scheduleExpression,
      scheduleExpressionTimezone: 'UTC',
      flexibleTimeWindow: { mode: 'OFF' },
      target: {
        arn: 'arn:aws:scheduler:::aws-sdk:dynamodb:exportTableToPointInTime',
        roleArn: this.schedulerRole.roleArn,
        input: stack.toJsonString(exportRequest({ tableArn, bucket: bucketName, clientToken: '<aws.scheduler.scheduled-time>' })),
        retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 },
      },
    });
    this.schedule.node.addDependency(this.schedulerRole);
    this.schedule.addDependency(group);

    // The catalog: a database, the items table (a partition per export) and a view per item type.
    const database = new CfnDatabase(this, 'Database', {
      catalogId: stack.account,
      databaseInput: { name: this.databaseName, description: 'Tally: full exports of the table (DynamoDB JSON), one partition per export; views over the newest' },
    });
    const items = new CfnTable(this, 'Items', {
      catalogId: stack.account,
      databaseName: this.databaseName,
      tableInput: {
        name: ITEMS_TABLE,
        description: 'One row per item of an export; the export is the partition (see README, "Table export")',
        tableType: 'EXTERNAL_TABLE',
        partitionKeys: [{ name: EXPORT_PARTITION, type: 'string', comment: 'the time the export shows, ISO UTC' }],
        parameters: { classification: 'json', compressionType: 'gzip', EXTERNAL: 'TRUE' },
        storageDescriptor: {
          // Each partition has its own location (an export's data folder); this one holds no data.
          location: this.bucket.s3UrlForObject(`${MANIFEST_PREFIX}`),
          inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
          serdeInfo: { serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' },
          columns: [{ name: 'item', type: itemColumnType(), comment: 'the item, as DynamoDB JSON: {attribute: {"S"|"N"|"BOOL"|"M": …}}' }],
        },
      },
    });
    items.addResourceDependency(database);
    for (const view of exportViews) {
      const table = new CfnTable(this, `View-${view.name}`, {
        catalogId: stack.account,
        databaseName: this.databaseName,
        tableInput: {
          name: view.name,
          description: view.description,
          tableType: 'VIRTUAL_VIEW',
          parameters: { presto_view: 'true', comment: 'Presto View' },
          viewOriginalText: prestoViewText(this.databaseName, view),
          viewExpandedText: '/* Presto View */',
          partitionKeys: [],
          storageDescriptor: { columns: viewColumns(view).map((c) => ({ name: c.name, type: c.hive })), serdeInfo: {} },
        },
      });
      table.addResourceDependency(items);
    }

    // The function that adds each finished export to the table.
    this.catalogFunction = new TallyFunction(this, 'Catalog', {
      functionName: `tally-${props.stage}-export-catalog`,
      entry: workerEntry('export-catalog'),
      description: 'Tally: adds each finished table export to the Glue table as a partition',
      memorySize: 256,
      timeout: Duration.seconds(30),
      ...(props.logsRemovalPolicy ? { logsRemovalPolicy: props.logsRemovalPolicy } : {}),
      environment: { [EXPORT_DATABASE_ENV]: this.databaseName, [EXPORT_TABLE_ENV]: ITEMS_TABLE },
    });
    const manifests = `${MANIFEST_PREFIX}*/${MANIFEST_SUMMARY}`;
    // By the bucket's name: the bucket's notification refers to the function, so the function's policy cannot refer to the bucket.
    this.catalogFunction.addToRolePolicy(new PolicyStatement({ actions: ['s3:GetObject'], resources: [`arn:${Aws.PARTITION}:s3:::${bucketName}/${manifests}`] }));
    this.catalogFunction.addToRolePolicy(
      new PolicyStatement({
        actions: ['glue:GetTable', 'glue:CreatePartition'],
        resources: [
          stack.formatArn({ service: 'glue', resource: 'catalog' }),
          stack.formatArn({ service: 'glue', resource: 'database', resourceName: this.databaseName }),
          stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${this.databaseName}/${ITEMS_TABLE}` }),
        ],
      }),
    );
    Validations.of(this.catalogFunction.role!).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::tally-${props.stage}-exports-<AWS::AccountId>-<AWS::Region>/${manifests}]`,
      reason: "Each export's summary manifest is under a folder DynamoDB names; the function reads only those manifests.",
    });
    // S3 may invoke it for this bucket only; the notification is the bucket's own configuration (no custom resource).
    const invoke = new CfnPermission(this, 'S3MayInvoke', {
      action: 'lambda:InvokeFunction',
      functionName: this.catalogFunction.functionArn,
      principal: 's3.amazonaws.com',
      sourceArn: `arn:${Aws.PARTITION}:s3:::${bucketName}`,
      sourceAccount: Aws.ACCOUNT_ID,
    });
    cfnBucket.notificationConfiguration = {
      lambdaConfigurations: [
        {
          event: 's3:ObjectCreated:*',
          function: this.catalogFunction.functionArn,
          filter: { s3Key: { rules: [{ name: 'prefix', value: MANIFEST_PREFIX }, { name: 'suffix', value: `/${MANIFEST_SUMMARY}` }] } },
        },
      ],
    };
    // S3 checks it may invoke when the notification is created.
    cfnBucket.addDependency(invoke);

    const alarm = (id: string, alarmName: string, alarmDescription: string, metric: Metric) => {
      const a = new Alarm(this, id, { alarmName, alarmDescription, metric, threshold: 0, comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD, evaluationPeriods: 1, treatMissingData: TreatMissingData.NOT_BREACHING });
      if (props.alarmAction) a.addAlarmAction(props.alarmAction);
      this.alarms.push(a);
    };
    const fiveMinutes = Duration.minutes(5);
    alarm(
      'ExportNotStarted',
      `tally-${props.stage}-table-export-not-started`,
      'The scheduled table export did not start after its retries (DynamoDB refused the call: permissions, point-in-time recovery off, too many exports at once); the views show the previous export.',
      new Metric({ namespace: 'AWS/Scheduler', metricName: 'InvocationDroppedCount', dimensionsMap: { ScheduleGroup: group.name! }, statistic: 'Sum', period: fiveMinutes }),
    );
    alarm('CatalogErrors', `tally-${props.stage}-export-catalog-errors`, `tally-${props.stage}-export-catalog failed (after Lambda's retries, S3's event is lost): add the partition by hand (README, "Table export").`, this.catalogFunction.metricErrors({ period: fiveMinutes, statistic: 'Sum' }));
    alarm('CatalogThrottles', `tally-${props.stage}-export-catalog-throttles`, `tally-${props.stage}-export-catalog was throttled: the account's concurrency is exhausted.`, this.catalogFunction.metricThrottles({ period: fiveMinutes, statistic: 'Sum' }));

    // Athena: every query in this workgroup is bounded and writes its results, encrypted, to the bucket.
    const workGroup = new CfnWorkGroup(this, 'WorkGroup', {
      name: this.workGroupName,
      description: 'Tally: ad hoc questions over the table exports',
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: SCAN_LIMIT_BYTES,
        resultConfiguration: { outputLocation: this.bucket.s3UrlForObject(RESULTS_PREFIX), encryptionConfiguration: { encryptionOption: 'SSE_S3' } },
      },
    });
    for (const q of exportQueries) {
      const named = new CfnNamedQuery(this, `Query-${q.name}`, { name: q.name, description: q.description, database: this.databaseName, workGroup: this.workGroupName, queryString: q.sql });
      named.addResourceDependency(workGroup);
      named.addResourceDependency(database);
    }
  }
}

/** The bucket's name, fixed up front (bucket names are global): the schedule's input and S3's permission name it. */
export const exportBucketName = (stage: string) => `tally-${stage}-exports-${Aws.ACCOUNT_ID}-${Aws.REGION}`;

