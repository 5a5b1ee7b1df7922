/**
 * How the outbox tells the bus rules which internal queues an event is for: the queues' ARNs in
 * the event's `resources` (EventBridge's field for what an event concerns; rules match on it).
 * The stack sets each ARN on the outbox and puts the same ARN in that queue's rule pattern.
 */
export const LISTENER_QUEUE_ARN_ENV = {
  notify: 'NOTIFY_QUEUE_ARN',
  journeys: 'JOURNEY_QUEUE_ARN',
  webhooks: 'WEBHOOK_INTAKE_QUEUE_ARN',
  /** Defined segments: the account worker re-evaluates the customer's membership. */
  segments: 'ACCOUNT_QUEUE_ARN',
} as const;

export type Listener = keyof typeof LISTENER_QUEUE_ARN_ENV;

/** The `resources` an event for these listeners carries (a listener whose ARN is not set is left out). */
export const resourcesFor = (listeners: readonly Listener[], env: NodeJS.ProcessEnv = process.env): string[] =>
  listeners.map((l) => env[LISTENER_QUEUE_ARN_ENV[l]]).filter((arn): arn is string => Boolean(arn));
