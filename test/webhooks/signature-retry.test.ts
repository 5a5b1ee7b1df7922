/** Webhook signatures and the retry schedule: the pure parts of delivery. */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateSecret, sign, signatureHeader, verifySignature } from '#lib/webhooks/signature.ts';
import { afterAttempt, classify, MAX_RETRY_SECONDS, RETRY_WINDOW_MS, retryDelaySeconds, retrySchedule } from '#lib/webhooks/retry.ts';

describe('webhook signatures', () => {
  const body = '{"id":"e1","type":"points.earned"}';

  it('is HMAC-SHA256 over "t.body" in hex, as the README tells receivers to compute it', () => {
    const secret = 'whsec_test';
    expect(sign(secret, 1_800_000_000, body)).toBe(createHmac('sha256', secret).update(`1800000000.${body}`).digest('hex'));
    expect(signatureHeader([secret], 1_800_000_000, body)).toBe(`t=1800000000,v1=${sign(secret, 1_800_000_000, body)}`);
  });

  it('carries one v1 per secret in force, and either secret verifies during a rotation', () => {
    const [old, fresh] = [generateSecret(), generateSecret()];
    expect(old).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(old).not.toBe(fresh);
    const header = signatureHeader([fresh, old], 1_800_000_000, body);
    expect(header.split(',')).toHaveLength(3);
    expect(verifySignature(header, old, body, 1_800_000_000)).toBe(true);
    expect(verifySignature(header, fresh, body, 1_800_000_100)).toBe(true);
    expect(verifySignature(header, generateSecret(), body, 1_800_000_000)).toBe(false);
  });

  it('fails on a changed body, a changed timestamp, an old timestamp, or garbage', () => {
    const secret = generateSecret();
    const header = signatureHeader([secret], 1_800_000_000, body);
    expect(verifySignature(header, secret, `${body} `, 1_800_000_000)).toBe(false);
    expect(verifySignature(header.replace('t=1800000000', 't=1800000001'), secret, body, 1_800_000_000)).toBe(false);
    expect(verifySignature(header, secret, body, 1_800_000_301)).toBe(false);
    expect(verifySignature('v1=abc', secret, body, 1_800_000_000)).toBe(false);
    expect(verifySignature('', secret, body, 1_800_000_000)).toBe(false);
    expect(() => signatureHeader([], 1, body)).toThrow();
  });
});

describe('webhook retries', () => {
  const now = new Date('2027-01-01T00:00:00Z');
  const windowEndsAt = new Date(now.getTime() + RETRY_WINDOW_MS).toISOString();

  it('delivers on 2xx, retries on 408/425/429/5xx, timeouts and connection errors, parks other answers and blocked targets', () => {
    for (const status of [200, 201, 202, 204, 299]) expect(classify({ kind: 'response', status })).toBe('delivered');
    for (const status of [408, 425, 429, 500, 502, 503, 504, 599]) expect(classify({ kind: 'response', status })).toBe('retry');
    for (const status of [301, 302, 307, 400, 401, 403, 404, 410, 413, 422]) expect(classify({ kind: 'response', status })).toBe('park');
    expect(classify({ kind: 'timeout' })).toBe('retry');
    expect(classify({ kind: 'network', code: 'ECONNREFUSED' })).toBe('retry');
    expect(classify({ kind: 'blocked', reason: 'resolves to 10.0.0.1 (private)' })).toBe('park');
  });

  it('backs off exponentially from one minute to at most four hours, jittered by at most 20 %', () => {
    expect([1, 2, 3, 4, 5].map((n) => retryDelaySeconds(n))).toEqual([60, 120, 240, 480, 960]);
    expect(retryDelaySeconds(9)).toBe(MAX_RETRY_SECONDS);
    expect(retryDelaySeconds(40)).toBe(MAX_RETRY_SECONDS);
    expect(retryDelaySeconds(1, 0)).toBe(48);
    expect(retryDelaySeconds(1, 0.999)).toBe(72);
    // SQS allows a message to stay invisible for at most 12 hours per receive.
    expect(retryDelaySeconds(40, 0.999)).toBeLessThan(12 * 3600);
  });

  it('retries for 24 hours — 13 retries, the last at the end of the window — then parks', () => {
    const schedule = retrySchedule();
    expect(schedule.map((s) => s / 60)).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 240, 240, 240, 240, 225]);
    expect(schedule.reduce((a, b) => a + b, 0)).toBe(RETRY_WINDOW_MS / 1000);
    const end = new Date(Date.parse(windowEndsAt));
    expect(afterAttempt({ outcome: { kind: 'response', status: 503 }, attempts: 14, now: end, windowEndsAt })).toEqual({ state: 'parked', reason: 'HTTP 503; retried for 24 hours' });
  });

  it('says when the next attempt is due, and why a delivery was parked', () => {
    expect(afterAttempt({ outcome: { kind: 'response', status: 500 }, attempts: 1, now, windowEndsAt })).toEqual({ state: 'retrying', delaySeconds: 60, nextAttemptAt: '2027-01-01T00:01:00.000Z' });
    expect(afterAttempt({ outcome: { kind: 'response', status: 204 }, attempts: 3, now, windowEndsAt })).toEqual({ state: 'delivered' });
    expect(afterAttempt({ outcome: { kind: 'response', status: 410 }, attempts: 1, now, windowEndsAt })).toEqual({ state: 'parked', reason: 'HTTP 410' });
    expect(afterAttempt({ outcome: { kind: 'response', status: 302 }, attempts: 1, now, windowEndsAt })).toEqual({ state: 'parked', reason: 'HTTP 302 (redirects are not followed)' });
    expect(afterAttempt({ outcome: { kind: 'blocked', reason: 'x resolves to 10.0.0.1 (private)' }, attempts: 1, now, windowEndsAt })).toEqual({ state: 'parked', reason: 'blocked: x resolves to 10.0.0.1 (private)' });
  });
});
