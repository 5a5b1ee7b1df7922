/** Per-key throttling: a key over its limit gets a 429 that names the limit, with retry-after; other keys are unaffected. */
import { beforeAll, describe, expect, it } from 'vitest';
import { takeToken } from '#lib/http/rate-limit.ts';
import { handlers } from '../../local/handlers.ts';
import { invoke } from '../support/http.ts';
import { newTenant, type TestTenant } from '../integration/harness.ts';

describe('per-key throttling', () => {
  let t: TestTenant;
  let slowKey: string;
  beforeAll(async () => {
    t = await newTenant();
    slowKey = (await t.staff('POST', '/v1/keys', { role: 'pos', storeId: 'S-01', name: 'slow till', rateLimit: 1 })).body.key;
  });

  it('answers a key over its limit with 429, the limit named, and retry-after; another key goes on', async () => {
    const statuses: number[] = [];
    let refused: Awaited<ReturnType<typeof invoke>> | undefined;
    for (let i = 0; i < 10; i++) {
      const r = await invoke(handlers, { method: 'GET', path: '/v1/program/schema', headers: { authorization: `Bearer ${slowKey}` } });
      statuses.push(r.status);
      if (r.status === 429) refused = r;
    }
    expect(statuses).toContain(429);
    expect(refused!.body.error).toMatchObject({ code: 'rate_limited', field: 'authorization', message: expect.stringContaining('at most 1 requests per second') });
    expect(refused!.headers['retry-after']).toBe('1');
    expect((await invoke(handlers, { method: 'GET', path: '/v1/program/schema', headers: { authorization: `Bearer ${t.posKey}` } })).status).toBe(200);
  });

  it('refills at the key’s rate (the bucket, with a given clock)', () => {
    const at = 1_000_000;
    for (let i = 0; i < 5; i++) takeToken('k-clock', 5, at);
    expect(() => takeToken('k-clock', 5, at)).toThrow(/at most 5 requests per second/);
    expect(() => takeToken('k-clock', 5, at + 200)).not.toThrow();
    expect(() => takeToken('k-clock', 5, at + 200)).toThrow();
  });
});
