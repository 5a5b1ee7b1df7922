/**
 * Outgoing webhooks: a bus rule (every Tally event: subscriptions are per tenant and change at run
 * time) → the intake queue → the webhook worker, which takes each event in as one delivery per
 * subscribed endpoint on the FIFO delivery queue → the same worker, one signed POST per message.
 *
 * Why FIFO: the message group is (endpoint, customer), and SQS gives out a group's messages one
 * after another, holding the rest back while one waits for a retry — a customer's deliveries keep
 * their order. FIFO's limits shape the rest: per-message delays are not allowed (a retry waits by
 * the visibility of its received message instead, at most 12 hours per receive; our longest wait
 * is 4.8 hours); a group's followers are received with it and count a receive each time, so the
 * redrive allows 50 receives (a delivery is tried at most 14 times in its 24 hours; the DLQ is for
 * a worker that keeps failing, not for a receiver that does); and messages can wait 24 hours, so
 * the age alarm is set past that. Deduplication and throughput are per message group.
 *
 * The worker needs the internet (the receivers), so it runs outside any VPC; in AWS it allows only
 * HTTPS to public addresses, checked after DNS resolution (lib/webhooks/address-policy.ts).
 */
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type { IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, type IEventBus } from 'aws-cdk-lib/aws-events';
import type { Tracing } from 'aws-cdk-lib/aws-lambda';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import { EVENT_SOURCE } from '../../lib/events/catalog.ts';
import { QUEUE_ENV } from '../../lib/messaging/queues.ts';
import { DELIVERY_QUEUE_MAX_RECEIVES } from '../../lib/webhooks/retry.ts';
import { workerEntry } from '../bundling.ts';
import { TallyFunction } from './tally-function.ts';
import { WorkerQueue } from './worker-queue.ts';

export interface WebhookDeliveryProps {
  /** `tally-<stage>-` */
  readonly namePrefix: string;
  readonly table: ITable;
  readonly bus: IEventBus;
  readonly alarmAction?: IAlarmAction;
  readonly logsRemovalPolicy?: RemovalPolicy;
  /** X-Ray on the worker (BackgroundStackProps.eventPathTracing). */
  readonly tracing?: Tracing;
}


export class WebhookDelivery extends Construct {
  readonly intake: WorkerQueue;
  readonly deliveries: WorkerQueue;
  readonly worker: TallyFunction;
  readonly rule: Rule;

  constructor(scope: Construct, id: string, props: WebhookDeliveryProps) {
    super(scope, id);
    const timeout = Duration.seconds(60);
    this.intake = new WorkerQueue(this, 'IntakeQueue', { queueName: `${props.namePrefix}webhooks`, consumerTimeout: timeout, ...(props.alarmAction ? { alarmAction: props.alarmAction } : {}) });
    this.deliveries = new WorkerQueue(this, 'DeliveryQueue', {
      queueName: `${props.namePrefix}webhook-deliveries`,
      fifo: true,
      consumerTimeout: timeout,
      maxReceiveCount: DELIVERY_QUEUE_MAX_RECEIVES,
      // A delivery may wait (retrying) for 24 hours by design; older than that, something is stuck.
      maxAge: Duration.hours(25),
      ...(props.alarmAction ? { alarmAction: props.alarmAction } : {}),
    });

    this.worker = new TallyFunction(this, 'Worker', {
      functionName: `${props.namePrefix}webhook-worker`,
      entry: workerEntry('webhooks'),
      description: 'Tally webhook worker: domain events → signed POSTs to subscribed endpoints, retried for 24 h, then parked',
      // Ten attempts of at most 5 s each fit; SQS's visibility (six times this) covers a slow batch.
      timeout,
      ...(props.logsRemovalPolicy ? { logsRemovalPolicy: props.logsRemovalPolicy } : {}),
      ...(props.tracing ? { tracing: props.tracing } : {}),
      environment: { [QUEUE_ENV.webhookDeliveries]: this.deliveries.queue.queueUrl },
    }).bindTable(props.table, 'readWrite');
    this.deliveries.queue.grantSendMessages(this.worker);
    this.worker.addEventSource(new SqsEventSource(this.intake.queue, { batchSize: 10, reportBatchItemFailures: true, maxConcurrency: 5 }));
    this.worker.addEventSource(new SqsEventSource(this.deliveries.queue, { batchSize: 10, reportBatchItemFailures: true, maxConcurrency: 10 }));

    this.rule = new Rule(this, 'Rule', {
      ruleName: `${props.namePrefix}webhooks`,
      description: 'Domain events a tenant’s webhook endpoint subscribes to',
      eventBus: props.bus,
      // Only events the outbox tagged for the intake queue: a tenant's endpoint subscribes to them (lib/app/listeners.ts).
      eventPattern: { source: [EVENT_SOURCE], resources: [this.intake.queue.queueArn] },
      targets: [new SqsQueue(this.intake.queue, { deadLetterQueue: this.intake.deadLetterQueue, retryAttempts: 10 })],
    });
  }
}
