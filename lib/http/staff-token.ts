/**
 * Staff sign in with an identity provider and call the API with its JWT (an ID token): in AWS a
 * Cognito user pool, whose groups are the staff roles and whose `custom:tenant` attribute is the
 * tenant; locally a development issuer whose tokens `npm run token -- --role admin` prints. The
 * same Lambda authorizer that checks API keys verifies these (signature against the issuer's
 * JWKS, issuer, audience, expiry), so a route sees one kind of principal either way.
 */
import { createLocalJWKSet, createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { staffRoles, type Role } from './routes.ts';
import type { Principal } from '../storage/api-keys.ts';

export const STAFF_JWT_ENV = { issuer: 'STAFF_JWT_ISSUER', audience: 'STAFF_JWT_AUDIENCE', jwksUrl: 'STAFF_JWKS_URL', jwks: 'STAFF_JWKS' } as const;

/** A JWT is three base64url parts; API keys start with `tly_`. */
export const looksLikeJwt = (credential: string): boolean => /^[\w-]+\.[\w-]+\.[\w-]+$/.test(credential);

let keys: { source: string; get: JWTVerifyGetKey } | undefined;

function keySet(): JWTVerifyGetKey | null {
  const inline = process.env[STAFF_JWT_ENV.jwks];
  const url = process.env[STAFF_JWT_ENV.jwksUrl];
  const source = inline ?? url;
  if (!source) return null;
  if (keys?.source !== source) {
    keys = { source, get: inline ? createLocalJWKSet(JSON.parse(inline)) : createRemoteJWKSet(new URL(url!), { cacheMaxAge: 10 * 60_000 }) };
  }
  return keys.get;
}

/**
 * The longest a staff token may live. Cognito's ID tokens last 1 hour by default (at most 1 day);
 * the development issuer's 12 hours fit under it. A token without `exp` never ends: refused.
 */
export const MAX_STAFF_TOKEN_SECONDS = 24 * 60 * 60;

/** The principal a valid staff token stands for, or null (unknown issuer, bad signature, expired, no role or tenant). */
export async function staffPrincipal(token: string): Promise<Principal | null> {
  const issuer = process.env[STAFF_JWT_ENV.issuer];
  const audience = process.env[STAFF_JWT_ENV.audience];
  const jwks = keySet();
  if (!issuer || !audience || !jwks) return null;
  try {
    // Several app clients may sign staff in (the console's and scripts'): a comma-separated list.
    const { payload } = await jwtVerify(token, jwks, { issuer, audience: audience.split(','), algorithms: ['RS256'], requiredClaims: ['exp', 'iat'], maxTokenAge: MAX_STAFF_TOKEN_SECONDS });
    // Only ID tokens carry the tenant and groups we trust; an access token is for other APIs.
    if (payload.token_use !== 'id') return null;
    if (payload.exp! - payload.iat! > MAX_STAFF_TOKEN_SECONDS) return null;
    const groups = Array.isArray(payload['cognito:groups']) ? (payload['cognito:groups'] as unknown[]) : [];
    // The most powerful group wins when someone is in several.
    const role = staffRoles.find((r) => groups.includes(r));
    const tenantId = payload['custom:tenant'];
    if (!role || typeof tenantId !== 'string' || !/^[A-Za-z0-9._:-]{1,64}$/.test(tenantId) || !payload.sub) return null;
    const who = typeof payload['cognito:username'] === 'string' ? payload['cognito:username'] : payload.sub;
    return { tenantId, storeId: undefined, role: role as Role, actor: `staff:${who}`, keyId: `jwt:${payload.sub.slice(0, 36)}` };
  } catch {
    return null;
  }
}
