/**
 * Webhook signatures: HMAC-SHA256 over `${t}.${body}` with the endpoint's secret, sent as
 * `Tally-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>]` — one `v1` per secret in force, so during
 * a rotation a receiver that still holds the old secret verifies as well as one that already has
 * the new one. The timestamp is signed too, so a receiver can refuse old deliveries (replays of a
 * captured request) by comparing `t` with its clock.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'tally-signature';
/** How old a signature a receiver should accept (our README's example uses this). */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/** A new endpoint secret: 32 random bytes, shown once. */
export const generateSecret = (): string => `whsec_${randomBytes(32).toString('base64url')}`;

export const sign = (secret: string, timestamp: number, body: string): string => createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');

export function signatureHeader(secrets: readonly string[], timestamp: number, body: string): string {
  if (secrets.length === 0) throw new Error('a webhook is signed with at least one secret');
  return [`t=${timestamp}`, ...secrets.map((s) => `v1=${sign(s, timestamp, body)}`)].join(',');
}

/** What a receiver does (and what our tests' receiver does): any `v1` matching, within the tolerance. */
export function verifySignature(header: string, secret: string, body: string, nowSeconds: number, toleranceSeconds = SIGNATURE_TOLERANCE_SECONDS): boolean {
  const parts = header.split(',').map((p) => p.trim().split('='));
  const t = Number(parts.find(([k]) => k === 't')?.[1]);
  if (!Number.isInteger(t) || Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  const expected = Buffer.from(sign(secret, t, body), 'hex');
  return parts.some(([k, v]) => k === 'v1' && v !== undefined && /^[0-9a-f]{64}$/.test(v) && timingSafeEqual(Buffer.from(v, 'hex'), expected));
}
