import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { startGateway, type Gateway, type LambdaHandler } from '../../local/gateway.ts';
import { handlers } from '../integration/harness.ts';
import { newTenant } from '../integration/harness.ts';

describe('Local gateway', () => {
  let gw: Gateway;
  let seen: APIGatewayProxyEventV2 | undefined;
  const echo: LambdaHandler = async (event) => {
    seen = event;
    if (event.body === '"boom"') throw new Error('secret internal detail');
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' };
  };

  beforeAll(async () => {
    gw = await startGateway({ handlers: { pos: echo, customers: echo, programs: echo, coupons: echo, keys: echo, journeys: echo, me: echo, webhooks: echo, tenant: echo, imports: echo, catalog: echo, segments: echo, reports: echo, simulations: echo, links: echo }, quiet: true });
  });
  afterAll(async () => gw.close());

  it('should hand the handler an HTTP API v2.0 event with the route key and path parameters', async () => {
    const r = await fetch(`${gw.url}/v1/customers/c_42/ledger?limit=5&cursor=abc`, { headers: { 'X-Till': 'T-3', authorization: 'Bearer not-a-key' } });
    expect(r.status).toBe(200);
    expect(seen).toMatchObject({
      version: '2.0',
      routeKey: 'GET /v1/customers/{customerId}/ledger',
      rawPath: '/v1/customers/c_42/ledger',
      pathParameters: { customerId: 'c_42' },
      queryStringParameters: { limit: '5', cursor: 'abc' },
      headers: { 'x-till': 'T-3' },
      requestContext: { http: { method: 'GET' }, stage: '$default', authorizer: { lambda: { error: 'invalid' } } },
    });
  });

  it('should answer unknown routes, wrong methods and handler crashes in the API error shape', async () => {
    const notFound = await fetch(`${gw.url}/v2/nothing`);
    expect(notFound.status).toBe(404);
    expect(((await notFound.json()) as { error: { code: string } }).error.code).toBe('route_not_found');
    const wrong = await fetch(`${gw.url}/v1/receipts`, { method: 'DELETE' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
    const missing = await fetch(`${gw.url}/v1/receipts`, { method: 'POST', body: '{}' });
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ message: 'Unauthorized' });
    const crash = await fetch(`${gw.url}/v1/receipts`, { method: 'POST', body: '"boom"', headers: { authorization: 'Bearer x' } });
    expect(crash.status).toBe(500);
    const text = await crash.text();
    expect(JSON.parse(text).error.code).toBe('internal_error');
    expect(text).not.toContain('secret');
  });

  it('should refuse a body above API Gateway\'s 10 MB limit with 413', async () => {
    const r = await fetch(`${gw.url}/v1/receipts`, { method: 'POST', body: 'x'.repeat(10 * 1024 * 1024 + 1) });
    expect(r.status).toBe(413);
  });

  it('should serve the real handlers over HTTP', async () => {
    const real = await startGateway({ handlers, quiet: true });
    try {
      const t = await newTenant();
      const r = await fetch(`${real.url}/v1/customers`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t.posKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Over HTTP' }),
      });
      expect(r.status).toBe(201);
      expect(((await r.json()) as { card: string }).card).toMatch(/^\d{16}$/);
    } finally {
      await real.close();
    }
  });

  it('should keep a one-time link’s token out of its request log', async () => {
    const loud = await startGateway({ handlers, quiet: false });
    const lines: string[] = [];
    const log = console.log;
    console.log = (...args: unknown[]) => void lines.push(args.join(' '));
    try {
      await fetch(`${loud.url}/me.html?lang=fa&link=lnk_secret-token-value`);
      // The line is written once the answer is sent: wait for it, not for a time.
      await expect.poll(() => lines.some((l) => l.includes('/me.html'))).toBe(true);
    } finally {
      console.log = log;
      await loud.close();
    }
    expect(lines.join('\n')).toContain('/me.html?lang=fa&link=…');
    expect(lines.join('\n')).not.toContain('secret-token-value');
  });
});
