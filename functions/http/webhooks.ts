/** Admins: outgoing webhook endpoints — create (secret shown once), read, change, delete, rotate the secret, the delivery log and replays. */
import { createWebhook, deleteWebhook, getWebhook, listDeliveries, listWebhooks, replayDelivery, rotateWebhookSecret, updateWebhook, type WebhookDeps } from '#lib/app/webhooks.ts';
import { db } from '#lib/storage/client.ts';
import { auditRepository } from '#lib/storage/audit.ts';
import { sharedWebhookRepository } from '#lib/storage/webhooks.ts';
import { httpFunction, ok } from '#lib/http/function.ts';
import { jsonBody, pathParam, validate } from '#lib/http/request.ts';
import { pageQuery } from '#lib/http/schemas.ts';
import { createWebhookBody, rotateWebhookSecretBody, updateWebhookBody } from '#lib/http/schemas/webhooks.ts';
import { webhookDeliveryQueue } from '#lib/messaging/queues.ts';

// Only the repositories the webhook routes use: deps() would bundle (and build at a cold start)
// every repository and, through them, the program's schemas, which no webhook route reads.
let shared: WebhookDeps | undefined;
const deps = (): WebhookDeps => (shared ??= { webhooks: sharedWebhookRepository(db()), audit: auditRepository(db()), clock: () => new Date() });

export const handler = httpFunction('webhooks', {
  'POST /v1/webhooks': async (event, p) => ok(await createWebhook(deps(), p, validate(createWebhookBody, jsonBody(event))), 201),
  'GET /v1/webhooks': async (event, p) => ok(await listWebhooks(deps(), p, validate(pageQuery, event.queryStringParameters ?? {}))),
  'GET /v1/webhooks/{webhookId}': async (event, p) => ok(await getWebhook(deps(), p, pathParam(event, 'webhookId'))),
  'PATCH /v1/webhooks/{webhookId}': async (event, p) => ok(await updateWebhook(deps(), p, pathParam(event, 'webhookId'), validate(updateWebhookBody, jsonBody(event)))),
  'DELETE /v1/webhooks/{webhookId}': async (event, p) => ok(await deleteWebhook(deps(), p, pathParam(event, 'webhookId'))),
  'POST /v1/webhooks/{webhookId}/rotate-secret': async (event, p) =>
    ok(await rotateWebhookSecret(deps(), p, pathParam(event, 'webhookId'), validate(rotateWebhookSecretBody, event.body ? jsonBody(event) : {}).overlapSeconds), 201),
  'GET /v1/webhooks/{webhookId}/deliveries': async (event, p) =>
    ok(await listDeliveries(deps(), p, pathParam(event, 'webhookId'), validate(pageQuery, event.queryStringParameters ?? {}))),
  'POST /v1/webhooks/{webhookId}/deliveries/{deliveryId}/replay': async (event, p) =>
    ok(await replayDelivery(deps(), webhookDeliveryQueue(), p, pathParam(event, 'webhookId'), pathParam(event, 'deliveryId'))),
});
