/**
 * The webhook endpoints API through the real handlers on DynamoDB Local: secrets shown once,
 * validation that names the field, the per-tenant maximum, roles, and an audit record in the
 * same transaction as every change (with no secret in it).
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WEBHOOK_ENV } from '#lib/config.ts';
import { MAX_WEBHOOKS_PER_TENANT } from '#lib/app/webhooks.ts';
import { handlers } from '../../local/handlers.ts';
import { invoke } from '../support/http.ts';
import { assertMatchesOpenApi } from '../support/openapi.ts';
import { newTenant, type TestTenant } from './harness.ts';

let t: TestTenant;
let auditor: (method: string, path: string, body?: unknown) => Promise<Awaited<ReturnType<typeof invoke>>>;

beforeAll(async () => {
  t = await newTenant();
  const key = (await t.staff('POST', '/v1/keys', { role: 'auditor', name: 'inspector', rateLimit: 1000 })).body.key as string;
  auditor = async (method, path, body) => {
    const r = await invoke(handlers, { method, path, body, headers: { authorization: `Bearer ${key}` } });
    assertMatchesOpenApi(r.routeKey, r.status, r.body);
    return r;
  };
});
afterEach(() => {
  delete process.env[WEBHOOK_ENV.allowPrivateUrls];
});

const endpoint = { url: 'https://hooks.example.com/tally', eventTypes: ['receipt.committed', 'points.earned'], description: 'ERP' };

describe('webhook endpoints API', () => {
  it('creates an endpoint and shows its secret only in that answer', async () => {
    const created = await t.staff('POST', '/v1/webhooks', endpoint);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ ...endpoint, active: true, createdBy: 'staff:anna', secretRotatedAt: null, previousSecretExpiresAt: null, secret: expect.stringMatching(/^whsec_/) });
    const id = created.body.webhookId as string;
    const read = await t.staff('GET', `/v1/webhooks/${id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(Object.fromEntries(Object.entries(created.body).filter(([k]) => k !== 'secret')));
    expect(read.raw).not.toContain(created.body.secret);
    expect((await t.staff('GET', '/v1/webhooks')).raw).not.toContain('whsec_');
    expect((await auditor('GET', `/v1/webhooks/${id}`)).status).toBe(200);
    expect((await t.staff('DELETE', `/v1/webhooks/${id}`)).status).toBe(200);
  });

  it('refuses bad input with a 400 that names the field and the rule, and writes nothing', async () => {
    const before = await t.items();
    const refuse = async (body: unknown, field: string, message: RegExp) => {
      const r = await t.staff('POST', '/v1/webhooks', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error).toMatchObject({ field, message: expect.stringMatching(message) });
    };
    await refuse({ ...endpoint, eventTypes: ['receipt.committed', 'points.teleported'] }, 'eventTypes.1', /^eventTypes\.1: .*receipt\.committed/);
    await refuse({ ...endpoint, eventTypes: ['points.earned', 'points.earned'] }, 'eventTypes', /each event type once/);
    await refuse({ ...endpoint, eventTypes: [] }, 'eventTypes', /eventTypes/);
    await refuse({ ...endpoint, url: 'http://hooks.example.com/' }, 'url', /^url: must be an https URL$/);
    await refuse({ ...endpoint, url: 'https://10.0.0.8/hook' }, 'url', /^url: must reach a public address; 10\.0\.0\.8 is private$/);
    await refuse({ ...endpoint, url: 'https://169.254.169.254/latest' }, 'url', /cloud metadata/);
    await refuse({ ...endpoint, url: 'https://[::ffff:127.0.0.1]/' }, 'url', /IPv4-mapped loopback/);
    await refuse({ ...endpoint, url: 'https://localhost/' }, 'url', /internal name/);
    await refuse({ ...endpoint, url: 'https://user:pw@hooks.example.com/' }, 'url', /user name or password/);
    await refuse({ ...endpoint, url: `https://hooks.example.com/${'x'.repeat(2048)}` }, 'url', /2048/);
    await refuse({ ...endpoint, secret: 'mine' }, 'secret', /not a known field/);
    await refuse({ eventTypes: endpoint.eventTypes }, 'url', /url/);
    expect(await t.items()).toEqual(before);
  });

  it('allows a local http URL only where the local runtime allows private targets', async () => {
    const local = { url: 'http://127.0.0.1:9999/hook', eventTypes: ['points.earned'] };
    expect((await t.staff('POST', '/v1/webhooks', local)).status).toBe(400);
    process.env[WEBHOOK_ENV.allowPrivateUrls] = '1';
    const r = await t.staff('POST', '/v1/webhooks', local);
    expect(r.status).toBe(201);
    await t.staff('DELETE', `/v1/webhooks/${r.body.webhookId}`);
  });

  it('keeps a tenant to its maximum of endpoints, naming the limit, and frees a place on delete', async () => {
    const other = await newTenant();
    const ids: string[] = [];
    for (let i = 0; i < MAX_WEBHOOKS_PER_TENANT; i++) {
      const r = await other.staff('POST', '/v1/webhooks', { ...endpoint, url: `https://hooks.example.com/${i}` });
      expect(r.status).toBe(201);
      ids.push(r.body.webhookId);
    }
    const over = await other.staff('POST', '/v1/webhooks', endpoint);
    expect(over.status).toBe(422);
    expect(over.body.error).toMatchObject({ code: 'limit_exceeded', message: expect.stringMatching(/^webhooks\.perTenant: a tenant may have at most 10 webhook endpoints/) });
    // Pages of three, in a stable order, covering all ten once.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await other.staff('GET', `/v1/webhooks?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.body.webhooks.length).toBeLessThanOrEqual(3);
      seen.push(...page.body.webhooks.map((w: { webhookId: string }) => w.webhookId));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual([...ids].sort());
    expect((await other.staff('GET', '/v1/webhooks?cursor=bm9wZQ')).body.error).toMatchObject({ field: 'cursor' });
    expect((await other.staff('DELETE', `/v1/webhooks/${ids[0]}`)).status).toBe(200);
    expect((await other.staff('POST', '/v1/webhooks', endpoint)).status).toBe(201);
  });

  it('changes, pauses, rotates the secret of and deletes an endpoint, each audited without any secret', async () => {
    const created = (await t.staff('POST', '/v1/webhooks', endpoint)).body;
    const id = created.webhookId as string;
    const patched = await t.staff('PATCH', `/v1/webhooks/${id}`, { eventTypes: ['tier.changed'], active: false, description: null });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ eventTypes: ['tier.changed'], active: false, description: null, url: endpoint.url });
    expect((await t.staff('PATCH', `/v1/webhooks/${id}`, {})).body.error).toMatchObject({ code: 'invalid_request', message: expect.stringContaining('at least one of url') });
    expect((await t.staff('PATCH', `/v1/webhooks/${id}`, { url: 'https://127.0.0.1/' })).body.error).toMatchObject({ field: 'url' });
    expect((await t.staff('PATCH', '/v1/webhooks/wh-missing', { active: true })).status).toBe(404);

    const rotated = await t.staff('POST', `/v1/webhooks/${id}/rotate-secret`, { overlapSeconds: 3600 });
    expect(rotated.status).toBe(201);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(created.secret);
    expect(Date.parse(rotated.body.previousSecretExpiresAt) - Date.parse(rotated.body.secretRotatedAt)).toBe(3_600_000);
    expect((await t.staff('POST', `/v1/webhooks/${id}/rotate-secret`)).status).toBe(201);
    expect((await t.staff('POST', `/v1/webhooks/${id}/rotate-secret`, { overlapSeconds: 8 * 86_400 })).body.error).toMatchObject({ field: 'overlapSeconds' });

    const deleted = await t.staff('DELETE', `/v1/webhooks/${id}`);
    expect(deleted.body).toMatchObject({ webhookId: id, deletedAt: expect.any(String) });
    expect((await t.staff('GET', `/v1/webhooks/${id}`)).status).toBe(404);
    expect((await t.staff('DELETE', `/v1/webhooks/${id}`)).status).toBe(404);

    const audit = (await t.staff('GET', '/v1/audit?limit=200')).body.records.filter((r: { target: string }) => r.target === `webhook:${id}`);
    expect(audit.map((r: { action: string }) => r.action)).toEqual(['webhook.delete', 'webhook.rotate-secret', 'webhook.rotate-secret', 'webhook.update', 'webhook.create']);
    expect(audit.find((r: { action: string }) => r.action === 'webhook.update')).toMatchObject({ before: { active: true, eventTypes: endpoint.eventTypes }, after: { active: false, eventTypes: ['tier.changed'] } });
    expect(JSON.stringify(audit)).not.toContain('whsec_');
  });

  it('gives the auditor reads only, and an unknown endpoint or delivery 404', async () => {
    const id = (await t.staff('POST', '/v1/webhooks', endpoint)).body.webhookId as string;
    expect((await auditor('GET', '/v1/webhooks')).status).toBe(200);
    expect((await auditor('GET', `/v1/webhooks/${id}/deliveries`)).body).toEqual({ webhookId: id, deliveries: [], nextCursor: null });
    for (const [method, path, body] of [
      ['POST', '/v1/webhooks', endpoint],
      ['PATCH', `/v1/webhooks/${id}`, { active: false }],
      ['DELETE', `/v1/webhooks/${id}`, undefined],
      ['POST', `/v1/webhooks/${id}/rotate-secret`, undefined],
      ['POST', `/v1/webhooks/${id}/deliveries/0000000000000-000000000000000000000000/replay`, undefined],
    ] as const) {
      expect((await auditor(method, path, body)).status, `${method} ${path}`).toBe(403);
    }
    expect((await t.staff('GET', '/v1/webhooks/wh-nope/deliveries')).status).toBe(404);
    expect((await t.staff('POST', `/v1/webhooks/${id}/deliveries/0000000000000-000000000000000000000000/replay`)).body.error).toMatchObject({ code: 'not_found', field: 'deliveryId' });
    expect((await t.staff('GET', `/v1/webhooks/${id}/deliveries?cursor=eyJzayI6IldFQkhPT0sjeCJ9`)).body.error).toMatchObject({ field: 'cursor' });
  });
});
