/**
 * Background work: the hourly job schedules, the account queue and its worker, and the alarms
 * that say when any of it is stuck. Jobs decide each tenant's day in the program's time zone, so
 * the schedule is simply hourly (UTC); the first tick of a tenant's day fans it out.
 */
import { Aws, Duration, RemovalPolicy, Stack, Validations, type CfnElement, type StackProps } from 'aws-cdk-lib';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, Rule, type CfnArchive } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { FilterCriteria, FilterRule, StartingPosition, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LISTENER_QUEUE_ARN_ENV } from '../../lib/events/routing.ts';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { notifiableEvents } from '../../lib/domain/notifications.ts';
import { EVENT_SOURCE, segmentEvents } from '../../lib/events/catalog.ts';
import { reportedItemTypes } from '../../lib/domain/insight.ts';
import { QUEUE_ENV } from '../../lib/messaging/queues.ts';
import { EVENT_BUS_ENV } from '../../lib/events/eventbridge.ts';
import { CHANNEL_ENV } from '../../lib/notify/live-channels.ts';
import { jobEntry, streamEntry, workerEntry } from '../bundling.ts';
import { TallyFunction } from '../constructs/tally-function.ts';
import { DeadLetters, WorkerQueue } from '../constructs/worker-queue.ts';
import { PushApp } from '../constructs/push-app.ts';

/**
 * What the stack needs to offer each channel to customers. A channel without its part is not
 * offered at all (never a send that fails); see README, "Deploy to AWS".
 */
export interface ChannelsConfig {
  /** E-mail: the sender, an SES identity (the address or its domain) verified and out of the SES sandbox. */
  readonly emailFrom?: string | undefined;
  /** SMS: on once the account may send SMS (out of the SMS sandbox, an origination identity where the countries need one). */
  readonly sms?: boolean | undefined;
  /** An alphanumeric SMS sender id, where the destination countries allow one. */
  readonly smsSenderId?: string | undefined;
  /** Push: Secrets Manager secrets with APNs and/or FCM credentials (infra/constructs/push-app.ts). */
  readonly apnsSecretName?: string | undefined;
  readonly fcmSecretName?: string | undefined;
}
import { WebhookDelivery } from '../constructs/webhook-delivery.ts';
import { ImportPipeline } from '../constructs/import-pipeline.ts';
import { HistoryBucket } from '../constructs/history-bucket.ts';

/** The simulation worker's timeout: the longest Lambda allows; it stops at a checkpoint three minutes before. */
const SIMULATION_WORKER_TIMEOUT = Duration.minutes(15);

export interface BackgroundStackProps extends StackProps {
  readonly stage: string;
  /** The table, with its stream (the outbox). */
  readonly table: ITable;
  /** The phone lookup key: every function that bundles the customer repository may hash a phone number. */
  readonly lookupKey?: ISecret | undefined;
  readonly channels?: ChannelsConfig | undefined;
  /** Who gets the alarms by e-mail (they confirm the subscription once). */
  readonly alarmEmail?: string | undefined;
  /**
   * X-Ray on the functions every receipt sets off (the outbox relay, the notify, journey and
   * webhook workers). Off by default: X-Ray's default sampling records the first request of every
   * second per function, which at 10 receipts/s is a trace per receipt across these four, about
   * $2–3 per million receipts; the jobs and the account and import workers keep active tracing.
   */
  readonly eventPathTracing?: boolean | undefined;
  /** Months the simulator's history is kept (context `historyMonths`; infra/constructs/history-bucket.ts says why 25). */
  readonly historyMonths?: number | undefined;
  /** How the report counters' stream reader batches (REPORTS_BATCH says what is used when not given). */
  readonly reportsBatch?: { readonly windowSeconds?: number | undefined; readonly size?: number | undefined } | undefined;
  /** Seconds the outbox relay's stream reader gathers records before an invocation (OUTBOX_BATCH says what is used when not given). */
  readonly outboxBatchWindow?: number | undefined;
}

/**
 * The outbox relay's batching: each invocation costs a request, its own time and its log lines
 * whatever the batch holds, and a shard's batch closes at the window's end (or at `size` records),
 * so a longer window means fewer invocations per receipt (bench/cost.ts). In prod 5 s: a receipt's
 * message, journey step or webhook leaves up to 4 s later than with 1 s; elsewhere 1 s.
 */
export const OUTBOX_BATCH = { prodWindowSeconds: 5, otherWindowSeconds: 1, size: 100 } as const;

/**
 * The report counters' batching: every counter item a batch touches costs one write however many
 * changes it adds up (storage/insight.ts), so the longer the window the cheaper each receipt. In
 * prod a minute: reports are period figures staff read, they lag the till by at most that (well
 * inside the 10-minute iterator-age alarm), and at 10 receipts/s a minute's batch writes each
 * counter item once for about 150 receipts per stream shard. Elsewhere 5 s, to see a receipt in
 * the reports soon. The size is the most DynamoDB streams allow; Lambda's 6 MB invocation
 * payload cuts a batch sooner (bench/cost.ts models both).
 */
export const REPORTS_BATCH = { prodWindowSeconds: 60, otherWindowSeconds: 5, size: 10_000 } as const;

/** The jobs the schedule runs, each hourly at its own minute. */
export const scheduledJobs = [
  { job: 'expiry', cron: { minute: '5' } },
  { job: 'birthday', cron: { minute: '15' } },
  { job: 'tiers', cron: { minute: '25' } },
  { job: 'refills', cron: { minute: '35' } },
  { job: 'segments', cron: { minute: '45' } },
  // Yesterday's receipts (UTC) summed per tenant: top SKUs, categories, results of sends (lib/app/day-insight.ts).
  { job: 'insight', cron: { minute: '50' } },
  // Quiet hours end on the minute; a quarter-hour tick sends what they held back soon after.
  { job: 'notifications', cron: { minute: '0/15' } },
] as const;

/**
 * What a function that sends to customers may do, channel by channel, and the environment that
 * tells it which channels are live.
 */
function sendingGrants(stack: Stack, channels: ChannelsConfig, push: PushApp | undefined): { statements: PolicyStatement[]; environment: Record<string, string> } {
  const statements: PolicyStatement[] = [];
  const live: string[] = [];
  const environment: Record<string, string> = {};
  if (channels.sms || channels.smsSenderId) {
    // An SMS is published to a phone number, which has no ARN, so the action cannot be scoped to a
    // resource. NotResource on every SNS ARN allows exactly those publishes and none to a topic or
    // platform endpoint, in this account or any other.
    statements.push(new PolicyStatement({ actions: ['sns:Publish'], notResources: [`arn:${Aws.PARTITION}:sns:*:*:*`] }));
    if (channels.smsSenderId) environment.SMS_SENDER_ID = channels.smsSenderId;
    live.push('sms');
  }
  if (channels.emailFrom) {
    // SES authorises the identity the message is sent from: the address if it is verified itself, else its domain.
    const identity = (name: string) => stack.formatArn({ service: 'ses', resource: 'identity', resourceName: name });
    statements.push(new PolicyStatement({ actions: ['ses:SendEmail'], resources: [identity(channels.emailFrom.split('@')[1]!), identity(channels.emailFrom)] }));
    environment.EMAIL_FROM = channels.emailFrom;
    live.push('email');
  }
  if (push) {
    statements.push(new PolicyStatement({ actions: ['mobiletargeting:SendMessages'], resources: [push.messagesArn] }));
    environment.PINPOINT_APP_ID = push.applicationId;
    environment[CHANNEL_ENV.pushPlatforms] = push.platforms.join(',');
    live.push('push');
  }
  environment[CHANNEL_ENV.live] = live.join(',');
  return { statements, environment };
}

export class BackgroundStack extends Stack {
  /** The channels this deployment offers (`sms,email,push`), for GET /v1/health to report. */
  readonly liveChannels: string;
  /** What a function that sends customers their sign-in links by SMS or e-mail may do, and its environment. */
  readonly linkSending: { statements: PolicyStatement[]; environment: Record<string, string> };
  readonly alarmTopic: Topic;
  readonly accounts: WorkerQueue;
  readonly jobFunction: TallyFunction;
  /** Scheduled job runs that failed: the schedule could not invoke the function, or the job failed after its retries. */
  readonly jobFailures: DeadLetters;
  readonly accountWorker: TallyFunction;
  readonly bus: EventBus;
  readonly outbox: TallyFunction;
  /** Stream records the outbox relay gave up on. */
  readonly outboxFailures: DeadLetters;
  /** The table's second stream reader: report counters (lib/app/insight.ts). */
  readonly reportCounters: TallyFunction;
  /** Stream records the report counters gave up on. */
  readonly reportFailures: DeadLetters;
  readonly notify: WorkerQueue;
  readonly notifyWorker: TallyFunction;
  readonly journeys: WorkerQueue;
  readonly journeyWorker: TallyFunction;
  /** Only when push credentials were given. */
  readonly push: PushApp | undefined;
  readonly webhooks: WebhookDelivery;
  readonly imports: ImportPipeline;
  /** The program simulator's queue and worker (POST /v1/simulations puts simulations on it). */
  readonly simulations: WorkerQueue;
  readonly simulationWorker: TallyFunction;
  /** Receipts and returns as day files: written by the report counters, replayed by the simulation worker. */
  readonly history: HistoryBucket;

  constructor(scope: Construct, id: string, props: BackgroundStackProps) {
    super(scope, id, props);
    const retain = props.stage === 'prod' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const eventPathTracing = props.eventPathTracing ? Tracing.ACTIVE : Tracing.DISABLED;
    const name = (s: string) => `tally-${props.stage}-${s}`;
    const channels = props.channels ?? {};

    // Alarms go to an encrypted topic; CloudWatch publishes to it only if the key lets it encrypt
    // for the topic (GenerateDataKey*) and SNS decrypt for delivery (Decrypt) on its behalf.
    const alarmKey = new Key(this, 'AlarmTopicKey', { enableKeyRotation: true, description: 'Tally alarm topic' });
    alarmKey.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    this.alarmTopic = new Topic(this, 'Alarms', { topicName: name('alarms'), masterKey: alarmKey, enforceSSL: true });
    if (props.alarmEmail) this.alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail));
    const alarmAction = new SnsAction(this.alarmTopic);
    // Every background function bundles the customer repository, which hashes phone numbers.
    const withLookupKey = (fn: TallyFunction) => (props.lookupKey ? fn.bindLookupKey(props.lookupKey) : fn);

    const workerTimeout = Duration.seconds(60);
    this.accounts = new WorkerQueue(this, 'AccountQueue', { queueName: name('accounts'), consumerTimeout: workerTimeout, alarmAction });

    this.accountWorker = withLookupKey(
      new TallyFunction(this, 'AccountWorker', {
        functionName: name('account-worker'),
        entry: workerEntry('accounts'),
        description: 'Tally account worker: birthday bonuses, expiry, expiry reminders',
        timeout: workerTimeout,
        logsRemovalPolicy: retain,
      }).bindTable(props.table, 'readWrite'),
    );
    this.accountWorker.addEventSource(
      new SqsEventSource(this.accounts.queue, { batchSize: 10, reportBatchItemFailures: true, maxConcurrency: 10 }),
    );

    // Scheduler invokes the job asynchronously: its retries cover a failed invoke, Lambda's cover a
    // failed run. Both park what still failed in one queue, so a job that did not run raises an alarm.
    // A late run is worthless after an hour: the next hourly tick does the same work.
    this.jobFailures = new DeadLetters(this, 'JobFailures', { queueName: name('jobs-failed'), what: 'Scheduled job runs', alarmAction });
    const jobMaxAge = Duration.hours(1);
    this.jobFunction = withLookupKey(
      new TallyFunction(this, 'JobFunction', {
        functionName: name('jobs'),
        entry: jobEntry('run'),
        description: 'Tally scheduled jobs: read what is due, fan it out to the account queue',
        timeout: Duration.minutes(5),
        logsRemovalPolicy: retain,
        retryAttempts: 2,
        maxEventAge: jobMaxAge,
        onFailure: new SqsDestination(this.jobFailures.queue),
      }).bindTable(props.table, 'readWrite'),
    ).bindQueue(QUEUE_ENV.accounts, this.accounts.queue);

    const schedulerRole = new Role(this, 'SchedulerRole', { assumedBy: new ServicePrincipal('scheduler.amazonaws.com') });
    const fnLogicalId = this.getLogicalId(this.jobFunction.node.defaultChild as CfnElement);
    Validations.of(schedulerRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${fnLogicalId}.Arn>:*]`,
      reason: "LambdaInvoke grants the job function and its versions; the wildcard is that one function's qualifiers, nothing else.",
    });
    // Domain events: the stream (outbox) → relay → bus. Any consumer subscribes with a rule.
    this.bus = new EventBus(this, 'Bus', { eventBusName: name('events') });
    const archive = this.bus.archive('Archive', {
      archiveName: name('events'),
      description: 'Every Tally domain event, for replay into a new consumer',
      eventPattern: { source: [EVENT_SOURCE] },
      retention: Duration.days(90),
    });
    // Without a key aws-cdk-lib writes `KmsKeyIdentifier: ""`, which some regions refuse
    // (aws/aws-cdk#37847); left out, the archive uses an AWS owned key, as intended.
    (archive.node.defaultChild as CfnArchive).addPropertyDeletionOverride('KmsKeyIdentifier');
    // Stream records the relay gave up on (after bisecting and retries), with their positions, for replay.
    this.outboxFailures = new DeadLetters(this, 'OutboxFailures', { queueName: name('outbox-failures'), what: 'Stream records', alarmAction });
    this.outbox = new TallyFunction(this, 'Outbox', {
      functionName: name('outbox'),
      entry: streamEntry('outbox'),
      description: 'Tally outbox relay: table stream → domain events on the bus',
      timeout: Duration.seconds(60),
      logsRemovalPolicy: retain,
      tracing: eventPathTracing,
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
        batchSize: OUTBOX_BATCH.size,
        maxBatchingWindow: Duration.seconds(props.outboxBatchWindow ?? (props.stage === 'prod' ? OUTBOX_BATCH.prodWindowSeconds : OUTBOX_BATCH.otherWindowSeconds)),
        bisectBatchOnError: true,
        retryAttempts: 5,
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(this.outboxFailures.queue),
      }),
    );

    // Report counters: the table's second (and last: DynamoDB serves at most two readers per
    // shard) stream reader. It reads the stream rather than the bus because the reports need what
    // the events leave out (discounts by source, lots, the tier on the customer item), and stream
    // reads by Lambda are free; the filter wakes it only for the items it counts. Any further
    // consumer reads the bus. Counting is idempotent per change as Lambda redelivers a shard (from a
    // position it delivered, in order), so retries and bisects are safe.
    this.reportFailures = new DeadLetters(this, 'ReportFailures', { queueName: name('report-failures'), what: 'Stream records', alarmAction });
    this.reportCounters = new TallyFunction(this, 'ReportCounters', {
      functionName: name('report-counters'),
      entry: streamEntry('report-counters'),
      description: 'Tally report counters: table stream → per-day aggregates',
      timeout: Duration.seconds(60),
      logsRemovalPolicy: retain,
    }).bindTable(props.table, 'readWrite');
    this.reportCounters.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: props.reportsBatch?.size ?? REPORTS_BATCH.size,
        maxBatchingWindow: Duration.seconds(props.reportsBatch?.windowSeconds ?? (props.stage === 'prod' ? REPORTS_BATCH.prodWindowSeconds : REPORTS_BATCH.otherWindowSeconds)),
        bisectBatchOnError: true,
        retryAttempts: 10,
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(this.reportFailures.queue),
        filters: [
          FilterCriteria.filter({ eventName: FilterRule.isEqual('INSERT'), dynamodb: { NewImage: { type: { S: FilterRule.or(...reportedItemTypes.inserted) } } } }),
          FilterCriteria.filter({ eventName: FilterRule.isEqual('MODIFY'), dynamodb: { NewImage: { type: { S: FilterRule.or(...reportedItemTypes.modified) } } } }),
        ],
      }),
    );

    // Notifications: bus rule (the events customers hear about) → queue → notify worker → SNS / SES / Pinpoint.
    this.notify = new WorkerQueue(this, 'NotifyQueue', { queueName: name('notify'), consumerTimeout: workerTimeout, alarmAction });
    this.push =
      channels.apnsSecretName || channels.fcmSecretName
        ? new PushApp(this, 'PushApp', { appName: name('push'), apnsSecretName: channels.apnsSecretName, fcmSecretName: channels.fcmSecretName })
        : undefined;
    const sending = sendingGrants(this, channels, this.push);
    this.liveChannels = sending.environment[CHANNEL_ENV.live] ?? '';
    const linkChannels = sendingGrants(this, channels, undefined);
    this.linkSending = linkChannels;
    // Both workers that message customers: same channels, same grants; each fed by a bus rule.
    const messagingWorker = (id: string, worker: string, functionName: string, description: string, queue: WorkerQueue, rule: { name: string; description: string; detailTypes?: string[] }) => {
      const fn = withLookupKey(
        new TallyFunction(this, id, {
          functionName: name(functionName),
          entry: workerEntry(worker),
          description,
          timeout: workerTimeout,
          logsRemovalPolicy: retain,
          tracing: eventPathTracing,
          environment: sending.environment,
        }).bindTable(props.table, 'readWrite'),
      );
      fn.addEventSource(new SqsEventSource(queue.queue, { batchSize: 10, reportBatchItemFailures: true, maxConcurrency: 5 }));
      for (const statement of sending.statements) fn.addToRolePolicy(statement);
      new Rule(this, `${id.replace('Worker', '')}Rule`, {
        ruleName: name(rule.name),
        description: rule.description,
        eventBus: this.bus,
        // Only events the outbox tagged for this queue: the ones its worker acts on (lib/app/listeners.ts).
        eventPattern: { source: [EVENT_SOURCE], ...(rule.detailTypes ? { detailType: rule.detailTypes } : {}), resources: [queue.queue.queueArn] },
        targets: [new SqsQueue(queue.queue, { deadLetterQueue: queue.deadLetterQueue, retryAttempts: 10 })],
      });
      return fn;
    };
    this.notifyWorker = messagingWorker('NotifyWorker', 'notify', 'notify-worker', 'Tally notify worker: domain events → SMS, e-mail, push (once each)', this.notify, {
      name: 'notify',
      description: 'Domain events a customer may be told about',
      detailTypes: Object.keys(notifiableEvents),
    });
    this.jobFunction.bindQueue(QUEUE_ENV.notify, this.notify.queue);

    // Journeys: every domain event may enter customers, plus the journeys' own work (entries, steps after a wait).
    this.journeys = new WorkerQueue(this, 'JourneyQueue', { queueName: name('journeys'), consumerTimeout: workerTimeout, alarmAction });
    this.journeyWorker = messagingWorker('JourneyWorker', 'journeys', 'journey-worker', 'Tally journeys worker: enter customers, run steps, send journey messages (once each)', this.journeys, {
      name: 'journeys',
      description: 'Domain events an active journey of the tenant is triggered by',
    });
    this.jobFunction.bindQueue(QUEUE_ENV.journeys, this.journeys.queue);

    // Segments: events after which a customer's defined segments may differ → the account worker.
    new Rule(this, 'SegmentsRule', {
      ruleName: name('segments'),
      description: 'Events that may change a customer’s defined segments',
      eventBus: this.bus,
      eventPattern: { source: [EVENT_SOURCE], detailType: [...segmentEvents], resources: [this.accounts.queue.queueArn] },
      targets: [new SqsQueue(this.accounts.queue, { deadLetterQueue: this.accounts.deadLetterQueue, retryAttempts: 10 })],
    });

    this.webhooks = new WebhookDelivery(this, 'Webhooks', { namePrefix: name(''), table: props.table, bus: this.bus, alarmAction, logsRemovalPolicy: retain, tracing: eventPathTracing });
    withLookupKey(this.webhooks.worker);

    // The relay tags each event with the queues whose workers act on it, which it learns from the
    // table (the tenant's active journeys and webhook endpoints; lib/app/listeners.ts).
    this.outbox.bindTable(props.table, 'read');
    this.outbox.addEnvironment(LISTENER_QUEUE_ARN_ENV.notify, this.notify.queue.queueArn);
    this.outbox.addEnvironment(LISTENER_QUEUE_ARN_ENV.journeys, this.journeys.queue.queueArn);
    this.outbox.addEnvironment(LISTENER_QUEUE_ARN_ENV.webhooks, this.webhooks.intake.queue.queueArn);
    this.outbox.addEnvironment(LISTENER_QUEUE_ARN_ENV.segments, this.accounts.queue.queueArn);

    this.imports = new ImportPipeline(this, 'Imports', { stage: props.stage, table: props.table, lookupKey: props.lookupKey, alarmAction, logsRemovalPolicy: retain });

    // The simulator: one simulation per invocation, replaying shard after shard of customers for
    // up to 15 minutes, then queueing its own continuation; two at a time at most.
    this.simulations = new WorkerQueue(this, 'SimulationQueue', { queueName: name('simulations'), consumerTimeout: SIMULATION_WORKER_TIMEOUT, alarmAction, maxAge: Duration.hours(1) });
    // (Its bundle holds the shared repositories, the phone lookup among them, though it looks up no phone.)
    this.simulationWorker = withLookupKey(new TallyFunction(this, 'SimulationWorker', {
      functionName: name('simulation-worker'),
      entry: workerEntry('simulations'),
      description: 'Tally simulation worker: replays a period of receipts under the program in force and a draft, resumable',
      timeout: SIMULATION_WORKER_TIMEOUT,
      // A shard of a year of a large chain's receipts is held in memory while it is replayed.
      memorySize: 3008,
      logsRemovalPolicy: retain,
    })
      // (Its receipts come from the history bucket, not the table: no BatchGetItem.)
      .bindTable(props.table, 'readWrite')
      .bindQueue(QUEUE_ENV.simulations, this.simulations.queue));
    this.simulationWorker.addEventSource(new SqsEventSource(this.simulations.queue, { batchSize: 1, reportBatchItemFailures: true, maxConcurrency: 2 }));
    // A day of the nightly insight job that does not fit the jobs function's 5 minutes goes on in the simulation worker.
    this.jobFunction.bindQueue(QUEUE_ENV.simulations, this.simulations.queue);

    // The simulator's history: the report counters write each batch's receipts and returns as day files, the worker replays them.
    this.history = new HistoryBucket(this, 'History', { stage: props.stage, retentionMonths: props.historyMonths });
    this.history.grantWrite(this.reportCounters);
    this.history.grantRead(this.simulationWorker);
    // The nightly insight job sums yesterday's receipts from the same day files.
    this.history.grantRead(this.jobFunction);

    for (const { job, cron } of scheduledJobs) {
      new Schedule(this, `${job}Schedule`, {
        scheduleName: name(`${job}-job`),
        description: `Runs the ${job} job; jobs by day fan each tenant out once, on its first tick of the day (program time).`,
        schedule: ScheduleExpression.cron(cron),
        target: new LambdaInvoke(this.jobFunction, {
          input: ScheduleTargetInput.fromObject({ job }),
          retryAttempts: 2,
          maxEventAge: jobMaxAge,
          deadLetterQueue: this.jobFailures.queue,
          role: schedulerRole,
        }),
      });
    }
  }

  /** The functions of this stack, by the name of the `tally-<stage>-…` function. */
  get functions(): Record<string, TallyFunction> {
    return { jobs: this.jobFunction, 'account-worker': this.accountWorker, outbox: this.outbox, 'report-counters': this.reportCounters, 'notify-worker': this.notifyWorker, 'journey-worker': this.journeyWorker, 'webhook-worker': this.webhooks.worker, 'import-worker': this.imports.worker, 'simulation-worker': this.simulationWorker };
  }

  /**
   * The work queues, each with its dead letters, by short name. The webhook delivery queue is not
   * among them: its messages wait up to 24 hours by design, and its construct alarms on it itself.
   */
  get workQueues(): Record<string, WorkerQueue> {
    return { accounts: this.accounts, notify: this.notify, journeys: this.journeys, webhooks: this.webhooks.intake, imports: this.imports.queue, simulations: this.simulations };
  }

  /** The dead-letter queues that belong to no work queue, by short name. */
  get deadLetters(): Record<string, DeadLetters> {
    return { 'outbox-failures': this.outboxFailures, 'report-failures': this.reportFailures, 'jobs-failed': this.jobFailures };
  }
}
