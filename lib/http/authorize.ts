/**
 * The authorizer's check, apart from the routes' reading of its answer (auth.ts) so that only the
 * authorizer bundle carries the JWT library: a staff JWT is verified, anything else is a key.
 */
import type { Principal } from '../storage/api-keys.ts';
import type { AuthorizerContext } from './auth.ts';
import { defaultRateLimits } from './rate-limit.ts';
import { looksLikeJwt, staffPrincipal } from './staff-token.ts';

export async function authorizeHeader(
  header: string | undefined,
  resolve: (key: string) => Promise<Principal | null>,
): Promise<AuthorizerContext> {
  const match = /^Bearer\s+(\S{1,4096})$/i.exec(header ?? '');
  if (!match) return { error: 'malformed' };
  const credential = match[1]!;
  // Staff may sign in (a JWT from the identity provider) or hold a key; tills and apps hold keys.
  const p = looksLikeJwt(credential) ? await staffPrincipal(credential) : credential.length <= 512 ? await resolve(credential) : null;
  if (!p) return { error: 'invalid' };
  return { tenantId: p.tenantId, role: p.role, actor: p.actor, keyId: p.keyId, ...(p.storeId ? { storeId: p.storeId } : {}), ...(p.storeTags ? { storeTags: JSON.stringify(p.storeTags) } : {}), ...(p.customerId ? { customerId: p.customerId } : {}), rateLimit: String(p.rateLimit ?? defaultRateLimits[p.role]) };
}

