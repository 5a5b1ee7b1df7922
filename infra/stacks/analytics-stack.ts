/**
 * The optional analytics stack (context `historyAnalytics=true`; off by default): Athena over the
 * history day files (infra/constructs/history-analytics.ts). Its own stack, so turning it on or off
 * never touches the table, the API or the workers.
 */
import { Stack, type StackProps } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { HistoryAnalytics } from '../constructs/history-analytics.ts';

export interface AnalyticsStackProps extends StackProps {
  readonly stage: string;
  /** The bucket the reports stream reader writes the history day files to. */
  readonly historyBucketName: string;
}

export class AnalyticsStack extends Stack {
  readonly analytics: HistoryAnalytics;

  constructor(scope: Construct, id: string, props: AnalyticsStackProps) {
    super(scope, id, props);
    const historyBucket = Bucket.fromBucketName(this, 'HistoryBucket', props.historyBucketName);
    this.analytics = new HistoryAnalytics(this, 'History', { stage: props.stage, historyBucket });
  }
}
