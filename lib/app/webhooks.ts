/**
 * Outgoing webhooks. Admins register endpoints (a URL and the event types it wants); every
 * domain event a tenant's endpoint is subscribed to becomes one delivery per endpoint, signed
 * (lib/webhooks/signature.ts), retried for 24 hours (lib/webhooks/retry.ts), then parked and
 * replayable through the API. Every staff change is audited in its own transaction.
 *
 * Order: the webhook worker takes events off the bus and puts one message per delivery on a FIFO
 * queue whose message group is (endpoint, customer). SQS hands a group's messages out one after
 * the other and holds the rest of the group back while one is being retried, so a customer's
 * deliveries reach an endpoint in the order they were taken in, even when the first one needed
 * retries. Different customers (and endpoints) do not wait for each other.
 */
import { createHash, randomBytes } from 'node:crypto';
import * as z from '#domain/zod-mini.ts';
import { webhookSettings } from '../config.ts';
import type { DomainEvent, EventType } from '../events/catalog.ts';
import type { FifoQueue } from '../messaging/queue.ts';
import type { Principal } from '../storage/api-keys.ts';
import type { DeliveryRecord, WebhookRecord } from '../storage/webhooks.ts';
import { checkWebhookUrl } from '../webhooks/address-policy.ts';
import { afterAttempt, describeOutcome, RETRY_WINDOW_MS, type AttemptOutcome } from '../webhooks/retry.ts';
import { generateSecret, SIGNATURE_HEADER, signatureHeader } from '../webhooks/signature.ts';
import type { Deps } from './deps.ts';

/** What the webhook use cases reach: functions/http/webhooks.ts builds just these, not every repository. */
export type WebhookDeps = Pick<Deps, 'webhooks' | 'audit' | 'clock'>;
import { metricNames } from '../observability/metric-names.ts';
import { count } from '../observability/metrics.ts';
import { ConflictError, InvalidRequestError, LimitExceededError, NotFoundError } from './errors.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';

/** Endpoints per tenant: each event fans out to at most this many deliveries. */
export const MAX_WEBHOOKS_PER_TENANT = 10;

const id = z.string().check(z.regex(/^[A-Za-z0-9._:-]{1,64}$/));

/** What the delivery queue carries: which delivery to attempt (its body is in the table). */
export const deliveryMessageSchema = z.strictObject({ tenantId: id, webhookId: id, deliveryId: id });
export type DeliveryMessage = z.infer<typeof deliveryMessageSchema>;

export interface WebhookInput {
  readonly url: string;
  readonly eventTypes: readonly EventType[];
  readonly description?: string | undefined;
  readonly active?: boolean | undefined;
}

export interface WebhookPatch {
  readonly url?: string | undefined;
  readonly eventTypes?: readonly EventType[] | undefined;
  readonly description?: string | null | undefined;
  readonly active?: boolean | undefined;
}

/** An endpoint as the API shows it: never its secrets. */
export const webhookView = (w: WebhookRecord) => ({
  webhookId: w.webhookId,
  url: w.url,
  eventTypes: [...w.eventTypes],
  description: w.description ?? null,
  active: w.active,
  createdAt: w.createdAt,
  createdBy: w.createdBy,
  updatedAt: w.updatedAt,
  secretRotatedAt: w.secretRotatedAt ?? null,
  previousSecretExpiresAt: w.previousSecretExpiresAt ?? null,
});

export const deliveryView = (d: DeliveryRecord) => ({
  deliveryId: d.deliveryId,
  eventId: d.eventId,
  eventType: d.eventType,
  customerId: d.customerId,
  occurredAt: d.occurredAt,
  state: d.state,
  attempts: d.attempts,
  replays: d.replays,
  acceptedAt: d.acceptedAt,
  retryUntil: d.windowEndsAt,
  nextAttemptAt: d.nextAttemptAt ?? null,
  lastAttemptAt: d.lastAttemptAt ?? null,
  lastStatus: d.lastStatus ?? null,
  lastError: d.lastError ?? null,
  deliveredAt: d.deliveredAt ?? null,
  parkedAt: d.parkedAt ?? null,
  replayedAt: d.replayedAt ?? null,
});

function checkUrl(url: string): void {
  const r = checkWebhookUrl(url, { allowPrivate: webhookSettings().allowPrivateUrls });
  if (!r.ok) throw new InvalidRequestError(`url: ${r.reason}`, 'url');
}

async function requireWebhook(deps: WebhookDeps, p: Principal, webhookId: string): Promise<WebhookRecord> {
  const w = await deps.webhooks.get(p.tenantId, webhookId);
  if (!w) throw new NotFoundError('webhook', 'webhookId');
  return w;
}

const audit = (deps: WebhookDeps, p: Principal, at: string, action: string, webhookId: string, before: WebhookRecord | undefined, after: WebhookRecord | undefined) =>
  deps.audit.item(p, { at, action, target: `webhook:${webhookId}`, ...(before ? { before: webhookView(before) } : {}), ...(after ? { after: webhookView(after) } : {}) });

const changedConcurrently = () => new ConflictError('webhook_changed', 'webhookId: the endpoint was changed by another request at the same time; read it again and retry', 'webhookId');

export async function createWebhook(deps: WebhookDeps, p: Principal, body: WebhookInput) {
  checkUrl(body.url);
  const at = deps.clock().toISOString();
  const record: WebhookRecord = {
    webhookId: `wh-${randomBytes(8).toString('hex')}`,
    url: body.url,
    eventTypes: [...body.eventTypes],
    description: body.description,
    active: body.active ?? true,
    createdAt: at,
    createdBy: p.actor,
    updatedAt: at,
    version: 1,
    secret: generateSecret(),
  };
  const r = await deps.webhooks.create(p.tenantId, record, MAX_WEBHOOKS_PER_TENANT, audit(deps, p, at, 'webhook.create', record.webhookId, undefined, record));
  if (r === 'limit') {
    throw new LimitExceededError('webhooks.perTenant', `webhooks.perTenant: a tenant may have at most ${MAX_WEBHOOKS_PER_TENANT} webhook endpoints; delete one first`);
  }
  if (r === 'exists') throw new Error('webhook id collision');
  return { ...webhookView(record), secret: record.secret };
}

const fromCursor = (cursor: string | undefined, pattern: RegExp, scope?: string): string | undefined =>
  cursor === undefined ? undefined : decodeCursor(cursor, (sk) => pattern.test(sk), scope);

export async function listWebhooks(deps: WebhookDeps, p: Principal, q: { limit: number; cursor?: string | undefined }) {
  const page = await deps.webhooks.page(p.tenantId, q.limit, fromCursor(q.cursor, /^WEBHOOK#[A-Za-z0-9._:-]{1,64}$/));
  return { webhooks: page.webhooks.map(webhookView), nextCursor: page.nextSk ? encodeCursor(page.nextSk) : null };
}

export async function getWebhook(deps: WebhookDeps, p: Principal, webhookId: string) {
  return webhookView(await requireWebhook(deps, p, webhookId));
}

export async function updateWebhook(deps: WebhookDeps, p: Principal, webhookId: string, patch: WebhookPatch) {
  if (patch.url !== undefined) checkUrl(patch.url);
  const before = await requireWebhook(deps, p, webhookId);
  const at = deps.clock().toISOString();
  const after: WebhookRecord = {
    ...before,
    ...(patch.url !== undefined ? { url: patch.url } : {}),
    ...(patch.eventTypes !== undefined ? { eventTypes: [...patch.eventTypes] } : {}),
    ...(patch.description !== undefined ? { description: patch.description ?? undefined } : {}),
    ...(patch.active !== undefined ? { active: patch.active } : {}),
    updatedAt: at,
    version: before.version + 1,
  };
  if (!(await deps.webhooks.update(p.tenantId, before, after, audit(deps, p, at, 'webhook.update', webhookId, before, after)))) throw changedConcurrently();
  return webhookView(after);
}

export async function deleteWebhook(deps: WebhookDeps, p: Principal, webhookId: string) {
  const before = await requireWebhook(deps, p, webhookId);
  const at = deps.clock().toISOString();
  if (!(await deps.webhooks.remove(p.tenantId, before, audit(deps, p, at, 'webhook.delete', webhookId, before, undefined)))) throw changedConcurrently();
  return { ...webhookView(before), deletedAt: at };
}

/**
 * A new secret, shown once. The old one keeps signing beside it for `overlapSeconds` (both `v1`
 * values are sent), so the receiver can switch over without refusing a delivery. A rotation
 * during an overlap ends the older secret at once: at most two are ever in force.
 */
export async function rotateWebhookSecret(deps: WebhookDeps, p: Principal, webhookId: string, overlapSeconds: number) {
  const before = await requireWebhook(deps, p, webhookId);
  const now = deps.clock();
  const at = now.toISOString();
  const after: WebhookRecord = {
    ...before,
    secret: generateSecret(),
    previousSecret: overlapSeconds > 0 ? before.secret : undefined,
    previousSecretExpiresAt: overlapSeconds > 0 ? new Date(now.getTime() + overlapSeconds * 1000).toISOString() : undefined,
    secretRotatedAt: at,
    updatedAt: at,
    version: before.version + 1,
  };
  if (!(await deps.webhooks.update(p.tenantId, before, after, audit(deps, p, at, 'webhook.rotate-secret', webhookId, before, after)))) throw changedConcurrently();
  return { ...webhookView(after), secret: after.secret };
}

const DELIVERY_ID = /^\d{13}-[0-9a-f]{24}$/;

export async function listDeliveries(deps: WebhookDeps, p: Principal, webhookId: string, q: { limit: number; cursor?: string | undefined }) {
  const after = fromCursor(q.cursor, DELIVERY_ID, webhookId);
  await requireWebhook(deps, p, webhookId);
  const page = await deps.webhooks.deliveries(p.tenantId, webhookId, q.limit, after);
  return { webhookId, deliveries: page.deliveries.map(deliveryView), nextCursor: page.nextSk ? encodeCursor(page.nextSk, webhookId) : null };
}

/** The message group of a delivery: one per endpoint and customer (events without one share a group per endpoint). */
export const deliveryGroupId = (tenantId: string, webhookId: string, customerId: string | null): string =>
  `${webhookId}:${createHash('sha256').update(`${tenantId}|${customerId ?? ''}`).digest('hex').slice(0, 32)}`;

const message = (tenantId: string, d: Pick<DeliveryRecord, 'webhookId' | 'deliveryId' | 'customerId'>, dedupSuffix = '') => ({
  body: { tenantId, webhookId: d.webhookId, deliveryId: d.deliveryId },
  groupId: deliveryGroupId(tenantId, d.webhookId, d.customerId),
  dedupId: `${d.webhookId}:${d.deliveryId}${dedupSuffix}`,
});

/** A delivery not done whose attempt was due this long ago has lost its message (parked in the DLQ, say). */
export const STALLED_AFTER_MS = 3_600_000;

/**
 * A parked delivery goes out again: a new 24-hour window, attempts counted afresh, at the end of
 * its customer's queue. So does a stalled one (due over an hour ago and never tried: its message
 * went to the DLQ), and asking again before the first try of a replay re-sends its message: a lost
 * message cannot strand a delivery. A duplicate message is a no-op (the worker checks the state).
 */
export async function replayDelivery(deps: WebhookDeps, queue: FifoQueue<DeliveryMessage>, p: Principal, webhookId: string, deliveryId: string) {
  await requireWebhook(deps, p, webhookId);
  const d = await deps.webhooks.delivery(p.tenantId, webhookId, deliveryId);
  if (!d) throw new NotFoundError('delivery', 'deliveryId');
  const now = deps.clock();
  const notTriedYet = d.state === 'pending' && d.attempts === 0 && d.replays > 0;
  const dueAt = Date.parse(d.nextAttemptAt ?? d.replayedAt ?? d.acceptedAt);
  const stalled = (d.state === 'pending' || d.state === 'retrying') && now.getTime() - dueAt > STALLED_AFTER_MS;
  if (d.state !== 'parked' && !notTriedYet && !stalled) {
    throw new ConflictError('delivery_not_parked', `deliveryId: only a parked delivery (or one stalled for an hour) can be replayed; this one is ${d.state}`, 'deliveryId');
  }
  const at = now.toISOString();
  const replays = notTriedYet ? d.replays : d.replays + 1;
  const windowEndsAt = new Date(now.getTime() + RETRY_WINDOW_MS).toISOString();
  const record = deps.audit.item(p, { at, action: 'webhook.replay', target: `webhook:${webhookId}`, before: { deliveryId, state: d.state }, after: { deliveryId, state: 'pending', replays } });
  if (!(await deps.webhooks.replay(p.tenantId, d, replays, at, windowEndsAt, record))) {
    throw new ConflictError('delivery_changed', 'deliveryId: the delivery changed while it was being replayed; read it again', 'deliveryId');
  }
  await queue.send([message(p.tenantId, d, `:r${replays}`)]);
  return deliveryView({ ...d, state: 'pending', attempts: 0, replays, replayedAt: at, windowEndsAt, nextAttemptAt: undefined, parkedAt: undefined });
}

/** Time-ordered (by the event's time) and the same for every redelivery of the event. */
export function deliveryIdOf(event: Pick<DomainEvent, 'id' | 'occurredAt'>): string {
  const ms = Date.parse(event.occurredAt);
  return `${String(Number.isFinite(ms) && ms > 0 ? ms : 0).padStart(13, '0')}-${createHash('sha256').update(event.id).digest('hex').slice(0, 24)}`;
}

/**
 * Takes a domain event in: one delivery per active endpoint subscribed to its type, each put on
 * the delivery queue. A redelivered event finds its deliveries taken in already and only re-sends
 * those not tried yet (their message may be what was lost); SQS drops the repeat within five
 * minutes and the worker's state check after that.
 */
export async function acceptEvent(deps: WebhookDeps, queue: FifoQueue<DeliveryMessage>, event: DomainEvent): Promise<number> {
  const endpoints = await deps.webhooks.subscribers(event.tenantId, event.type);
  if (endpoints.length === 0) return 0;
  const now = deps.clock();
  const deliveryId = deliveryIdOf(event);
  const body = JSON.stringify(event);
  const messages: Array<ReturnType<typeof message>> = [];
  for (const w of endpoints) {
    const d: DeliveryRecord = {
      deliveryId,
      webhookId: w.webhookId,
      eventId: event.id,
      eventType: event.type,
      customerId: event.customerId,
      occurredAt: event.occurredAt,
      body,
      state: 'pending',
      attempts: 0,
      replays: 0,
      acceptedAt: now.toISOString(),
      windowEndsAt: new Date(now.getTime() + RETRY_WINDOW_MS).toISOString(),
    };
    if (!(await deps.webhooks.accept(event.tenantId, d))) {
      const existing = await deps.webhooks.delivery(event.tenantId, w.webhookId, deliveryId);
      if (!existing || existing.state !== 'pending' || existing.attempts !== 0) continue;
    }
    messages.push(message(event.tenantId, d));
  }
  await queue.send(messages);
  return messages.length;
}

/** Sends one attempt: the URL, the exact body and the headers; answers how it went. */
export type WebhookSender = (url: string, body: string, headers: Record<string, string>) => Promise<AttemptOutcome>;

export type AttemptResult =
  | { readonly result: 'delivered' | 'parked' | 'skipped' }
  /** Not done: the message must come back after `delaySeconds` (and hold its group back until then). */
  | { readonly result: 'retry'; readonly delaySeconds: number };

/**
 * One attempt of one delivery, as the delivery queue's message asks. Delivered, parked and
 * unknown deliveries are done (a duplicate message is a no-op); a message that comes back before
 * its delivery is due waits again, keeping its place in the group.
 */
export async function attemptDelivery(deps: WebhookDeps, send: WebhookSender, m: DeliveryMessage, opts: { jitter?: () => number } = {}): Promise<AttemptResult> {
  const d = await deps.webhooks.delivery(m.tenantId, m.webhookId, m.deliveryId);
  if (!d || d.state === 'delivered' || d.state === 'parked') return { result: 'skipped' };
  const started = deps.clock();
  if (d.nextAttemptAt && Date.parse(d.nextAttemptAt) - started.getTime() > 1000) {
    return { result: 'retry', delaySeconds: Math.ceil((Date.parse(d.nextAttemptAt) - started.getTime()) / 1000) };
  }
  const endpoint = await deps.webhooks.get(m.tenantId, m.webhookId);
  // A deleted endpoint takes its pending deliveries with it.
  if (!endpoint) return { result: 'skipped' };
  const attempts = d.attempts + 1;
  if (!endpoint.active) {
    await deps.webhooks.recordAttempt(m.tenantId, m.webhookId, m.deliveryId, d.attempts, { state: 'parked', attempts: d.attempts, parkedAt: started.toISOString(), lastError: 'the endpoint is inactive; activate it and replay' });
    return { result: 'parked' };
  }
  const secrets = [endpoint.secret, ...(endpoint.previousSecret && endpoint.previousSecretExpiresAt && Date.parse(endpoint.previousSecretExpiresAt) > started.getTime() ? [endpoint.previousSecret] : [])];
  const outcome = await send(endpoint.url, d.body, {
    'content-type': 'application/json; charset=utf-8',
    'user-agent': 'Tally-Webhooks/1',
    [SIGNATURE_HEADER]: signatureHeader(secrets, Math.floor(started.getTime() / 1000), d.body),
    'tally-event-id': d.eventId,
    'tally-event-type': d.eventType,
    'tally-delivery-id': d.deliveryId,
    'tally-delivery-attempt': String(attempts),
    'tally-webhook-id': d.webhookId,
  });
  const now = deps.clock();
  const next = afterAttempt({ outcome, attempts, now, windowEndsAt: d.windowEndsAt, jitter: (opts.jitter ?? Math.random)() });
  const at = now.toISOString();
  const common = { attempts, lastAttemptAt: at, lastStatus: outcome.kind === 'response' ? outcome.status : undefined };
  const recorded = await deps.webhooks.recordAttempt(
    m.tenantId,
    m.webhookId,
    m.deliveryId,
    d.attempts,
    next.state === 'delivered'
      ? { ...common, state: 'delivered', deliveredAt: at }
      : next.state === 'parked'
        ? { ...common, state: 'parked', parkedAt: at, lastError: next.reason }
        : { ...common, state: 'retrying', nextAttemptAt: next.nextAttemptAt, lastError: describeOutcome(outcome) },
  );
  // Someone recorded this attempt number first (a duplicate message raced this one): theirs stands.
  if (!recorded) return { result: 'skipped' };
  if (next.state === 'delivered') count(metricNames.webhooksDelivered);
  return next.state === 'retrying' ? { result: 'retry', delaySeconds: next.delaySeconds } : { result: next.state };
}
