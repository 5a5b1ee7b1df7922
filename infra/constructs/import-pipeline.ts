/**
 * Migration imports in AWS: the import bucket (member files in, error reports out, both personal
 * data: encrypted, TLS only, never public, gone after 30 days), S3's notification of a new file
 * to the import queue (with its DLQ and alarms), and the import worker that streams the file into
 * the table. The notification is the bucket's own configuration, not CDK's custom-resource Lambda:
 * the queue policy is written first against the bucket's name, which is fixed up front.
 */
import { Aws, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership, type CfnBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { QueuePolicy } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { QUEUE_ENV } from '../../lib/messaging/queues.ts';
import { IMPORT_BUCKET_ENV, IMPORT_PREFIX } from '../../lib/storage/import-bucket.ts';
import { workerEntry } from '../bundling.ts';
import { TallyFunction } from './tally-function.ts';
import { WorkerQueue } from './worker-queue.ts';

export interface ImportPipelineProps {
  readonly stage: string;
  readonly table: ITable;
  /** The phone lookup key: imported phone numbers are stored under its hash. */
  readonly lookupKey?: ISecret | undefined;
  readonly alarmAction?: IAlarmAction | undefined;
  readonly logsRemovalPolicy?: RemovalPolicy;
}

/** Days an uploaded file and its report are kept. */
export const IMPORT_FILE_DAYS = 30;
/** The worker's timeout: the longest Lambda allows; it stops at a checkpoint two minutes before and goes on in a new run. */
export const IMPORT_WORKER_TIMEOUT = Duration.minutes(15);

export class ImportPipeline extends Construct {
  readonly bucket: Bucket;
  readonly queue: WorkerQueue;
  readonly worker: TallyFunction;

  constructor(scope: Construct, id: string, props: ImportPipelineProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const bucketName = importBucketName(props.stage);
    this.bucket = new Bucket(this, 'Bucket', {
      bucketName,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ id: 'expire-import-files', expiration: Duration.days(IMPORT_FILE_DAYS), abortIncompleteMultipartUploadAfter: Duration.days(1) }],
      removalPolicy: props.stage === 'prod' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'Files live here 30 days and are read only by the import worker; who uploaded what is in the audit trail (import.start) and CloudTrail, so a second log bucket adds nothing.',
    });

    this.queue = new WorkerQueue(this, 'Queue', { queueName: `tally-${props.stage}-imports`, consumerTimeout: IMPORT_WORKER_TIMEOUT, alarmAction: props.alarmAction, maxAge: Duration.hours(1) });
    // S3 may send this bucket's events, and only this bucket's, to the queue.
    const sendPolicy = new QueuePolicy(this, 'S3MaySend', { queues: [this.queue.queue] });
    sendPolicy.document.addStatements(
      new PolicyStatement({
        effect: Effect.ALLOW,
        principals: [new ServicePrincipal('s3.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [this.queue.queue.queueArn],
        conditions: { ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:s3:::${bucketName}` }, StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    );
    const cfnBucket = this.bucket.node.defaultChild as CfnBucket;
    cfnBucket.notificationConfiguration = {
      queueConfigurations: [{ event: 's3:ObjectCreated:*', queue: this.queue.queue.queueArn, filter: { s3Key: { rules: [{ name: 'prefix', value: IMPORT_PREFIX }] } } }],
    };
    // S3 checks it may send when the notification is created.
    cfnBucket.addDependency(sendPolicy.node.defaultChild as never);

    this.worker = new TallyFunction(this, 'Worker', {
      functionName: `tally-${props.stage}-import-worker`,
      entry: workerEntry('imports'),
      description: 'Tally import worker: member files from the import bucket into the table, resumable',
      timeout: IMPORT_WORKER_TIMEOUT,
      memorySize: 1024,
      ...(props.logsRemovalPolicy ? { logsRemovalPolicy: props.logsRemovalPolicy } : {}),
      environment: { [IMPORT_BUCKET_ENV]: this.bucket.bucketName, [QUEUE_ENV.imports]: this.queue.queue.queueUrl },
    }).bindTable(props.table, 'readWrite');
    if (props.lookupKey) this.worker.bindLookupKey(props.lookupKey);
    // One file per invocation, two imports at a time at most (the lowest SQS allows): the table, not the worker, is the limit.
    this.worker.addEventSource(new SqsEventSource(this.queue.queue, { batchSize: 1, reportBatchItemFailures: true, maxConcurrency: 2 }));
    // Read the file, write its report (a multipart upload for a large one), queue its own continuation.
    this.worker.addToRolePolicy(new PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'], resources: [this.bucket.arnForObjects(`${IMPORT_PREFIX}*`)] }));
    this.queue.queue.grantSendMessages(this.worker);
    Validations.of(this.worker.role!).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(cfnBucket)}.Arn>/${IMPORT_PREFIX}*]`,
      reason: 'Import files and their reports are objects under imports/; the worker reads and writes only those.',
    });
  }

}

/** The bucket's name, fixed up front (bucket names are global): the queue policy and the API stack use it without a reference. */
export const importBucketName = (stage: string) => `tally-${stage}-imports-${Aws.ACCOUNT_ID}-${Aws.REGION}`;

/** What a route function needs to hand out upload and report links: sign PUTs and GETs under imports/ of the stage's bucket. */
export function grantImportLinks(stage: string, fn: TallyFunction): void {
  fn.addEnvironment(IMPORT_BUCKET_ENV, importBucketName(stage));
  fn.addToRolePolicy(new PolicyStatement({ actions: ['s3:PutObject', 's3:GetObject'], resources: [`arn:${Aws.PARTITION}:s3:::${importBucketName(stage)}/${IMPORT_PREFIX}*`] }));
  Validations.of(fn.role!).acknowledge({
    id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::tally-${stage}-imports-<AWS::AccountId>-<AWS::Region>/${IMPORT_PREFIX}*]`,
    reason: 'Upload and report links are signed for objects under imports/ (one per import); the function signs nothing else.',
  });
}
