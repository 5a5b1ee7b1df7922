/** Webhook endpoints (group `webhooks`). */
import * as z from '#domain/zod-mini.ts';
import { eventTypes } from '../../events/catalog.ts';

/** Event types an endpoint subscribes to: names from the event catalog (events/schemas/), each once. */
const webhookEventTypes = z
  .array(z.enum(eventTypes))
  .check(z.minLength(1), z.maxLength(eventTypes.length), z.refine((types) => new Set(types).size === types.length, 'must name each event type once'));
/** Checked further by the address policy (lib/webhooks/address-policy.ts): https to a public host in AWS. */
const webhookUrl = z.string().check(z.trim(), z.minLength(1), z.maxLength(2048));
const webhookDescription = z.string().check(z.trim(), z.maxLength(200));

export const createWebhookBody = z.strictObject({
  url: webhookUrl,
  eventTypes: webhookEventTypes,
  description: z.optional(webhookDescription),
  /** A paused endpoint takes no new deliveries (default: active). */
  active: z._default(z.boolean(), true),
});

export const updateWebhookBody = z
  .strictObject({ url: z.optional(webhookUrl), eventTypes: z.optional(webhookEventTypes), description: z.optional(z.nullable(webhookDescription)), active: z.optional(z.boolean()) })
  .check(z.refine((b) => Object.values(b).some((v) => v !== undefined), { message: 'give at least one of url, eventTypes, description, active' }));

export const rotateWebhookSecretBody = z.strictObject({
  /** How long the old secret keeps signing beside the new one, so receivers can switch over (default one day, at most a week). */
  overlapSeconds: z._default(z.int().check(z.gte(0), z.lte(7 * 86_400)), 86_400),
});
