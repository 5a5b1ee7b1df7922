/**
 * A work queue with its dead-letter queue and the two alarms an operator needs: something was
 * parked (DLQ depth > 0) and work is falling behind (oldest message older than `maxAge`).
 * Redrive: after fixing the cause, move the parked messages back with
 * `aws sqs start-message-move-task --source-arn <dlq arn>` (see README, "Operations").
 */
import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData, type IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface WorkerQueueProps {
  readonly queueName: string;
  /** The consumer's timeout; SQS's visibility timeout must exceed it (AWS advises six times). */
  readonly consumerTimeout: Duration;
  /** Receives before a message is parked (the local queues use the same default). */
  readonly maxReceiveCount?: number;
  readonly maxAge?: Duration;
  readonly alarmAction?: IAlarmAction;
}

export class WorkerQueue extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly alarms: Alarm[];

  constructor(scope: Construct, id: string, props: WorkerQueueProps) {
    super(scope, id);
    this.deadLetterQueue = new Queue(this, 'DeadLetters', {
      queueName: `${props.queueName}-dlq`,
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    this.queue = new Queue(this, 'Queue', {
      queueName: props.queueName,
      visibilityTimeout: Duration.seconds(props.consumerTimeout.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount ?? 5 },
    });
    this.alarms = [
      new Alarm(this, 'DeadLettersAlarm', {
        alarmName: `${props.queueName}-dead-letters`,
        alarmDescription: `Messages parked in ${props.queueName}-dlq: find the cause in the worker's logs, fix, then redrive.`,
        metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      new Alarm(this, 'AgeAlarm', {
        alarmName: `${props.queueName}-falling-behind`,
        alarmDescription: `The oldest message in ${props.queueName} is older than ${(props.maxAge ?? Duration.minutes(30)).toMinutes()} minutes.`,
        metric: this.queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: 'Maximum' }),
        threshold: (props.maxAge ?? Duration.minutes(30)).toSeconds(),
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 2,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    ];
    if (props.alarmAction) for (const a of this.alarms) a.addAlarmAction(props.alarmAction);
  }
}
