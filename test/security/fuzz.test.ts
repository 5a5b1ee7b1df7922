/**
 * Fuzz: thousands of malformed and hostile requests at every route of the running local API
 * (the real handlers over HTTP). Never a 5xx, never a write, never an echo of internals.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { routeGroups } from '#lib/http/routes.ts';
import { CHANNEL_ENV } from '#lib/notify/live-channels.ts';
import { startGateway, type Gateway } from '../../local/gateway.ts';
import { handlers, newTenant, receipt, type TestTenant } from '../integration/harness.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 150);

const hostileString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    "' OR '1'='1",
    '"; DROP TABLE x; --',
    '<script>alert(1)</script>',
    '${7*7}',
    '{{7*7}}',
    '../../etc/passwd',
    'T#other#C#c_1',
    'KEY#abc',
    '\u0000',
    '\uD800',
    '\u202E',
    '🇦🇲',
    'ا'.repeat(300),
    'x'.repeat(5_000),
    '1e309',
    '-0',
    'NaN',
  ),
);

const hostileValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    hostileString,
    fc.integer(),
    fc.double(),
    fc.constantFrom(Number.MAX_SAFE_INTEGER + 2, -1, 1e308, 0.1 + 0.2, true, false, null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(hostileString, fc.constantFrom('__proto__', 'constructor', 'lines', 'burn', 'customer')), tie('value'), { maxKeys: 5 }),
  ),
})).value;

describe('Fuzz: every route of the local API', () => {
  let gw: Gateway;
  let t: TestTenant;
  let card: string;
  let customerId: string;
  const counts: Record<string, number> = {};
  const enrolled: string[] = [];
  let retried503 = 0;

  const savedChannels = process.env[CHANNEL_ENV.live];
  beforeAll(async () => {
    // No live channel: a staff key's bodiless `POST /v1/customers/{id}/link` with the real id is a
    // valid request, which would send an SMS; with nothing live it is a 409 that writes nothing.
    process.env[CHANNEL_ENV.live] = '';
    t = await newTenant();
    const c = await t.pos('POST', '/v1/customers', { name: 'Fuzz target', phone: '+37491555555' });
    card = c.body.card;
    customerId = c.body.customerId;
    await t.pos('POST', '/v1/receipts', receipt(card, [{ amount: 10_000 }], { receiptId: 'FUZZ-R1' }));
    gw = await startGateway({ handlers, quiet: true });
  });
  afterAll(async () => {
    if (savedChannels === undefined) delete process.env[CHANNEL_ENV.live];
    else process.env[CHANNEL_ENV.live] = savedChannels;
    await gw?.close();
  });

  const routes = Object.values(routeGroups).flat();

  it('should answer every malformed request with a 4xx in the error shape and write nothing', async () => {
    const before = await t.items();
    const request = fc.record({
      route: fc.constantFrom(...routes),
      key: fc.constantFrom('pos', 'staff', 'none', 'garbage'),
      pathValue: fc.oneof(hostileString, fc.constant('c_missing'), fc.constant(customerId)),
      body: fc.oneof(
        hostileValue,
        // Near-valid receipts with one field broken are the likeliest to slip through.
        fc.record({ field: fc.constantFrom('lines', 'customer', 'burn', 'currency', 'occurredAt', 'receiptId', 'total', 'coupons', 'rewards'), value: hostileValue }).map(
          ({ field, value }) => ({ ...receipt(card, [{ amount: 1_000 }], { receiptId: 'FUZZ-R1' }), [field]: value }),
        ),
      ),
      rawBody: fc.option(fc.oneof(fc.constant('{"a":'), fc.constant('[]'), fc.constant('null'), fc.constant('"x"'), hostileString), { nil: undefined }),
      contentType: fc.constantFrom('application/json', 'text/plain', 'application/json; charset=utf-8', ''),
      query: fc.option(fc.dictionary(fc.constantFrom('limit', 'cursor', '__proto__', 'x'), hostileString, { maxKeys: 3 }), { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const encode = (v: string) => {
          try {
            return encodeURIComponent(v);
          } catch {
            return '%ED%A0%80'; // a lone surrogate cannot be encoded; send invalid UTF-8 instead
          }
        };
        const path = r.route.path.replace(/\{(\w+)\}/g, () => encode(r.pathValue || 'x'));
        const qs = r.query ? `?${new URLSearchParams(r.query as Record<string, string>).toString()}` : '';
        const auth =
          r.key === 'pos' ? `Bearer ${t.posKey}` : r.key === 'staff' ? `Bearer ${t.staffKey}` : r.key === 'garbage' ? 'Bearer tly_pos_nope' : undefined;
        const send = () =>
          fetch(`${gw.url}${path}${qs}`, {
            method: r.route.method,
            headers: { ...(auth ? { authorization: auth } : {}), ...(r.contentType ? { 'content-type': r.contentType } : {}) },
            ...(r.route.method === 'GET' ? {} : { body: r.rawBody ?? JSON.stringify(r.body) }),
          });
        // 503 means "retry the same request" by contract (a busy machine can make DynamoDB Local
        // drop a connection); anything else at or above 500 is a failure.
        let res = await send();
        for (let attempt = 0; res.status === 503 && attempt < 5; attempt++) {
          await res.arrayBuffer();
          retried503++;
          res = await send();
        }
        const text = await res.text();
        counts[res.status] = (counts[res.status] ?? 0) + 1;
        // An enrolment needs no field at all, so `{}` or `{"__proto__": 1}` is a valid one:
        // those customers are the only writes allowed.
        if (r.route.path === '/v1/customers' && res.status === 201) enrolled.push((JSON.parse(text) as { customerId: string }).customerId);
        expect(res.status, `${r.route.method} ${path}: ${text}`).toBeLessThan(500);
        if (res.status === 401 && !auth) {
          expect(JSON.parse(text)).toEqual({ message: 'Unauthorized' }); // API Gateway's own answer
        } else if (res.status >= 400) {
          // A message may name a field the request itself sent (an unknown body key like
          // `T#other#C#c_1`); only what the request did not carry is a leak.
          const sent = `${path}${qs}${r.rawBody ?? JSON.stringify(r.body)}`;
          const leaks = (text.match(/\bat \S+\.(ts|js|mjs):\d+|Exception\b|\bstack\b|node_modules|T#\w+#|KEY#/g) ?? []).filter((m) => !sent.includes(m));
          expect(leaks, text).toEqual([]);
          const body = JSON.parse(text) as { error: { code: string; message: string } };
          expect(typeof body.error.code).toBe('string');
          expect(typeof body.error.message).toBe('string');
        }
      }),
      { numRuns: RUNS * routes.length },
    );
    // Valid writes could only come from well-formed bodies; the generators never make one, so
    // the table is exactly as it was.
    // A staff key's enrolment is audited too, naming the customer as its target.
    const ofEnrolled = (i: Record<string, unknown>) =>
      enrolled.some((id) => String(i.pk).includes(`#C#${id}`) || i.customerId === id || i.target === `customer:${id}`);
    // Two routes need no body at all, so any request to them with the real id is a valid one: an
    // export (a read, but audited) and issuing the customer an app key. Their records are allowed.
    const bodiless = (i: Record<string, unknown>) =>
      (i.type === 'audit' && (i.action === 'customer.export' || (i.action === 'key.create' && (i.after as { role?: string } | undefined)?.role === 'customer'))) ||
      ((i.type === 'apiKey' || i.type === 'apiKeyInfo') && i.role === 'customer') ||
      i.type === 'appKey';
    const after = (await t.items()).filter((i) => !ofEnrolled(i) && !bodiless(i));
    expect(after).toEqual(before);
    console.log(`fuzz: ${Object.values(counts).reduce((a, b) => a + b, 0)} requests; answers ${JSON.stringify(counts)}; valid enrolments among them: ${enrolled.length}; 503s retried: ${retried503}`);
  }, 600_000);
});
