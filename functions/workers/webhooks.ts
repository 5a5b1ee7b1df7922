/**
 * Webhook worker: domain events from the bus (intake queue) → one delivery per subscribed endpoint
 * on the FIFO delivery queue → signed POSTs, retried for 24 hours, then parked (lib/webhooks/worker.ts).
 */
import { deps } from '#lib/app/deps.ts';
import { webhookSettings } from '#lib/config.ts';
import { webhookDeliveryQueue } from '#lib/messaging/queues.ts';
import { postWebhook } from '#lib/webhooks/deliver.ts';
import { webhookWorker } from '#lib/webhooks/worker.ts';

export const handler = webhookWorker({
  deps,
  queue: webhookDeliveryQueue,
  send: () => {
    const s = webhookSettings();
    return (url, body, headers) => postWebhook(url, body, headers, { allowPrivate: s.allowPrivateUrls, timeoutMs: s.timeoutMs });
  },
});
