/**
 * The local stand-in for the staff identity provider (Cognito in AWS): an RS256 key pair kept in
 * the state directory, whose public half the authorizer trusts through the same environment
 * variables the stack sets for Cognito. `npm run token -- --role admin` signs with it.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import { STAFF_JWT_ENV } from '../lib/http/staff-token.ts';

export const DEV_ISSUER = 'https://issuer.tally.local';
export const DEV_AUDIENCE = 'tally-local';

interface IssuerKeys {
  readonly privateJwk: JWK;
  readonly publicJwk: JWK;
}

async function newKeys(): Promise<IssuerKeys> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = `dev-${Date.now().toString(36)}`;
  return { privateJwk: { ...(await exportJWK(privateKey)), kid, alg: 'RS256' }, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

/** Loads (or makes, and keeps unless in memory) the issuer's keys and points the authorizer at them. */
export async function useDevIssuer(stateDir: string | null): Promise<IssuerKeys> {
  const file = stateDir ? join(stateDir, 'staff-issuer.json') : null;
  let keys: IssuerKeys;
  if (file && existsSync(file)) keys = JSON.parse(readFileSync(file, 'utf8')) as IssuerKeys;
  else {
    keys = await newKeys();
    if (file) {
      mkdirSync(stateDir!, { recursive: true });
      writeFileSync(file, JSON.stringify(keys), { mode: 0o600 });
    }
  }
  Object.assign(process.env, {
    [STAFF_JWT_ENV.issuer]: DEV_ISSUER,
    [STAFF_JWT_ENV.audience]: DEV_AUDIENCE,
    [STAFF_JWT_ENV.jwks]: JSON.stringify({ keys: [keys.publicJwk] }),
  });
  return keys;
}

/** A token shaped like a Cognito ID token: groups are the roles, `custom:tenant` the tenant. */
export async function signStaffToken(keys: IssuerKeys, claims: { role: string; tenantId: string; username: string; ttlSeconds?: number }): Promise<string> {
  const key = await importJWK(keys.privateJwk, 'RS256');
  return new SignJWT({ 'cognito:groups': [claims.role], 'custom:tenant': claims.tenantId, 'cognito:username': claims.username, token_use: 'id' })
    .setProtectedHeader({ alg: 'RS256', kid: keys.privateJwk.kid! })
    .setIssuer(DEV_ISSUER)
    .setAudience(DEV_AUDIENCE)
    .setSubject(`dev-${claims.username}`)
    .setIssuedAt()
    .setExpirationTime(`${claims.ttlSeconds ?? 12 * 3600}s`)
    .sign(key);
}
