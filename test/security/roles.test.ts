/**
 * Role checks, route by route: every role calls every route, and is refused with 403 exactly
 * where the route table (lib/http/routes.ts, the one place roles are declared) says so.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { isPublicRoute, routeGroups, roles, type Role } from '#lib/http/routes.ts';
import { handlers } from '../../local/handlers.ts';
import { invoke } from '../support/http.ts';
import { newTenant, type TestTenant } from '../integration/harness.ts';

describe('roles per route', () => {
  let t: TestTenant;
  const keys = {} as Record<Role, string>;
  let customerId: string;

  beforeAll(async () => {
    t = await newTenant();
    keys.pos = t.posKey;
    for (const role of ['admin', 'marketer', 'support', 'auditor'] as const) {
      keys[role] = (await t.staff('POST', '/v1/keys', { role, name: `${role} person`, rateLimit: 1000 })).body.key;
    }
    customerId = (await t.pos('POST', '/v1/customers', { name: 'Role target' })).body.customerId;
    keys.customer = (await t.staff('POST', `/v1/customers/${customerId}/app-key`, { rateLimit: 1000 })).body.key;
  });

  it('refuses exactly the roles a route does not list, and lets the others past the role check', async () => {
    const mismatches: string[] = [];
    // Public routes (the customer page's sign-in link) take no credential: their own test below.
    for (const route of Object.values(routeGroups).flat().filter((r) => !isPublicRoute(`${r.method} ${r.path}`))) {
      const path = route.path.replace('{customerId}', customerId).replace(/\{\w+\}/g, 'missing');
      for (const role of roles) {
        // No body: allowed roles get past the role check and fail validation (400) or find nothing (404).
        const r = await invoke(handlers, { method: route.method, path, body: route.method === 'GET' ? undefined : {}, headers: { authorization: `Bearer ${keys[role]}` } });
        const allowed = (route.roles as readonly Role[]).includes(role);
        const refused = r.status === 403 && r.body?.error?.code === 'forbidden';
        if (allowed === refused) mismatches.push(`${route.method} ${route.path} as ${role}: ${r.status}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('answers a public route the same with any key or none: it reads no credential', async () => {
    const publicRoutes = Object.values(routeGroups).flat().filter((r) => isPublicRoute(`${r.method} ${r.path}`));
    expect(publicRoutes.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /v1/links', 'POST /v1/links/exchange']);
    for (const r of publicRoutes) {
      const none = await invoke(handlers, { method: r.method, path: r.path, body: {} });
      expect(none.status, r.path).toBe(400);
      for (const role of roles) {
        const withKey = await invoke(handlers, { method: r.method, path: r.path, body: {}, headers: { authorization: `Bearer ${keys[role]}` } });
        expect(withKey.raw, `${r.path} as ${role}`).toBe(none.raw);
      }
    }
  });

  it('gives a customer app key its own customer only', async () => {
    const me = (method: string, path: string, body?: unknown) => invoke(handlers, { method, path, body, headers: { authorization: `Bearer ${keys.customer}` } });
    expect((await me('GET', '/v1/me')).body.customerId).toBe(customerId);
    expect((await me('GET', '/v1/me/ledger')).body.customerId).toBe(customerId);
    expect((await me('PUT', '/v1/me/devices', { devices: [{ token: 'fcm-0123456789abcdef', platform: 'GCM' }] })).status).toBe(200);
    // Every route that names a customer is closed to it, its own id included.
    expect((await me('GET', `/v1/customers/${customerId}`)).status).toBe(403);
    expect((await me('POST', '/v1/identify', { customer: { customerId } })).status).toBe(403);
  });

  it('lets support adjust points only within the program limit, naming the limit', async () => {
    const support = (body: unknown) => invoke(handlers, { method: 'POST', path: `/v1/customers/${customerId}/adjustments`, body, headers: { authorization: `Bearer ${keys.support}` } });
    expect((await support({ adjustmentId: 'small', points: 1000, reason: 'goodwill' })).status).toBe(200);
    const big = await support({ adjustmentId: 'big', points: -1001, reason: 'too much' });
    expect(big.status).toBe(403);
    expect(big.body.error).toMatchObject({ code: 'over_limit', field: 'points', message: expect.stringContaining('1000') });
  });

  it('keeps personal-data export from marketers and erasure for admins', async () => {
    const as = (role: Role, method: string, path: string, body?: unknown) => invoke(handlers, { method, path, body, headers: { authorization: `Bearer ${keys[role]}` } });
    expect((await as('marketer', 'GET', `/v1/customers/${customerId}/export`)).status).toBe(403);
    expect((await as('support', 'POST', `/v1/customers/${customerId}/erase`, { reason: 'not mine' })).status).toBe(403);
    expect((await as('auditor', 'GET', '/v1/audit')).status).toBe(200);
    expect((await as('auditor', 'POST', '/v1/program', {})).status).toBe(403);
  });
});
