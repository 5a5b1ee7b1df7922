/** Staff signed in with a JWT (Cognito in AWS, the development issuer here): same roles, same tenancy. */
import { beforeAll, describe, expect, it } from 'vitest';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { handlers } from '../../local/handlers.ts';
import { signStaffToken, useDevIssuer, DEV_AUDIENCE, DEV_ISSUER } from '../../local/dev-issuer.ts';
import { invoke } from '../support/http.ts';
import { newTenant, type TestTenant } from '../integration/harness.ts';

describe('staff tokens', () => {
  let a: TestTenant;
  let b: TestTenant;
  let keys: Awaited<ReturnType<typeof useDevIssuer>>;
  let customerId: string;

  beforeAll(async () => {
    keys = await useDevIssuer(null);
    [a, b] = await Promise.all([newTenant(), newTenant()]);
    customerId = (await a.pos('POST', '/v1/customers', { name: 'Token target' })).body.customerId;
  });

  const as = (token: string, method: string, path: string, body?: unknown) => invoke(handlers, { method, path, body, headers: { authorization: `Bearer ${token}` } });

  it('gives a signed-in admin the admin routes, with the token holder as the actor', async () => {
    const token = await signStaffToken(keys, { role: 'admin', tenantId: a.tenantId, username: 'mariam' });
    expect((await as(token, 'GET', '/v1/program')).status).toBe(200);
    const adj = await as(token, 'POST', `/v1/customers/${customerId}/adjustments`, { adjustmentId: 'jwt-1', points: 10, reason: 'signed in' });
    expect(adj.body).toMatchObject({ actor: 'staff:mariam', points: 10 });
  });

  it('applies the role in the token and the tenant in the token, never another', async () => {
    const marketer = await signStaffToken(keys, { role: 'marketer', tenantId: a.tenantId, username: 'mo' });
    expect((await as(marketer, 'GET', `/v1/customers/${customerId}/export`)).status).toBe(403);
    expect((await as(marketer, 'GET', '/v1/journeys')).status).toBe(200);
    const otherTenant = await signStaffToken(keys, { role: 'admin', tenantId: b.tenantId, username: 'eve' });
    expect((await as(otherTenant, 'GET', `/v1/customers/${customerId}`)).status).toBe(404);
  });

  it('takes tokens of any app client the audience lists (the web console beside the scripts), and no other', async () => {
    const { importJWK, SignJWT: Sign } = await import('jose');
    const key = await importJWK(keys.privateJwk, 'RS256');
    const forClient = (aud: string) =>
      new Sign({ 'cognito:groups': ['admin'], 'custom:tenant': a.tenantId, 'cognito:username': 'web', token_use: 'id' })
        .setProtectedHeader({ alg: 'RS256', kid: keys.privateJwk.kid! }).setIssuer(DEV_ISSUER).setAudience(aud).setSubject('web').setIssuedAt().setExpirationTime('1h').sign(key);
    const before = process.env.STAFF_JWT_AUDIENCE;
    process.env.STAFF_JWT_AUDIENCE = `${DEV_AUDIENCE},console-client`;
    try {
      expect((await as(await forClient('console-client'), 'GET', '/v1/program')).status).toBe(200);
      expect((await as(await forClient(DEV_AUDIENCE), 'GET', '/v1/program')).status).toBe(200);
      expect((await as(await forClient('another-client'), 'GET', '/v1/program')).status).toBe(401);
    } finally {
      process.env.STAFF_JWT_AUDIENCE = before;
    }
  });

  it('refuses expired tokens, tokens from another key, and tokens without a staff role', async () => {
    const expired = await signStaffToken(keys, { role: 'admin', tenantId: a.tenantId, username: 'old', ttlSeconds: -60 });
    expect((await as(expired, 'GET', '/v1/program')).status).toBe(401);
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT({ 'cognito:groups': ['admin'], 'custom:tenant': a.tenantId })
      .setProtectedHeader({ alg: 'RS256', kid: (await exportJWK(publicKey)).kid ?? keys.publicJwk.kid! })
      .setIssuer(DEV_ISSUER)
      .setAudience(DEV_AUDIENCE)
      .setSubject('mallory')
      .setExpirationTime('1h')
      .sign(privateKey);
    expect((await as(forged, 'GET', '/v1/program')).status).toBe(401);
    const noRole = await signStaffToken(keys, { role: 'janitor', tenantId: a.tenantId, username: 'x' });
    expect((await as(noRole, 'GET', '/v1/program')).status).toBe(401);
  });

  it('refuses a token that never expires, lives longer than a day, or is an access token', async () => {
    const { importJWK } = await import('jose');
    const key = await importJWK(keys.privateJwk, 'RS256');
    const sign = (claims: Record<string, unknown>, exp: string | null) => {
      let jwt = new SignJWT({ 'cognito:groups': ['admin'], 'custom:tenant': a.tenantId, 'cognito:username': 'x', token_use: 'id', ...claims })
        .setProtectedHeader({ alg: 'RS256', kid: keys.privateJwk.kid! })
        .setIssuer(DEV_ISSUER)
        .setAudience(DEV_AUDIENCE)
        .setSubject('dev-x')
        .setIssuedAt();
      if (exp) jwt = jwt.setExpirationTime(exp);
      return jwt.sign(key);
    };
    expect((await as(await sign({}, '1h'), 'GET', '/v1/program')).status).toBe(200);
    expect((await as(await sign({}, null), 'GET', '/v1/program')).status).toBe(401);
    expect((await as(await sign({}, '30d'), 'GET', '/v1/program')).status).toBe(401);
    expect((await as(await sign({ token_use: 'access' }, '1h'), 'GET', '/v1/program')).status).toBe(401);
  });
});
