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
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { QUEUE_ENV } from '../../lib/messaging/queues.ts';
import { jobEntry, workerEntry } from '../bundling.ts';
import { TallyFunction } from '../constructs/tally-function.ts';
import { WorkerQueue } from '../constructs/worker-queue.ts';

export interface BackgroundStackProps extends StackProps {
  readonly stage: string;
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
