/** Journeys on DynamoDB Local: triggers, waits, conditions, messages, the frequency cap, stop. */
import { beforeAll, describe, expect, it } from 'vitest';
import { deps, makeDeps, type Deps } from '#lib/app/deps.ts';
import { createJourney, handleJourneyWork, onEvent, releaseTimers, startJourney, stopJourney, type JourneyWork } from '#lib/app/journeys.ts';
import { createJourneyBody } from '#lib/http/schemas/journeys.ts';
import type { Senders } from '#lib/app/notify.ts';
import type { DomainEvent } from '#lib/events/catalog.ts';
import type { OutgoingMessage } from '#lib/notify/channels.ts';
import type { Principal } from '#lib/storage/api-keys.ts';
import { transactWrite } from '#lib/storage/transact.ts';
import { jobsTenant, seedCustomers } from '../jobs/support.ts';

let d: Deps;
let now = new Date('2027-03-15T12:00:00+04:00');
let tenantId: string;
let marketer: Principal;
const sent: OutgoingMessage[] = [];
const senders: Senders = { sms: { send: async (m) => (sent.push(m), { providerMessageId: `p${sent.length}` }) } };
const queued: JourneyWork[] = [];
const queue = { send: async (ms: readonly JourneyWork[]) => void queued.push(...ms) };
const drainQueue = async () => {
  while (queued.length) await handleJourneyWork(d, senders, queued.shift()!);
};

const enrolled = (customerId: string): DomainEvent => ({
  id: `enrol-${customerId}`,
  type: 'customer.enrolled',
  version: 1,
  tenantId,
  customerId,
  occurredAt: now.toISOString(),
  data: { referred: false, consents: { sms: true, email: false, push: false } },
});

beforeAll(async () => {
  tenantId = await jobsTenant({ name: 'Journeys', currency: 'AMD', timeZone: 'Asia/Yerevan', earning: { base: { points: 1, per: 100 } } });
  await seedCustomers(tenantId, [{ customerId: 'c_new' }, { customerId: 'c_rich', lots: { '9999-12': 500 } }, { customerId: 'c_quiet' }, { customerId: 'c_late' }]);
  const base = deps();
  for (const [id, phone, sms] of [['c_new', '+37491000101', true], ['c_rich', '+37491000102', true], ['c_quiet', '+37491000103', false], ['c_late', '+37491000104', true]] as const) {
    const c = (await base.customers.get(tenantId, id))!;
    await transactWrite(base.db, base.customers.updateItems(c, { ...c, profile: { ...c.profile, name: id, phone, consents: { sms, email: false, push: false } } }, []));
  }
  d = makeDeps(base.db, () => now);
  marketer = { tenantId, role: 'staff', actor: 'staff:mary', keyId: 'k', storeId: undefined } as unknown as Principal;
});

describe('journeys', () => {
  it('welcomes on enrolment, waits a day, and ends for customers the condition leaves out; an event twice enters once', async () => {
    const welcome = createJourneyBody.parse({
      journeyId: 'welcome',
      name: 'Welcome',
      trigger: { kind: 'event', eventType: 'customer.enrolled' },
      steps: [
        { kind: 'message', channels: ['sms'], templates: { en: { text: 'Welcome, {{name}}!' } } },
        { kind: 'wait', hours: 24 },
        { kind: 'condition', balanceAtLeast: 100 },
        { kind: 'message', channels: ['sms'], templates: { en: { text: 'You have {{balance}} points.' } } },
      ],
    });
    expect((await createJourney(d, marketer, welcome)).status).toBe('draft');
    // A draft triggers nothing.
    expect(await onEvent(d, senders, enrolled('c_new'))).toEqual([]);
    await startJourney(d, queue, marketer, 'welcome');
    expect(await onEvent(d, senders, enrolled('c_new'))).toEqual(['sent']);
    expect(await onEvent(d, senders, enrolled('c_new'))).toEqual(['already-in']);
    expect(await onEvent(d, senders, enrolled('c_rich'))).toEqual(['sent']);
    expect(await onEvent(d, senders, enrolled('c_quiet'))).toEqual(['no-channel']);
    expect(sent.map((m) => [m.to, m.text])).toEqual([
      ['+37491000101', 'Welcome, c_new!'],
      ['+37491000102', 'Welcome, c_rich!'],
    ]);

    // Not yet a day: nothing is due.
    now = new Date('2027-03-16T11:00:00+04:00');
    expect(await releaseTimers(d, queue, tenantId)).toBe(0);
    now = new Date('2027-03-16T12:15:00+04:00');
    expect(await releaseTimers(d, queue, tenantId)).toBe(3);
    // The step messages come twice (a redelivery): the second changes nothing.
    queued.push(...queued.map((q) => ({ ...q })));
    await drainQueue();
    expect(sent.slice(2).map((m) => [m.to, m.text])).toEqual([['+37491000102', 'You have 500 points.']]);
  });

  it('sends an audience journey to a list when started, within the frequency cap, and stops for good', async () => {
    const promo = createJourneyBody.parse({
      journeyId: 'promo',
      name: 'Spring promo',
      trigger: { kind: 'audience', customerIds: ['c_rich', 'c_late'] },
      steps: [{ kind: 'message', channels: ['sms'], templates: { en: { text: 'Spring offer, {{name}}.' }, hy: { text: 'Գարնանային առաջարկ' } } }],
      frequencyCap: { messages: 2, days: 7 },
    });
    await createJourney(d, marketer, promo);
    await startJourney(d, queue, marketer, 'promo');
    await drainQueue();
    // c_rich had two journey messages this week already: capped. c_late gets it.
    expect(sent.slice(3).map((m) => [m.to, m.text])).toEqual([['+37491000104', 'Spring offer, c_late.']]);

    await stopJourney(d, marketer, 'welcome');
    expect(await onEvent(d, senders, enrolled('c_late'))).toEqual([]);
    await expect(stopJourney(d, marketer, 'welcome')).rejects.toMatchObject({ name: 'ConflictError', code: 'journey_not_active' });
    await expect(createJourney(d, marketer, promo)).rejects.toMatchObject({ name: 'ConflictError', code: 'journey_exists' });
  });

  it('refuses definitions that cannot work, naming the field', () => {
    const r = createJourneyBody.safeParse({ journeyId: 'x', name: 'x', trigger: { kind: 'audience' }, steps: [{ kind: 'wait', hours: 1 }] });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i: { path: PropertyKey[] }) => i.path.join('.'))).toEqual(expect.arrayContaining(['trigger.customerIds', 'steps']));
  });

  it('reads no more than the cap\'s own count of a customer\'s journey messages, and only those inside its window', async () => {
    const d = deps();
    const tenantId = `jc${Date.now().toString(36)}`;
    const claim = (at: string, n: number) =>
      d.notifications.claim({ tenantId, customerId: 'c_cap', eventId: `J#promo#${n}`, eventType: 'journey:promo', channel: 'sms', locale: 'en', text: 'hi', at });
    // Two years of weekly messages, then three this week.
    for (let n = 0; n < 104; n++) await claim(new Date(Date.parse('2025-01-01T10:00:00Z') + n * 7 * 86_400_000).toISOString(), n);
    for (let n = 0; n < 3; n++) await claim(`2027-03-0${n + 2}T10:00:00.000Z`, 200 + n);
    const inWindow = await d.journeys.journeyMessageTimes(tenantId, 'c_cap', '2027-02-28T10:00:00.000Z', 100);
    expect(inWindow).toHaveLength(3);
    expect(await d.journeys.journeyMessageTimes(tenantId, 'c_cap', '2027-02-28T10:00:00.000Z', 2)).toHaveLength(2);
  });
});

describe('journeys on custom events', () => {
  it('should enter on customer.event of the one custom type the trigger names, and on no other', async () => {
    const custom = (customerId: string, eventType: string): DomainEvent => ({
      id: `ce-${customerId}-${eventType}`,
      type: 'customer.event',
      version: 1,
      tenantId,
      customerId,
      occurredAt: now.toISOString(),
      data: { eventId: `e-${eventType}`, eventType, attributes: {}, points: 0, occurredAt: now.toISOString() },
    });
    const body = createJourneyBody.parse({
      journeyId: 'app-welcome',
      name: 'App installed',
      trigger: { kind: 'event', eventType: 'customer.event', customEventType: 'app.installed' },
      steps: [{ kind: 'message', channels: ['sms'], templates: { en: { text: 'Thanks for installing, {{name}}!' } } }],
    });
    await createJourney(d, marketer, body);
    await startJourney(d, queue, marketer, 'app-welcome');
    expect(await onEvent(d, senders, custom('c_late', 'newsletter.subscribed'))).toEqual([]);
    expect(await onEvent(d, senders, custom('c_late', 'app.installed'))).toHaveLength(1);
    expect(createJourneyBody.safeParse({ ...body, trigger: { kind: 'event', eventType: 'customer.event', customEventType: 'App Installed' } }).success).toBe(false);
  });
});
