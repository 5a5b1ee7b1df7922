/**
 * The local browser side (local/web.ts): the built pages with their security headers, nothing
 * outside the build folder, and the development sign-in's code + PKCE flow refusing what Cognito
 * would refuse (a wrong verifier, a reused code, a callback on another origin).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_AUDIENCE, useDevIssuer } from '../../local/dev-issuer.ts';
import { devSignIn, LOCAL_SIGN_IN, staticSite } from '../../local/web.ts';
import { contentSecurityPolicy } from '../../web/csp.ts';

describe('local console serving and development sign-in', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tally-web-local-'));
  let server: Server;
  let base = '';

  beforeAll(async () => {
    mkdirSync(join(dir, 'site', 'assets'), { recursive: true });
    writeFileSync(join(dir, 'site', 'index.html'), '<!doctype html><title>console</title>');
    writeFileSync(join(dir, 'site', 'assets', 'console-ABC.js'), 'export {}');
    writeFileSync(join(dir, 'secret.txt'), 'outside the site');
    const keys = await useDevIssuer(null);
    const site = staticSite(join(dir, 'site'));
    const signIn = devSignIn(keys);
    server = createServer((req, res) => {
      void (async () => (await signIn(req, res)) || (await site(req, res)) || (res.writeHead(404), res.end()))();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the pages with the CSP, caches only hashed assets for long, and nothing outside the build', async () => {
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toBe(contentSecurityPolicy());
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const asset = await fetch(`${base}/assets/console-ABC.js`);
    expect(asset.headers.get('content-type')).toContain('text/javascript');
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect(await (await fetch(`${base}/config.json`)).json()).toEqual({ authorizeUrl: LOCAL_SIGN_IN.authorize, tokenUrl: LOCAL_SIGN_IN.token, clientId: DEV_AUDIENCE });
    // Sent as written (fetch would normalise the dots away): an encoded slash must not climb out either.
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/assets/..%2f..%2fsecret.txt']) {
      const body = await new Promise<string>((resolve, reject) =>
        get({ host: '127.0.0.1', port: new URL(base).port, path }, (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => resolve(`${res.statusCode} ${text}`));
        }).on('error', reject),
      );
      expect(body, path).not.toContain('outside the site');
      expect(body.startsWith('404'), path).toBe(true);
    }
  });

  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const authorize = async (redirectUri: string, role = 'support') => {
    const form = new URLSearchParams({ role, tenant: 'demo', username: 'mia', redirect_uri: redirectUri, state: 's1', code_challenge: challenge });
    return fetch(`${base}${LOCAL_SIGN_IN.authorize}`, { method: 'POST', body: form, redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  };
  const token = (code: string, codeVerifier: string, redirectUri = `${base}/`) =>
    fetch(`${base}${LOCAL_SIGN_IN.token}`, { method: 'POST', body: new URLSearchParams({ grant_type: 'authorization_code', client_id: DEV_AUDIENCE, code, code_verifier: codeVerifier, redirect_uri: redirectUri }) });

  it('shows a labelled sign-in form, then exchanges the code once, for the PKCE verifier only, for an ID token of the chosen role', async () => {
    const q = new URLSearchParams({ response_type: 'code', client_id: DEV_AUDIENCE, redirect_uri: `${base}/`, state: 's1', code_challenge: challenge, code_challenge_method: 'S256' });
    const form = await (await fetch(`${base}${LOCAL_SIGN_IN.authorize}?${q}`)).text();
    expect(form).toContain('<label for="role">');

    const back = new URL((await authorize(`${base}/`)).headers.get('location')!);
    expect(back.searchParams.get('state')).toBe('s1');
    const code = back.searchParams.get('code')!;
    expect((await token(code, 'not-the-verifier')).status).toBe(400);
    // A failed exchange burns the code, as a used one is burnt.
    expect((await token(code, verifier)).status).toBe(400);

    const code2 = new URL((await authorize(`${base}/`)).headers.get('location')!).searchParams.get('code')!;
    const ok = await token(code2, verifier);
    expect(ok.status).toBe(200);
    const claims = decodeJwt(((await ok.json()) as { id_token: string }).id_token);
    expect(claims).toMatchObject({ 'cognito:groups': ['support'], 'custom:tenant': 'demo', 'cognito:username': 'mia', aud: DEV_AUDIENCE, token_use: 'id' });
    expect((await token(code2, verifier)).status).toBe(400);
  });

  it('refuses a callback on another origin and a role that is not a staff role', async () => {
    expect((await authorize('https://evil.example/')).status).toBe(400);
    expect((await authorize(`${base}/`, 'customer')).status).toBe(400);
    const q = new URLSearchParams({ response_type: 'token', client_id: DEV_AUDIENCE, redirect_uri: `${base}/`, code_challenge: challenge, code_challenge_method: 'S256' });
    expect((await fetch(`${base}${LOCAL_SIGN_IN.authorize}?${q}`)).status).toBe(400);
  });
});
