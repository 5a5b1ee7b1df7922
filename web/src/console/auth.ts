/**
 * Staff sign-in: OAuth 2.0 authorization code with PKCE against the sign-in service named in
 * /config.json — Cognito's hosted sign-in in AWS, the local development issuer under `npm start`.
 * The console keeps the ID token in sessionStorage (gone when the tab closes) and sends it as
 * the bearer credential; the API's authorizer verifies it. The claims read here only decide
 * what to show: every call is still checked by the API.
 */
import { staffRoles } from '../../../lib/http/routes.ts';

export type StaffRole = (typeof staffRoles)[number];

export interface SignInConfig {
  readonly authorizeUrl: string;
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly logoutUrl?: string;
}

export interface Session {
  readonly token: string;
  readonly role: StaffRole;
  readonly tenant: string;
  readonly user: string;
  readonly expiresAt: number;
}

const TOKEN = 'tally.idToken';
const PKCE = 'tally.pkce';
const redirectUri = () => `${location.origin}/`;

const b64url = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const random = (n: number) => b64url(crypto.getRandomValues(new Uint8Array(n)));

export async function loadConfig(): Promise<SignInConfig> {
  const r = await fetch('/config.json', { cache: 'no-store' });
  if (!r.ok) throw new Error(`/config.json: ${r.status}`);
  return (await r.json()) as SignInConfig;
}

export async function startSignIn(cfg: SignInConfig): Promise<void> {
  const verifier = random(32);
  const state = random(16);
  const challenge = b64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
  sessionStorage.setItem(PKCE, JSON.stringify({ verifier, state, back: location.hash }));
  const q = new URLSearchParams({ response_type: 'code', client_id: cfg.clientId, redirect_uri: redirectUri(), scope: 'openid email profile', state, code_challenge: challenge, code_challenge_method: 'S256' });
  location.assign(`${cfg.authorizeUrl}?${q}`);
}

/** On the way back from sign-in (`?code=&state=`): exchanges the code for the ID token. */
export async function finishSignIn(cfg: SignInConfig): Promise<Session | null> {
  const q = new URLSearchParams(location.search);
  const code = q.get('code');
  if (!code) return null;
  const saved = JSON.parse(sessionStorage.getItem(PKCE) ?? 'null') as { verifier: string; state: string; back: string } | null;
  sessionStorage.removeItem(PKCE);
  history.replaceState(null, '', `/${saved?.back ?? ''}`);
  if (!saved || q.get('state') !== saved.state) throw new Error('The sign-in answer does not match the request made from this tab; sign in again.');
  const r = await fetch(cfg.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', client_id: cfg.clientId, code, code_verifier: saved.verifier, redirect_uri: redirectUri() }),
  });
  if (!r.ok) throw new Error(`sign-in refused the code (${r.status})`);
  const { id_token } = (await r.json()) as { id_token?: string };
  if (!id_token) throw new Error('sign-in returned no ID token');
  sessionStorage.setItem(TOKEN, id_token);
  return currentSession();
}

export function currentSession(): Session | null {
  const token = sessionStorage.getItem(TOKEN);
  if (!token) return null;
  try {
    const claims = JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as Record<string, unknown>;
    const groups = Array.isArray(claims['cognito:groups']) ? (claims['cognito:groups'] as string[]) : [];
    // The same choice the authorizer makes: the most powerful group wins.
    const role = staffRoles.find((r) => groups.includes(r));
    const expiresAt = Number(claims.exp) * 1000;
    if (!role || !(expiresAt > Date.now())) return null;
    return { token, role, tenant: String(claims['custom:tenant'] ?? ''), user: String(claims['cognito:username'] ?? claims.email ?? claims.sub), expiresAt };
  } catch {
    return null;
  }
}

export function signOut(cfg: SignInConfig | null): void {
  sessionStorage.removeItem(TOKEN);
  if (cfg?.logoutUrl) location.assign(`${cfg.logoutUrl}?${new URLSearchParams({ client_id: cfg.clientId, logout_uri: redirectUri() })}`);
  else location.assign('/');
}
