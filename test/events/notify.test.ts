/** The notify use case against DynamoDB Local: consent, language, quiet hours, and never twice. */
import { beforeAll, describe, expect, it } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { deps, makeDeps, type Deps } from '#lib/app/deps.ts';
import { notifyCustomer, releaseDeferred, type Senders } from '#lib/app/notify.ts';
import type { DomainEvent } from '#lib/events/catalog.ts';
import { keys } from '#lib/storage/keys.ts';
import type { OutgoingMessage } from '#lib/notify/channels.ts';
import { jobsTenant, seedCustomers } from '../jobs/support.ts';

const program = {
  name: 'Pharmacy club',
  currency: 'AMD',
  timeZone: 'Asia/Yerevan',
  earning: { base: { points: 1, per: 1000 } },
  notifications: { quietHours: { from: '22:00', to: '08:00' }, events: { 'receipt.committed': ['sms', 'email'], 'birthday.granted': ['email'] } },
};

let tenantId: string;
let now: Date;
let d: Deps;
const sent: OutgoingMessage[] = [];
let failNext: Error | null = null;
const recorder = { send: async (m: OutgoingMessage) => {
  if (failNext) {
    const e = failNext;
    failNext = null;
    throw e;
  }
  sent.push(m);
  return { providerMessageId: `p-${sent.length}` };
} };
const senders: Senders = { sms: recorder, email: recorder };

let seq = 0;
const receiptEvent = (customerId: string): DomainEvent => ({
  id: `evt-${++seq}`,
  type: 'receipt.committed',
  version: 1,
  tenantId,
  customerId,
  occurredAt: now.toISOString(),
  data: { storeId: 'S-01', receiptId: `R-${seq}`, amount: 120_000, paid: 120_000, pointsEarned: 120, pointsBurned: 0, balanceAfter: 1520, occurredAt: now.toISOString() },
});

beforeAll(async () => {
  tenantId = await jobsTenant(program);
  await seedCustomers(tenantId, [{ customerId: 'c_sms' }, { customerId: 'c_none' }]);
  // The seed writes no contact details; give c_sms a phone, Armenian, and SMS consent.
  const base = deps();
  const c = (await base.customers.get(tenantId, 'c_sms'))!;
  const { transactWrite } = await import('#lib/storage/transact.ts');
  await transactWrite(base.db, base.customers.updateItems(c, { ...c, profile: { ...c.profile, name: 'Անի', phone: '+37491234567', locale: 'hy', consents: { sms: true, email: false, push: false } } }, []));
  d = makeDeps(base.db, () => now);
});

describe('notifyCustomer', () => {
  it('sends one SMS in the customer language, and a redelivered event sends nothing', async () => {
    now = new Date('2027-03-15T12:00:00+04:00');
    const e = receiptEvent('c_sms');
    expect(await notifyCustomer(d, senders, e)).toBe('sent');
    expect(await notifyCustomer(d, senders, e)).toBe('duplicate');
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ channel: 'sms', to: '+37491234567', locale: 'hy', text: expect.stringContaining('Store 1') });
    expect(sent[0]!.text).toContain('Անի');
    const record = await d.db.doc.send(new GetCommand({ TableName: d.db.table, Key: keys.notification(tenantId, 'c_sms', e.id) }));
    expect(record.Item).toMatchObject({ status: 'sent', channel: 'sms', providerMessageId: 'p-1', eventType: 'receipt.committed' });
  });

  it('retries a send the provider refused, and still sends once', async () => {
    const e = receiptEvent('c_sms');
    failNext = new Error('ThrottlingException');
    await expect(notifyCustomer(d, senders, e)).rejects.toThrow('Throttling');
    expect(await notifyCustomer(d, senders, e)).toBe('sent');
    expect(await notifyCustomer(d, senders, e)).toBe('duplicate');
    expect(sent).toHaveLength(2);
  });

  it('does not resend after a crash between claim and send (at most once, never twice)', async () => {
    const e = receiptEvent('c_sms');
    // The worker dies while the provider call hangs: its message is redelivered later. The test
    // waits for the call to reach the provider (the claim is written by then), not for a time.
    let reachedProvider!: () => void;
    const atProvider = new Promise<void>((resolve) => (reachedProvider = resolve));
    const crashing: Senders = {
      sms: {
        send: () => {
          reachedProvider();
          return new Promise(() => undefined);
        },
      },
    };
    void notifyCustomer(d, crashing, e);
    await atProvider;
    expect(await notifyCustomer(d, senders, e)).toBe('duplicate');
    expect(sent).toHaveLength(2);
  });

  it('sends nothing without consent, or for events the program does not notify', async () => {
    expect(await notifyCustomer(d, senders, receiptEvent('c_none'))).toBe('no-channel');
    expect(await notifyCustomer(d, senders, { ...receiptEvent('c_sms'), type: 'points.earned' } as DomainEvent)).toBe('not-notifiable');
    expect(await notifyCustomer(d, senders, { ...receiptEvent('c_sms'), type: 'coupon.issued', data: { code: 'X', campaignId: 'y' } } as DomainEvent)).toBe('off');
  });

  it('writes to a customer without a language in the tenant’s default language when the program names none', async () => {
    const base = deps();
    const c = (await base.customers.get(tenantId, 'c_none'))!;
    const { transactWrite } = await import('#lib/storage/transact.ts');
    await transactWrite(base.db, base.customers.updateItems(c, { ...c, profile: { ...c.profile, name: 'Ada', phone: '+37491234568', consents: { sms: true, email: false, push: false } } }, []));
    const settings = (await base.tenants.settings(tenantId))!;
    expect(await base.tenants.save({ ...settings, defaultLocale: 'hu', version: settings.version + 1 })).toBe(true);
    now = new Date('2027-03-15T12:00:00+04:00');
    // A fresh process: the tenant's settings are cached for a minute per process.
    expect(await notifyCustomer(makeDeps(base.db, () => now), senders, receiptEvent('c_none'))).toBe('sent');
    expect(sent.at(-1)).toMatchObject({ to: '+37491234568', locale: 'hu', text: expect.stringContaining('pontot') });
    sent.pop();
  });

  it('holds messages in quiet hours and the notifications job releases them when they end', async () => {
    now = new Date('2027-03-15T23:30:00+04:00');
    const e = receiptEvent('c_sms');
    expect(await notifyCustomer(d, senders, e)).toBe('deferred');
    const queued: DomainEvent[] = [];
    now = new Date('2027-03-16T07:00:00+04:00');
    expect(await releaseDeferred(d, async (es) => void queued.push(...es), tenantId)).toBe(0);
    now = new Date('2027-03-16T08:05:00+04:00');
    expect(await releaseDeferred(d, async (es) => void queued.push(...es), tenantId)).toBe(1);
    expect(await releaseDeferred(d, async (es) => void queued.push(...es), tenantId)).toBe(0);
    expect(queued.map((q) => q.id)).toEqual([e.id]);
    expect(await notifyCustomer(d, senders, queued[0]!)).toBe('sent');
    expect(sent).toHaveLength(3);
  });
});
