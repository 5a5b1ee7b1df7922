/** Logs of a full flow never contain phone numbers, e-mails, names, cards, keys or bodies. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logger } from '#lib/observability/logger.ts';
import { signStaffToken, useDevIssuer } from '../../local/dev-issuer.ts';
import { handlers } from '../../local/handlers.ts';
import { invoke } from '../support/http.ts';
import { newTenant, receipt } from '../integration/harness.ts';

describe('Logs', () => {
  const captured: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  const writeErr = process.stderr.write.bind(process.stderr);
  beforeAll(() => {
    logger.setLogLevel('DEBUG');
    process.stdout.write = ((chunk: string | Uint8Array) => (captured.push(String(chunk)), true)) as typeof process.stdout.write;
    process.stderr.write = ((chunk: string | Uint8Array) => (captured.push(String(chunk)), true)) as typeof process.stderr.write;
  });
  afterAll(() => {
    process.stdout.write = write;
    process.stderr.write = writeErr;
    logger.setLogLevel('ERROR');
  });

  it('should record requests by ids and codes only', async () => {
    const t = await newTenant();
    const secrets = { name: 'Hovhannes Tumanyan', phone: '+37494112233', email: 'hovhannes@example.am' };
    const c = (await t.pos('POST', '/v1/customers', { ...secrets, consents: { sms: true } })).body;
    const r = receipt(c.card, [{ amount: 12_300 }]);
    await t.pos('POST', '/v1/receipts', r);
    await t.pos('POST', '/v1/identify', { customer: { phone: secrets.phone } });
    await t.pos('POST', '/v1/returns', { returnId: 'LOG-1', receiptId: r.receiptId, lines: [{ lineId: '1', quantity: 1 }] });
    await t.staff('GET', `/v1/customers/${c.customerId}`);
    await t.pos('POST', '/v1/identify', { customer: { phone: '+37499000000' } });
    // Staff signed in with a token, a customer app key, an export and an erasure.
    const token = await signStaffToken(await useDevIssuer(null), { role: 'support', tenantId: t.tenantId, username: 'sona' });
    await invoke(handlers, { method: 'GET', path: `/v1/customers/${c.customerId}/export`, headers: { authorization: `Bearer ${token}` } });
    const appKey = (await t.staff('POST', `/v1/customers/${c.customerId}/app-key`)).body.key as string;
    await invoke(handlers, { method: 'GET', path: '/v1/me', headers: { authorization: `Bearer ${appKey}` } });
    await t.staff('POST', `/v1/customers/${c.customerId}/erase`, { reason: 'asked to be forgotten' });
    const text = captured.join('');
    expect(text).toContain('"routeKey":"POST /v1/receipts"');
    expect(text).toContain('"routeKey":"POST /v1/customers/{customerId}/erase"');
    for (const s of [secrets.name, 'Tumanyan', secrets.phone, '94112233', secrets.email, c.card, t.posKey, t.staffKey, '+37499000000', token, appKey]) {
      expect(text, `logs contain ${s}`).not.toContain(s);
    }
  });
});
