/**
 * The browser side under `npm start`: the built console and customer page (web/dist) at / beside
 * the API, with the same security headers CloudFront adds in AWS, and a stand-in for Cognito's
 * hosted sign-in backed by the development issuer — an authorization-code + PKCE flow, so the
 * console signs in locally exactly as it does in AWS. Local only: anyone who can reach
 * 127.0.0.1 may pick any role here, as anyone with the state directory can with `npm run token`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { staffRoles } from '../lib/http/routes.ts';
import { contentSecurityPolicy } from '../web/csp.ts';
import { DEV_AUDIENCE, signStaffToken, type useDevIssuer } from './dev-issuer.ts';

type IssuerKeys = Awaited<ReturnType<typeof useDevIssuer>>;

export const LOCAL_SIGN_IN = { authorize: '/_local/oauth2/authorize', token: '/_local/oauth2/token' } as const;

const types: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.json': 'application/json; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png' };

export const securityHeaders = (): Record<string, string> => ({
  'content-security-policy': contentSecurityPolicy(),
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
});

/** Serves web/dist (GET and HEAD outside /v1 and /_local); false when it is not such a request. */
export function staticSite(dir: string) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://local').pathname);
    if (path.startsWith('/v1/') || path.startsWith('/_local/')) return false;
    if (path === '/config.json') {
      res.writeHead(200, { 'content-type': types['.json']!, 'cache-control': 'no-store', ...securityHeaders() });
      res.end(JSON.stringify({ authorizeUrl: LOCAL_SIGN_IN.authorize, tokenUrl: LOCAL_SIGN_IN.token, clientId: DEV_AUDIENCE }));
      return true;
    }
    const file = normalize(join(dir, path === '/' ? 'index.html' : path));
    if (!file.startsWith(normalize(dir) + sep) || !existsSync(file) || !statSync(file).isFile()) {
      const built = existsSync(join(dir, 'index.html'));
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', ...securityHeaders() });
      res.end(built ? `not found: ${path}` : 'the console is not built: npm run web:build');
      return true;
    }
    // Hashed assets never change; the two pages and config must be fetched fresh to pick up a build.
    const cache = path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
    res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream', 'cache-control': cache, ...securityHeaders() });
    res.end(req.method === 'HEAD' ? undefined : readFileSync(file));
    return true;
  };
}

interface Grant {
  readonly role: string;
  readonly tenantId: string;
  readonly username: string;
  readonly challenge: string;
  readonly redirectUri: string;
  readonly expires: number;
}

const b64url = (b: Buffer) => b.toString('base64url');
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

async function form(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > 16 * 1024) throw new Error('form too large');
    chunks.push(c as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** `/_local/oauth2/authorize` (a form: role, tenant, name) and `/_local/oauth2/token` (code + PKCE verifier → ID token). */
export function devSignIn(keys: IssuerKeys) {
  const grants = new Map<string, Grant>();
  const fail = (res: ServerResponse, status: number, error: string, description: string) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    res.end(JSON.stringify({ error, error_description: description }));
    return true;
  };
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? '/', 'http://local');
    const sameOrigin = (uri: string | null) => !!uri && uri.startsWith(`http://${req.headers.host}/`);
    if (url.pathname === LOCAL_SIGN_IN.authorize && req.method === 'GET') {
      const q = url.searchParams;
      if (q.get('client_id') !== DEV_AUDIENCE || q.get('response_type') !== 'code' || q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge') || !sameOrigin(q.get('redirect_uri'))) {
        return fail(res, 400, 'invalid_request', `client_id must be ${DEV_AUDIENCE}, response_type code, PKCE with S256, and redirect_uri on this origin`);
      }
      const hidden = ['redirect_uri', 'state', 'code_challenge'].map((k) => `<input type="hidden" name="${k}" value="${esc(q.get(k) ?? '')}">`).join('');
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...securityHeaders() });
      res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,"><title>Sign in (local development issuer)</title></head>
<body><main><h1>Sign in</h1><p>Local development issuer: pick the role to sign in as (in AWS this is Cognito's hosted sign-in).</p>
<form method="post" action="${LOCAL_SIGN_IN.authorize}">${hidden}
<p><label for="role">Role</label> <select id="role" name="role">${staffRoles.map((r) => `<option>${r}</option>`).join('')}</select></p>
<p><label for="tenant">Tenant</label> <input id="tenant" name="tenant" value="demo" required></p>
<p><label for="username">Your name</label> <input id="username" name="username" value="dev" required></p>
<p><button type="submit">Sign in</button></p></form></main></body></html>`);
      return true;
    }
    if (url.pathname === LOCAL_SIGN_IN.authorize && req.method === 'POST') {
      const f = await form(req);
      const role = f.get('role') ?? '';
      const tenantId = f.get('tenant') ?? '';
      const redirectUri = f.get('redirect_uri');
      if (!(staffRoles as readonly string[]).includes(role) || !/^[A-Za-z0-9._:-]{1,64}$/.test(tenantId) || !sameOrigin(redirectUri) || !f.get('code_challenge')) {
        return fail(res, 400, 'invalid_request', 'role must be a staff role, tenant an id, and redirect_uri on this origin');
      }
      const code = b64url(randomBytes(24));
      grants.set(code, { role, tenantId, username: (f.get('username') || 'dev').slice(0, 64), challenge: f.get('code_challenge')!, redirectUri: redirectUri!, expires: Date.now() + 60_000 });
      const back = new URL(redirectUri!);
      back.searchParams.set('code', code);
      if (f.get('state')) back.searchParams.set('state', f.get('state')!);
      res.writeHead(302, { location: back.toString(), 'cache-control': 'no-store' });
      res.end();
      return true;
    }
    if (url.pathname === LOCAL_SIGN_IN.token && req.method === 'POST') {
      const f = await form(req);
      const code = f.get('code') ?? '';
      const grant = grants.get(code);
      grants.delete(code);
      if (f.get('grant_type') !== 'authorization_code' || f.get('client_id') !== DEV_AUDIENCE || !grant || grant.expires < Date.now() || grant.redirectUri !== f.get('redirect_uri')) {
        return fail(res, 400, 'invalid_grant', 'unknown, used or expired code, or another redirect_uri');
      }
      if (b64url(createHash('sha256').update(f.get('code_verifier') ?? '').digest()) !== grant.challenge) return fail(res, 400, 'invalid_grant', 'code_verifier does not match the challenge');
      const ttlSeconds = 3600;
      const idToken = await signStaffToken(keys, { role: grant.role, tenantId: grant.tenantId, username: grant.username, ttlSeconds });
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      res.end(JSON.stringify({ id_token: idToken, token_type: 'Bearer', expires_in: ttlSeconds }));
      return true;
    }
    return false;
  };
}
