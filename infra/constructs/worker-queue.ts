/**
 * Work queues and dead-letter queues, each with the alarms an operator needs: something was
 * parked (DLQ depth > 0) and work is falling behind (oldest message older than `maxAge`).
 * Redrive: after fixing the cause, move the parked messages back with
 * `aws sqs start-message-move-task --source-arn <dlq arn>` (see README, "Operations").
 */
import { Duration, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData, type IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import { DeduplicationScope, FifoThroughputLimit, Queue, QueueEncryption, type QueueProps } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface DeadLettersProps {
  readonly queueName: string;
  /** What gets parked, for the alarm's description. */
  readonly what: string;
  readonly alarmAction?: IAlarmAction | undefined;
  /** A FIFO queue (the name gets `.fifo`); the DLQ of a FIFO queue must be one too. */
  readonly fifo?: boolean;
}

/**
 * FIFO settings: deduplication and throughput per message group (high-throughput FIFO), since
 * groups are independent — ids are deduplicated within their group, and each group has its own limit.
 */
const fifoProps = (fifo: boolean | undefined, queueName: string): Partial<QueueProps> =>
  fifo
    ? { queueName: `${queueName}.fifo`, fifo: true, contentBasedDeduplication: false, deduplicationScope: DeduplicationScope.MESSAGE_GROUP, fifoThroughputLimit: FifoThroughputLimit.PER_MESSAGE_GROUP_ID }
    : { queueName };

/** A dead-letter queue and its alarm: anything parked here needs a person. */
export class DeadLetters extends Construct {
  readonly queue: Queue;
  readonly alarm: Alarm;

  constructor(scope: Construct, id: string, props: DeadLettersProps) {
    super(scope, id);
    this.queue = new Queue(this, 'Queue', {
      ...fifoProps(props.fifo, props.queueName),
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    Validations.of(this.queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the dead-letter queue; what lands here is watched by the alarm beside it, not forwarded again.',
    });
    this.alarm = new Alarm(this, 'Alarm', {
      alarmName: `${props.queueName}-not-empty`,
      alarmDescription: `${props.what} parked in ${props.queueName}: find the cause in the logs, fix, then redrive.`,
      metric: this.queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    if (props.alarmAction) this.alarm.addAlarmAction(props.alarmAction);
  }
}

export interface WorkerQueueProps {
  readonly queueName: string;
  /** The consumer's timeout; SQS's visibility timeout must exceed it (AWS advises six times). */
  readonly consumerTimeout: Duration;
  /** Receives before a message is parked (the local queues use the same default). */
  readonly maxReceiveCount?: number;
  readonly maxAge?: Duration;
  readonly alarmAction?: IAlarmAction;
  /** A FIFO queue, with a FIFO DLQ (names get `.fifo`). */
  readonly fifo?: boolean;
}

export class WorkerQueue extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly alarms: Alarm[];

  constructor(scope: Construct, id: string, props: WorkerQueueProps) {
    super(scope, id);
    const parked = new DeadLetters(this, 'DeadLetters', { queueName: `${props.queueName}-dlq`, what: 'Messages', alarmAction: props.alarmAction, fifo: props.fifo });
    this.deadLetterQueue = parked.queue;
    this.queue = new Queue(this, 'Queue', {
      ...fifoProps(props.fifo, props.queueName),
      visibilityTimeout: Duration.seconds(props.consumerTimeout.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount ?? 5 },
    });
    const maxAge = props.maxAge ?? Duration.minutes(30);
    const age = new Alarm(this, 'AgeAlarm', {
      alarmName: `${props.queueName}-falling-behind`,
      alarmDescription: `The oldest message in ${props.queueName} is older than ${maxAge.toMinutes()} minutes.`,
      metric: this.queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: 'Maximum' }),
      threshold: maxAge.toSeconds(),
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 2,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    if (props.alarmAction) age.addAlarmAction(props.alarmAction);
    this.alarms = [parked.alarm, age];
  }
}
