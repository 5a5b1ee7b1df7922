/**
 * Tally's own metrics, emitted as CloudWatch embedded metric format (Powertools Metrics) in one
 * namespace, each with the dimension `service` (the function that emits it) and, where named
 * below, one more. The stack's dashboard draws exactly these names, so code and dashboard share
 * this list. All are counts (unit Count); points metrics count points, not events.
 */
export const METRICS_NAMESPACE = 'Tally';
export const METRICS_SERVICE_DIMENSION = 'service';

export const metricNames = {
  /** Receipts committed (a replay is not counted here). Counted with the points below by the outbox relay, from the receipts it relays. */
  receiptsCommitted: 'receipts.committed',
  /** Receipts refused, with the dimension `code` (the error code the POS got). */
  receiptsRefused: 'receipts.refused',
  /** Retries answered with the stored first answer (`idempotent-replayed: true`). */
  receiptsReplayed: 'receipts.replayed',
  /** Transactions retried after losing a race on the customer's version. */
  contentionRetries: 'contention.retries',
  pointsEarned: 'points.earned',
  pointsBurned: 'points.burned',
  pointsExpired: 'points.expired',
  /** Messages sent, with the dimension `channel` (sms, email, push). */
  messagesSent: 'messages.sent',
  /** Webhook deliveries that the endpoint accepted. */
  webhooksDelivered: 'webhooks.delivered',
} as const;

export type MetricName = (typeof metricNames)[keyof typeof metricNames];
