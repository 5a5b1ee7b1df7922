/**
 * Per-key throttling. HTTP APIs have no usage plans, so the authorizer passes each key's limit in
 * its context and the route function keeps a token bucket per key (a burst of one second's worth,
 * refilled continuously). The buckets live in the function instance: with N warm instances a key
 * gets at most N times its limit, and the stage's route throttling caps the total. A refusal is a
 * 429 that names the limit, with `retry-after`.
 */
import type { Role } from './routes.ts';
import { HttpError } from './http-error.ts';

/**
 * Requests per second a key may make unless it was given its own limit. A page opens with its reads
 * at once: the customer's four (profile, ledger, coupons, stamp cards), so 6 a second; the console's
 * Reports page eleven (six months of points, sales, members, liability, products, campaigns), so
 * every staff role 20.
 */
export const defaultRateLimits: Record<Role, number> = { pos: 20, admin: 20, marketer: 20, support: 20, auditor: 20, customer: 6 };

const buckets = new Map<string, { tokens: number; at: number }>();

export function takeToken(keyId: string, perSecond: number, now = Date.now(), who = 'this key'): void {
  const b = buckets.get(keyId) ?? { tokens: perSecond, at: now };
  const tokens = Math.min(perSecond, b.tokens + ((now - b.at) / 1000) * perSecond);
  if (tokens < 1) {
    buckets.set(keyId, { tokens, at: now });
    const wait = Math.max(1, Math.ceil((1 - tokens) / perSecond));
    throw new HttpError(429, 'rate_limited', `authorization: ${who} may make at most ${perSecond} requests per second; retry after ${wait} s`, 'authorization', {
      'retry-after': String(wait),
    });
  }
  buckets.set(keyId, { tokens: tokens - 1, at: now });
  if (buckets.size > 50_000) buckets.clear();
}
