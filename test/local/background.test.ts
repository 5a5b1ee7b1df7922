/**
 * The local runtime's background half, end to end on DynamoDB Local: a receipt through the HTTP
 * handlers becomes a stream record, an event on the local bus, a notify message and one SMS in
 * the local outbox; the birthday job run by hand grants once and greets once, however often it runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackground, type Background } from '../../local/background.ts';
import { newTenant, receipt, type TestTenant } from '../integration/harness.ts';

const program = {
  name: 'Pharmacy club',
  currency: 'AMD',
  timeZone: 'Asia/Yerevan',
  earning: { base: { points: 1, per: 1000 } },
  bonuses: { birthday: 500 },
  notifications: { events: { 'receipt.committed': ['sms', 'email'], 'birthday.granted': ['email', 'sms'] } },
};

let bg: Background;
let t: TestTenant;

beforeAll(async () => {
  // Retries back off at a tenth of the real pace: a busy CI machine gets seconds, not minutes, to recover.
  bg = await startBackground({ dynamoEndpoint: process.env.DYNAMODB_ENDPOINT!, table: process.env.TABLE_NAME!, tickMs: 0, streamFrom: 'LATEST', retryScale: 0.1 });
  t = await newTenant(program);
}, 60_000);
afterAll(() => bg.close());

const mine = (to: string) => bg.peers.outbox.filter((m) => m.to === to);

describe('local background runtime', () => {
  it('turns a committed receipt into exactly one SMS in the customer language', async () => {
    const c = await t.pos('POST', '/v1/customers', { name: 'Ани', phone: '+380501234567', locale: 'uk', consents: { sms: true, email: false, push: false }, birthDate: '1990-02-28' });
    expect(c.status).toBe(201);
    const r = receipt(c.body.card, [{ amount: 150_000 }]);
    expect((await t.pos('POST', '/v1/receipts', r)).status).toBe(200);
    await t.pos('POST', '/v1/receipts', r);
    await bg.settle();
    expect(mine('+380501234567')).toEqual([expect.objectContaining({ channel: 'sms', text: expect.stringContaining('150') })]);
    expect(mine('+380501234567')[0]!.text).toContain('Баланс');
  });

  it('runs the birthday job by hand for 28 February: one bonus, one greeting, also when run again', async () => {
    const c = await t.pos('POST', '/v1/customers', { name: 'Sara', email: 'sara@example.ir', locale: 'fa', consents: { sms: false, email: true, push: false }, birthDate: '1992-02-29' });
    for (let i = 0; i < 2; i++) await bg.runJob('birthday', { day: '2027-02-28', tenantId: t.tenantId });
    const greetings = mine('sara@example.ir');
    expect(greetings).toHaveLength(1);
    expect(greetings[0]).toMatchObject({ channel: 'email', subject: 'تولدت مبارک!' });
    const balance = (await t.staff('GET', `/v1/customers/${c.body.customerId}`)).body.points.available;
    expect(balance).toBe(500);
    expect(bg.queues.queues.accounts!.deadLetters.map((m) => m.body)).toEqual([]);
    expect(bg.queues.queues.notify!.deadLetters.map((m) => m.body)).toEqual([]);
  });

  it('runs a journey a marketer defines and starts through the API, from a domain event, once', async () => {
    const created = await t.staff('POST', '/v1/journeys', {
      journeyId: 'first-purchase',
      name: 'First purchase',
      trigger: { kind: 'event', eventType: 'receipt.committed' },
      steps: [{ kind: 'message', channels: ['sms'], templates: { en: { text: 'Thanks for your first purchase, {{name}}. Balance: {{balance}}.' } } }],
    });
    expect(created.status).toBe(201);
    expect((await t.staff('POST', '/v1/journeys/first-purchase/start')).body.status).toBe('active');
    const c = await t.pos('POST', '/v1/customers', { name: 'Mher', phone: '+37477000111', locale: 'en', consents: { sms: true, email: false, push: false } });
    for (const amount of [20_000, 30_000]) await t.pos('POST', '/v1/receipts', receipt(c.body.card, [{ amount }]));
    await bg.settle();
    const journeyMessages = mine('+37477000111').filter((m) => m.text.startsWith('Thanks'));
    expect(journeyMessages).toHaveLength(1);
    // The balance is the one when the step runs: after the first receipt, or after both.
    expect(journeyMessages[0]!.text).toMatch(/^Thanks for your first purchase, Mher. Balance: (20|50)\.$/);
    expect(bg.queues.queues.journeys!.deadLetters.map((m) => m.body)).toEqual([]);
    expect((await t.staff('POST', '/v1/journeys/first-purchase/stop')).body.status).toBe('stopped');
  });
});
