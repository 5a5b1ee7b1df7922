/**
 * The history bucket: every committed receipt and return as day files under `history/`
 * (lib/storage/history-bucket.ts has the layout), written by the reports stream reader and read
 * by the simulation worker (and by Athena, over the same prefix). Personal data (customer ids,
 * what they bought): encrypted, TLS only, never public.
 *
 * Kept `retentionMonths` (context `historyMonths`, 25 by default): a simulation replays up to a
 * year (lib/app/simulations.ts MAX_SIMULATION_DAYS), and comparing that year with the year before
 * (the same season, last year's program) needs two years back plus the month in progress. No
 * cheaper storage class on the way: the files are a few kB each, and Standard-IA and Glacier
 * Instant Retrieval bill every object as at least 128 kB.
 */
import { Aws, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership, type CfnBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { HISTORY_BUCKET_ENV, HISTORY_PREFIX } from '../../lib/storage/history-bucket.ts';
import type { TallyFunction } from './tally-function.ts';

/** How long the history is kept unless context `historyMonths` says otherwise. */
export const HISTORY_MONTHS = 25;
/** The fewest months allowed: a simulation's longest period (366 days) and the month in progress. */
export const MIN_HISTORY_MONTHS = 13;

export interface HistoryBucketProps {
  readonly stage: string;
  readonly retentionMonths?: number | undefined;
}

export class HistoryBucket extends Construct {
  readonly bucket: Bucket;
  readonly retentionMonths: number;

  constructor(scope: Construct, id: string, props: HistoryBucketProps) {
    super(scope, id);
    this.retentionMonths = props.retentionMonths ?? HISTORY_MONTHS;
    if (!(Number.isInteger(this.retentionMonths) && this.retentionMonths >= MIN_HISTORY_MONTHS)) {
      throw new Error(`history retention must be a whole number of months, at least ${MIN_HISTORY_MONTHS} (a simulation replays up to a year); got ${this.retentionMonths}`);
    }
    this.bucket = new Bucket(this, 'Bucket', {
      bucketName: historyBucketName(props.stage),
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // Lifecycle days count from each file's creation, which is its day's (or the next) day: 31 a month keeps at least that many months.
      lifecycleRules: [{ id: 'expire-history', prefix: HISTORY_PREFIX, expiration: Duration.days(this.retentionMonths * 31), abortIncompleteMultipartUploadAfter: Duration.days(1) }],
      removalPolicy: props.stage === 'prod' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'Only two functions write and read it (the reports stream reader, the simulation worker); CloudTrail records API access, so a second log bucket adds nothing.',
    });
  }

  private get objectsResourceId(): string {
    return `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnBucket)}.Arn>/${HISTORY_PREFIX}*]`;
  }

  /** The reports stream reader: puts day files under history/, nothing else. */
  grantWrite(fn: TallyFunction): void {
    fn.addEnvironment(HISTORY_BUCKET_ENV, this.bucket.bucketName);
    fn.addToRolePolicy(new PolicyStatement({ actions: ['s3:PutObject'], resources: [this.bucket.arnForObjects(`${HISTORY_PREFIX}*`)] }));
    Validations.of(fn.role!).acknowledge({ id: this.objectsResourceId, reason: 'Day files are objects under history/ (one per tenant, day and stream batch); the function writes only those.' });
  }

  /** The simulation worker: lists and reads day files under history/, nothing else. */
  grantRead(fn: TallyFunction): void {
    fn.addEnvironment(HISTORY_BUCKET_ENV, this.bucket.bucketName);
    fn.addToRolePolicy(new PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn], conditions: { StringLike: { 's3:prefix': [`${HISTORY_PREFIX}*`] } } }));
    fn.addToRolePolicy(new PolicyStatement({ actions: ['s3:GetObject'], resources: [this.bucket.arnForObjects(`${HISTORY_PREFIX}*`)] }));
    Validations.of(fn.role!).acknowledge({ id: this.objectsResourceId, reason: "A period's day files are objects under history/; the worker reads only those." });
  }
}

/** The bucket's name, fixed up front (bucket names are global), so an Athena table or a person can find it. */
export const historyBucketName = (stage: string) => `tally-${stage}-history-${Aws.ACCOUNT_ID}-${Aws.REGION}`;
