/**
 * Background work: the hourly job schedules, the account queue and its worker, and the alarms
 * that say when any of it is stuck. Jobs decide each tenant's day in the program's time zone, so
 * the schedule is simply hourly (UTC); the first tick of a tenant's day fans it out.
 */
import { Duration, RemovalPolicy, Stack, Validations, type CfnElement, type StackProps } from 'aws-cdk-lib';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnApp } from 'aws-cdk-lib/aws-pinpoint';
import { Key } from 'aws-cdk-lib/aws-kms';
import { StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { notifiableEvents } from '../../lib/domain/notifications.ts';
import { EVENT_SOURCE } from '../../lib/events/catalog.ts';
import { QUEUE_ENV } from '../../lib/messaging/queues.ts';
import { EVENT_BUS_ENV } from '../../lib/events/eventbridge.ts';
import { jobEntry, streamEntry, workerEntry } from '../bundling.ts';
import { TallyFunction } from '../constructs/tally-function.ts';
import { DeadLetters, WorkerQueue } from '../constructs/worker-queue.ts';
import { ImportPipeline } from '../constructs/import-pipeline.ts';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';

export interface BackgroundStackProps extends StackProps {
  readonly stage: string;
  /** The table, with its stream (the outbox). */
  readonly table: ITable;
  /** The verified SES sender for e-mail; without it, e-mail is not offered as a channel. */
  readonly emailFrom?: string | undefined;
  /** An alphanumeric SMS sender id, where the destination countries allow one. */
  readonly smsSenderId?: string | undefined;
  /** The phone lookup key (the import worker stores phone identifiers under it). */
  readonly lookupKey?: ISecret | undefined;
}

/** The jobs the schedule runs, each hourly at its own minute. */
export const scheduledJobs = [
  { job: 'expiry', cron: { minute: '5' } },
  { job: 'birthday', cron: { minute: '15' } },
  { job: 'tiers', cron: { minute: '25' } },
  { job: 'refills', cron: { minute: '35' } },
  // Quiet hours end on the minute; a quarter-hour tick sends what they held back soon after.
  { job: 'notifications', cron: { minute: '0/15' } },
] as const;

/** What a function that sends to customers may do: SMS to numbers, push through the app, e-mail from the one identity. */
function sendingStatements(pushAppArn: string, emailFrom: string | undefined, stack: Stack): PolicyStatement[] {
  return [
    new PolicyStatement({ actions: ['sns:Publish'], resources: ['*'] }),
    new PolicyStatement({ actions: ['mobiletargeting:SendMessages'], resources: [`${pushAppArn}/messages`] }),
    ...(emailFrom
      ? [new PolicyStatement({ actions: ['ses:SendEmail'], resources: [stack.formatArn({ service: 'ses', resource: 'identity', resourceName: emailFrom.split('@')[1]! })] })]
      : []),
  ];
}

export class BackgroundStack extends Stack {
  readonly alarmTopic: Topic;
  readonly accounts: WorkerQueue;
  readonly jobFunction: TallyFunction;
  readonly accountWorker: TallyFunction;
  readonly bus: EventBus;
  readonly outbox: TallyFunction;
  readonly notify: WorkerQueue;
  readonly notifyWorker: TallyFunction;
  readonly journeys: WorkerQueue;
  readonly journeyWorker: TallyFunction;
  readonly imports: ImportPipeline;

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
    // The stream carries the table's items, encrypted under the table's key.
    if (props.table.encryptionKey) {
      this.outbox.addToRolePolicy(new PolicyStatement({ actions: ['kms:Decrypt', 'kms:DescribeKey'], resources: [props.table.encryptionKey.keyArn] }));
    }
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

    // Notifications: bus rule (the events customers hear about) → queue → notify worker → SNS / SES / Pinpoint.
    this.notify = new WorkerQueue(this, 'NotifyQueue', { queueName: name('notify'), consumerTimeout: workerTimeout, alarmAction });
    const pushApp = new CfnApp(this, 'PushApp', { name: name('push') });
    // Same reason for cfn-lint, on this resource only.
    pushApp.addMetadata('cfn-lint', { config: { ignore_checks: ['W3696'] } });
    Validations.of(pushApp).acknowledge({
      id: 'CloudFormation-Validate::W3696',
      reason: "Pinpoint's engagement features ended on 30 Oct 2026; push through SendMessages (End User Messaging) still needs this application id.",
    });
    // Both workers that message customers: same channels, same grants; each fed by a bus rule.
    const messagingWorker = (id: string, worker: string, functionName: string, description: string, queue: WorkerQueue, rule: { name: string; description: string; detailTypes?: string[] }) => {
      const fn = new TallyFunction(this, id, {
        functionName: name(functionName),
        entry: workerEntry(worker),
        description,
        timeout: workerTimeout,
        logsRemovalPolicy: retain,
        environment: {
          PINPOINT_APP_ID: pushApp.ref,
          ...(props.emailFrom ? { EMAIL_FROM: props.emailFrom } : {}),
          ...(props.smsSenderId ? { SMS_SENDER_ID: props.smsSenderId } : {}),
        },
      }).bindTable(props.table, 'readWrite');
      fn.addEventSource(new SqsEventSource(queue.queue, { batchSize: 10, reportBatchItemFailures: true, maxConcurrency: 5 }));
      for (const statement of sendingStatements(pushApp.attrArn, props.emailFrom, this)) fn.addToRolePolicy(statement);
      Validations.of(fn.role!).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'SMS is sent with sns:Publish to a phone number, which has no ARN; the function publishes to no topic.',
      });
      new Rule(this, `${id.replace('Worker', '')}Rule`, {
        ruleName: name(rule.name),
        description: rule.description,
        eventBus: this.bus,
        eventPattern: { source: [EVENT_SOURCE], ...(rule.detailTypes ? { detailType: rule.detailTypes } : {}) },
        targets: [new SqsQueue(queue.queue, { deadLetterQueue: queue.deadLetterQueue, retryAttempts: 10 })],
      });
      return fn;
    };
    this.notifyWorker = messagingWorker('NotifyWorker', 'notify', 'notify-worker', 'Tally notify worker: domain events → SMS, e-mail, push (once each)', this.notify, {
      name: 'notify',
      description: 'Domain events a customer may be told about',
      detailTypes: Object.keys(notifiableEvents),
    });
    this.jobFunction.addEnvironment(QUEUE_ENV.notify, this.notify.queue.queueUrl);
    this.notify.queue.grantSendMessages(this.jobFunction);

    // Journeys: every domain event may enter customers, plus the journeys' own work (entries, steps after a wait).
    this.journeys = new WorkerQueue(this, 'JourneyQueue', { queueName: name('journeys'), consumerTimeout: workerTimeout, alarmAction });
    this.journeyWorker = messagingWorker('JourneyWorker', 'journeys', 'journey-worker', 'Tally journeys worker: enter customers, run steps, send journey messages (once each)', this.journeys, {
      name: 'journeys',
      description: 'Every domain event, for journeys with event triggers',
    });
    this.jobFunction.addEnvironment(QUEUE_ENV.journeys, this.journeys.queue.queueUrl);
    this.journeys.queue.grantSendMessages(this.jobFunction);

    this.imports = new ImportPipeline(this, 'Imports', { stage: props.stage, table: props.table, lookupKey: props.lookupKey, alarmAction, logsRemovalPolicy: retain });

    for (const { job, cron } of scheduledJobs) {
      new Schedule(this, `${job}Schedule`, {
        scheduleName: name(`${job}-job`),
        description: `Runs the ${job} job; jobs by day fan each tenant out once, on its first tick of the day (program time).`,
        schedule: ScheduleExpression.cron(cron),
        target: new LambdaInvoke(this.jobFunction, { input: ScheduleTargetInput.fromObject({ job }), retryAttempts: 2, role: schedulerRole }),
      });
    }
  }
}
