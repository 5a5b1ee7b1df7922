/**
 * Who is calling. A Lambda authorizer resolves the bearer key once (API Gateway caches the
 * answer briefly) and hands tenant, store, role and key id to the route's function in the
 * request context; the local gateway runs the same authorizer. Route functions read the
 * principal from that context only — never from the body, never from the key directly.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Principal, Role } from '../storage/api-keys.ts';
import { HttpError } from './errors.ts';
import { defaultRateLimits } from './rate-limit.ts';

/** What the authorizer passes on; string values only (API Gateway's rule for context). */
export interface AuthorizerContext {
  readonly tenantId?: string;
  readonly storeId?: string;
  readonly role?: string;
  readonly actor?: string;
  readonly keyId?: string;
  readonly customerId?: string;
  /** The store's tags as JSON (context values must be strings; at most 20 short tags). */
  readonly storeTags?: string;
  /** Requests per second for this key (numbers travel as strings in the context). */
  readonly rateLimit?: string;
  /** Set instead of the above when the key is malformed or not valid. */
  readonly error?: 'malformed' | 'invalid';
}

const challenge = { 'www-authenticate': 'Bearer' };

export function principalFromEvent(event: APIGatewayProxyEventV2): Principal {
  const ctx = (event.requestContext as { authorizer?: { lambda?: AuthorizerContext } }).authorizer?.lambda;
  if (!ctx || ctx.error === 'malformed') {
    throw new HttpError(401, 'unauthorized', 'authorization: a "Bearer <key>" header is required', 'authorization', challenge);
  }
  if (ctx.error || !ctx.tenantId || !ctx.role || !ctx.actor || !ctx.keyId) {
    throw new HttpError(401, 'unauthorized', 'authorization: the key is not valid', 'authorization', challenge);
  }
  return { tenantId: ctx.tenantId, storeId: ctx.storeId, ...(ctx.storeTags ? { storeTags: storeTagsOf(ctx.storeTags) } : {}), role: ctx.role as Role, actor: ctx.actor, keyId: ctx.keyId, ...(ctx.customerId ? { customerId: ctx.customerId } : {}), rateLimit: Number(ctx.rateLimit) || defaultRateLimits[ctx.role as Role] };
}

/** Tags the authorizer wrote; anything but a flat map of strings is ignored rather than trusted. */
function storeTagsOf(json: string): Record<string, string> | undefined {
  try {
    const v = JSON.parse(json) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string')) return v as Record<string, string>;
  } catch {
    // not ours
  }
  return undefined;
}
