/** One-time customer page links (group `links`): staff send one; the customer asks and exchanges one on public routes (no credential). */
import * as z from '#domain/zod-mini.ts';
import { id } from '../schemas.ts';

/** The customer asks by phone; the tenant is the chain whose page they are on (the answer never says whether a member was found). */
export const linkRequestBody = z.strictObject({ tenantId: id, phone: z.string().check(z.minLength(1), z.maxLength(64)) });
export const linkExchangeBody = z.strictObject({ token: z.string().check(z.regex(/^lnk_[A-Za-z0-9_-]{43}$/, 'must be the token of a link Tally sent (lnk_ and 43 characters)')) });

/** One-time customer page links: staff choose the channel (default: SMS if the customer has a number, else e-mail). */
export const sendLinkBody = z.strictObject({ channel: z.optional(z.enum(['sms', 'email'])) });
