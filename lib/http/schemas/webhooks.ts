/** Webhook endpoints (group `webhooks`). */
import * as z from 'zod';
import { eventCatalog, type EventType } from '../../events/catalog.ts';

/** Event types an endpoint subscribes to: names from the event catalog (events/schemas/), each once. */
const webhookEventTypes = z
  .array(z.enum(Object.keys(eventCatalog) as [EventType, ...EventType[]]))
  .min(1)
  .max(Object.keys(eventCatalog).length)
  .refine((types) => new Set(types).size === types.length, 'must name each event type once');
/** Checked further by the address policy (lib/webhooks/address-policy.ts): https to a public host in AWS. */
const webhookUrl = z.string().trim().min(1).max(2048);
const webhookDescription = z.string().trim().max(200);

export const createWebhookBody = z.strictObject({
  url: webhookUrl,
  eventTypes: webhookEventTypes,
  description: webhookDescription.optional(),
  /** A paused endpoint takes no new deliveries (default: active). */
  active: z.boolean().default(true),
});

export const updateWebhookBody = z
  .strictObject({ url: webhookUrl.optional(), eventTypes: webhookEventTypes.optional(), description: webhookDescription.nullable().optional(), active: z.boolean().optional() })
  .refine((b) => Object.values(b).some((v) => v !== undefined), { message: 'give at least one of url, eventTypes, description, active' });

export const rotateWebhookSecretBody = z.strictObject({
  /** How long the old secret keeps signing beside the new one, so receivers can switch over (default one day, at most a week). */
  overlapSeconds: z.int().min(0).max(7 * 86_400).default(86_400),
});
