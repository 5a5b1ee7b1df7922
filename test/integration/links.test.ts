/**
 * One-time links to the customer page: staff send one (and the customer asks by phone), Tally
 * sends it by SMS through SNS (moto_server here), and the page exchanges it once for its session.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { deps, makeDeps } from '#lib/app/deps.ts';
import { sendLinkByStaff } from '#lib/app/links.ts';
import { ChannelFailedError } from '#lib/app/errors.ts';
import { toErrorResponse } from '#lib/http/errors.ts';
import { snsSms } from '#lib/notify/channels.ts';
import { SNSClient } from '@aws-sdk/client-sns';
import { keys } from '#lib/storage/keys.ts';
import { hashLinkToken } from '#lib/storage/links.ts';
import type { OutgoingMessage } from '#lib/notify/channels.ts';
import { invoke } from '../support/http.ts';
import { startMoto, type Moto } from '../support/moto.ts';
import { assertMatchesOpenApi } from '../support/openapi.ts';
import { handlers, newTenant, type TestTenant } from './harness.ts';

const TOKEN = /lnk_[A-Za-z0-9_-]{43}/g;

describe('One-time customer page links', () => {
  let moto: Moto;
  let t: TestTenant;
  const saved = { ...process.env };

  /** Every SMS moto_server "sent" to this number, oldest first. */
  const smsTo = async (phone: string): Promise<string[]> => {
    const data = (await (await fetch(`${moto.endpoint}/moto-api/data.json`)).json()) as { sns?: { SMS?: Array<{ message: string; phone_number: string }> } };
    // moto lists no SNS data until something was sent.
    return (data.sns?.SMS ?? []).filter((m) => m.phone_number === phone).map((m) => m.message);
  };
  const tokensTo = async (phone: string) => (await smsTo(phone)).flatMap((s) => s.match(TOKEN) ?? []);
  /** The public routes, called as the customer page does: no Authorization header at all. */
  const anonymous = async (path: string, body: unknown) => {
    const r = await invoke(handlers, { method: 'POST', path, body });
    assertMatchesOpenApi(r.routeKey, r.status, r.body);
    return r;
  };
  const enrol = async (body: object) => (await t.pos('POST', '/v1/customers', body)).body as { customerId: string; card: string };

  beforeAll(async () => {
    moto = await startMoto();
    // The links function builds its SNS client on first use, from the environment as in Lambda.
    Object.assign(process.env, { AWS_ENDPOINT_URL_SNS: moto.endpoint, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', CUSTOMER_PAGE_URL: 'https://club.example/me.html' });
    t = await newTenant();
  });
  afterAll(async () => {
    process.env = saved;
    await moto.stop();
  });

  it('sends the link by SMS in the customer’s language, stores only its hash, and exchanges it once for the page’s session', async () => {
    const c = await enrol({ name: 'Անի', phone: '+37491100001', locale: 'hy' });
    const sent = await t.staff('POST', `/v1/customers/${c.customerId}/link`, {});
    expect(sent.status, sent.raw).toBe(202);
    expect(sent.body).toMatchObject({ customerId: c.customerId, channel: 'sms', to: '+374…01' });
    const ttl = Date.parse(sent.body.expiresAt) - Date.now();
    expect(ttl).toBeGreaterThan(14 * 60_000);
    expect(ttl).toBeLessThanOrEqual(15 * 60_000);
    const [text] = await smsTo('+37491100001');
    expect(text).toContain('բացեք ձեր միավորների էջը');
    expect(text).toMatch(/https:\/\/club\.example\/me\.html\?link=lnk_/);
    const [token] = await tokensTo('+37491100001');
    // At rest: the SHA-256, the customer and the times; the token itself nowhere.
    const stored = (await deps().db.doc.send(new GetCommand({ TableName: deps().db.table, Key: keys.link(hashLinkToken(token!)) }))).Item!;
    expect(stored).toMatchObject({ tenantId: t.tenantId, customerId: c.customerId, requestedBy: 'staff:anna' });
    expect(JSON.stringify(stored)).not.toContain(token!.slice(4));
    expect(JSON.stringify(await t.items())).not.toContain(token!.slice(4));

    const session = await anonymous('/v1/links/exchange', { token });
    expect(session.status, session.raw).toBe(201);
    expect(session.body.customerId).toBe(c.customerId);
    expect(Date.parse(session.body.expiresAt) - Date.now()).toBeGreaterThan(89 * 86_400_000);
    const me = await invoke(handlers, { method: 'GET', path: '/v1/me', headers: { authorization: `Bearer ${session.body.key}` } });
    expect(me.body.customerId).toBe(c.customerId);

    const before = await t.items();
    const replay = await anonymous('/v1/links/exchange', { token });
    expect(replay.status).toBe(410);
    expect(replay.body.error).toMatchObject({ code: 'link_used', field: 'token', message: expect.stringContaining('already used') });
    expect(await t.items()).toEqual(before);
  });

  it('refuses a link past its 15 minutes, naming why', async () => {
    const c = await enrol({ phone: '+37491100002' });
    const sms: OutgoingMessage[] = [];
    const sixteenMinutesAgo = makeDeps(deps().db, () => new Date(Date.now() - 16 * 60_000));
    await sendLinkByStaff(sixteenMinutesAgo, { senders: { sms: { send: async (m) => (sms.push(m), { providerMessageId: 'x' }) } }, pageUrl: 'https://club.example/me.html' }, { tenantId: t.tenantId, storeId: undefined, role: 'support', actor: 'staff:desk', keyId: 'k' }, c.customerId, {});
    const token = sms[0]!.text.match(TOKEN)![0];
    const r = await anonymous('/v1/links/exchange', { token });
    expect(r.status).toBe(410);
    expect(r.body.error).toMatchObject({ code: 'link_expired', field: 'token', message: expect.stringContaining('15 minutes') });
  });

  it('gives one session to two pages racing with the same link', async () => {
    const c = await enrol({ phone: '+37491100003' });
    await t.staff('POST', `/v1/customers/${c.customerId}/link`, { channel: 'sms' });
    const [token] = await tokensTo('+37491100003');
    const answers = await Promise.all([1, 2, 3].map(() => anonymous('/v1/links/exchange', { token })));
    expect(answers.map((a) => a.status).sort()).toEqual([201, 410, 410]);
    const keysNow = await deps().customers.appKeys(t.tenantId, c.customerId);
    expect(keysNow).toHaveLength(1);
  });

  it('names the field when there is no link, no token, or no way to reach the customer', async () => {
    expect((await anonymous('/v1/links/exchange', { token: `lnk_${'A'.repeat(43)}` })).body.error).toMatchObject({ code: 'not_found', field: 'token' });
    expect((await anonymous('/v1/links/exchange', { token: 'guess' })).body.error).toMatchObject({ field: 'token' });
    const quiet = await enrol({ name: 'No contact' });
    const none = await t.staff('POST', `/v1/customers/${quiet.customerId}/link`, {});
    expect(none.status).toBe(409);
    expect(none.body.error).toMatchObject({ code: 'no_channel', field: 'channel' });
    const phoneOnly = await enrol({ phone: '+37491100004' });
    const email = await t.staff('POST', `/v1/customers/${phoneOnly.customerId}/link`, { channel: 'email' });
    expect(email.status).toBe(409);
    expect(email.body.error.message).toContain('no e-mail address');
    expect((await t.staff('POST', `/v1/customers/${phoneOnly.customerId}/link`, { channel: 'fax' })).body.error.field).toBe('channel');
    expect((await t.pos('POST', `/v1/customers/${phoneOnly.customerId}/link`, {})).status).toBe(403);
  });

  it('lets the customer ask by phone: the same answer whether or not a member has the number, and a limit per hour', async () => {
    await enrol({ phone: '+37491100005' });
    const asked = await anonymous('/v1/links', { tenantId: t.tenantId, phone: '+374 91 10 00 05' });
    expect(asked.status, asked.raw).toBe(202);
    const nobody = await anonymous('/v1/links', { tenantId: t.tenantId, phone: '+37491100099' });
    expect(nobody.raw).toBe(asked.raw);
    expect(await tokensTo('+37491100099')).toEqual([]);
    const [token] = await tokensTo('+37491100005');
    expect((await anonymous('/v1/links/exchange', { token })).status).toBe(201);
    for (let i = 0; i < 2; i++) expect((await anonymous('/v1/links', { tenantId: t.tenantId, phone: '+37491100005' })).status).toBe(202);
    const fourth = await anonymous('/v1/links', { tenantId: t.tenantId, phone: '+37491100005' });
    expect(fourth.status).toBe(429);
    expect(fourth.body.error).toMatchObject({ code: 'rate_limited', field: 'phone' });
    expect(Number(fourth.headers['retry-after'])).toBeGreaterThan(0);
    expect((await anonymous('/v1/links', { tenantId: t.tenantId, phone: '12' })).body.error.field).toBe('phone');
  });

  it('lets a new device replace the oldest at the customer’s limit of app keys', async () => {
    const c = await enrol({ phone: '+37491100007' });
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push((await t.staff('POST', `/v1/customers/${c.customerId}/app-key`)).body.key);
    await t.staff('POST', `/v1/customers/${c.customerId}/link`, {});
    const [token] = await tokensTo('+37491100007');
    const session = await anonymous('/v1/links/exchange', { token });
    expect(session.status, session.raw).toBe(201);
    const live = (await deps().customers.appKeys(t.tenantId, c.customerId)).filter((k) => !k.revokedAt);
    expect(live).toHaveLength(5);
    expect(live.map((k) => k.keyId)).toContain(session.body.keyId);
    const asMe = (key: string) => invoke(handlers, { method: 'GET', path: '/v1/me', headers: { authorization: `Bearer ${key}` } });
    expect((await asMe(made[0]!)).status).toBe(401);
    expect((await asMe(made[1]!)).status).toBe(200);
  });

  it('opens no session for a customer erased after the link was sent', async () => {
    const c = await enrol({ phone: '+37491100006' });
    await t.staff('POST', `/v1/customers/${c.customerId}/link`, {});
    const [token] = await tokensTo('+37491100006');
    await t.staff('POST', `/v1/customers/${c.customerId}/erase`, { reason: 'asked to be forgotten' });
    expect((await anonymous('/v1/links/exchange', { token })).status).toBe(404);
  });

  it('answers 502 channel_failed naming channel when SMS does not take the message (a real SNS client at a closed port)', async () => {
    const c = await enrol({ phone: '+37491100088' });
    const deadSns = new SNSClient({ endpoint: 'http://127.0.0.1:9', region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    const principal = { tenantId: t.tenantId, storeId: undefined, role: 'support' as const, actor: 'staff:desk', keyId: 'k' };
    const failed = await sendLinkByStaff(deps(), { senders: { sms: snsSms(deadSns) }, pageUrl: 'https://club.example/me.html' }, principal, c.customerId, {}).then(
      () => null,
      (e: unknown) => e,
    );
    expect(failed).toBeInstanceOf(ChannelFailedError);
    const answer = toErrorResponse(failed);
    expect(answer.status).toBe(502);
    expect(answer.body.error).toMatchObject({ code: 'channel_failed', field: 'channel', message: expect.stringContaining('no link reached the customer') });
    expect(await smsTo('+37491100088')).toEqual([]);
  });
});
