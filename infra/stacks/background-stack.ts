/**
 * Background work: the hourly job schedules, the account queue and its worker, and the alarms
 * that say when any of it is stuck. Jobs decide each tenant's day in the program's time zone, so
 * the schedule is simply hourly (UTC); the first tick of a tenant's day fans it out.
 */
import { Duration, RemovalPolicy, Stack, Validations, type CfnElement, type StackProps } from 'aws-cdk-lib';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { EVENT_SOURCE } from '../../lib/events/catalog.ts';
import { QUEUE_ENV } from '../../lib/messaging/queues.ts';
import { EVENT_BUS_ENV } from '../../lib/events/eventbridge.ts';
import { jobEntry, streamEntry, workerEntry } from '../bundling.ts';
import { TallyFunction } from '../constructs/tally-function.ts';
import { DeadLetters, WorkerQueue } from '../constructs/worker-queue.ts';

export interface BackgroundStackProps extends StackProps {
  readonly stage: string;
  /** The table, with its stream (the outbox). */
  readonly table: ITable;
}

/** The jobs the schedule runs, each hourly at its own minute. */
export const scheduledJobs = [
  { job: 'expiry', minute: 5 },
  { job: 'birthday', minute: 15 },
] as const;

export class BackgroundStack extends Stack {
  readonly alarmTopic: Topic;
  readonly accounts: WorkerQueue;
  readonly jobFunction: TallyFunction;
  readonly accountWorker: TallyFunction;
  readonly bus: EventBus;
  readonly outbox: TallyFunction;

  constructor(scope: Construct, id: string, props: BackgroundStackProps) {
    super(scope, id, props);
    const retain = props.stage === 'prod' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const name = (s: string) => `tally-${props.stage}-${s}`;

    const alarmKey = new Key(this, 'AlarmTopicKey', { enableKeyRotation: true, description: 'Tally alarm topic' });
    this.alarmTopic = new Topic(this, 'Alarms', { topicName: name('alarms'), masterKey: alarmKey, enforceSSL: true });
    const alarmAction = new SnsAction(this.alarmTopic);

    const workerTimeout = Duration.seconds(60);
    this.accounts = new WorkerQueue(this, 'AccountQueue', { queueName: name('accounts'), consumerTimeout: workerTimeout, alarmAction });

    this.accountWorker = new TallyFunction(this, 'AccountWorker', {
      functionName: name('account-worker'),
      entry: workerEntry('accounts'),
      description: 'Tally account worker: birthday bonuses, expiry, expiry reminders',
      timeout: workerTimeout,
      logsRemovalPolicy: retain,
    }).bindTable(props.table, 'readWrite');
    this.accountWorker.addEventSource(
      new SqsEventSource(this.accounts.queue, { batchSize: 10, reportBatchItemFailures: true, maxConcurrency: 10 }),
    );

    this.jobFunction = new TallyFunction(this, 'JobFunction', {
      functionName: name('jobs'),
      entry: jobEntry('run'),
      description: 'Tally scheduled jobs: read what is due, fan it out to the account queue',
      timeout: Duration.minutes(5),
      logsRemovalPolicy: retain,
      environment: { [QUEUE_ENV.accounts]: this.accounts.queue.queueUrl },
    }).bindTable(props.table, 'readWrite');
    this.accounts.queue.grantSendMessages(this.jobFunction);

    const schedulerRole = new Role(this, 'SchedulerRole', { assumedBy: new ServicePrincipal('scheduler.amazonaws.com') });
    const fnLogicalId = this.getLogicalId(this.jobFunction.node.defaultChild as CfnElement);
    Validations.of(schedulerRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${fnLogicalId}.Arn>:*]`,
      reason: "LambdaInvoke grants the job function and its versions; the wildcard is that one function's qualifiers, nothing else.",
    });
    // Domain events: the stream (outbox) → relay → bus. Any consumer subscribes with a rule.
    this.bus = new EventBus(this, 'Bus', { eventBusName: name('events') });
    this.bus.archive('Archive', {
      archiveName: name('events'),
      description: 'Every Tally domain event, for replay into a new consumer',
      eventPattern: { source: [EVENT_SOURCE] },
      retention: Duration.days(90),
    });
    // Stream records the relay gave up on (after bisecting and retries), with their positions, for replay.
    const outboxFailures = new DeadLetters(this, 'OutboxFailures', { queueName: name('outbox-failures'), what: 'Stream records', alarmAction });
    this.outbox = new TallyFunction(this, 'Outbox', {
      functionName: name('outbox'),
      entry: streamEntry('outbox'),
      description: 'Tally outbox relay: table stream → domain events on the bus',
      timeout: Duration.seconds(60),
      logsRemovalPolicy: retain,
      environment: { [EVENT_BUS_ENV]: this.bus.eventBusName },
    });
    this.bus.grantPutEventsTo(this.outbox);
    this.outbox.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        maxBatchingWindow: Duration.seconds(1),
        bisectBatchOnError: true,
        retryAttempts: 5,
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(outboxFailures.queue),
      }),
    );

    for (const { job, minute } of scheduledJobs) {
      new Schedule(this, `${job}Schedule`, {
        scheduleName: name(`${job}-hourly`),
        description: `Runs the ${job} job; each tenant is fanned out once, on its first tick of the day (program time).`,
        schedule: ScheduleExpression.cron({ minute: String(minute) }),
        target: new LambdaInvoke(this.jobFunction, { input: ScheduleTargetInput.fromObject({ job }), retryAttempts: 2, role: schedulerRole }),
      });
    }
  }
}
