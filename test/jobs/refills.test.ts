/** Scenario 6's refill reminder: three days before a 30-day product runs out, unless bought again. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { runJob } from '#lib/app/jobs.ts';
import { keys } from '#lib/storage/keys.ts';
import { trackRefills } from '#domain/refills.ts';
import { refillRuleSchema } from '#domain/schemas/refills.ts';
import { newTenant, receipt, type TestTenant } from '../integration/harness.ts';
import { jobHarness, type Harness } from './support.ts';

const program = {
  name: 'Pharmacy refills',
  currency: 'AMD',
  timeZone: 'Asia/Yerevan',
  earning: { base: { points: 1, per: 1000 } },
  refills: [{ id: 'bp', name: 'blood-pressure tablets', skus: ['BP-TABS'], days: 30, remindDaysBefore: 3 }],
};

describe('refill reminders', () => {
  let t: TestTenant;
  let h: Harness;
  const cards: Record<string, string> = {};

  beforeAll(async () => {
    t = await newTenant(program);
    for (const who of ['once', 'again', 'other']) cards[who] = (await t.pos('POST', '/v1/customers', { name: who })).body.card;
    const buy = (card: string, sku: string, at: string) => t.pos('POST', '/v1/receipts', { ...receipt(card, [{ amount: 5000, sku }]), occurredAt: at });
    expect((await buy(cards.once!, 'BP-TABS', '2026-10-01T10:00:00+04:00')).status).toBe(200);
    expect((await buy(cards.again!, 'BP-TABS', '2026-10-01T10:00:00+04:00')).status).toBe(200);
    expect((await buy(cards.again!, 'BP-TABS', '2026-10-20T10:00:00+04:00')).status).toBe(200);
    expect((await buy(cards.other!, 'VITC', '2026-10-01T10:00:00+04:00')).status).toBe(200);
    h = await jobHarness();
  }, 60_000);
  afterAll(() => h.close());

  const reminders = async (card: string) => {
    const id = (await t.pos('POST', '/v1/identify', { customer: { card } })).body.customerId as string;
    const r = await h.deps.db.doc.send(
      new QueryCommand({ TableName: h.deps.db.table, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :r)', ExpressionAttributeValues: { ':pk': keys.customer(t.tenantId, id).pk, ':r': 'REMIND#REFILL#' } }),
    );
    return r.Items ?? [];
  };

  it('reminds on 28 October about tablets bought on 1 October, once, and not the customer who bought again', async () => {
    h.setNow('2026-10-27T09:00:00+04:00');
    expect((await runJob(h.deps, h.accounts, 'refills', { tenantId: t.tenantId, day: '2026-10-27' })).tenants[0]).toMatchObject({ customers: 0 });
    h.setNow('2026-10-28T09:00:00+04:00');
    expect((await runJob(h.deps, h.accounts, 'refills', { tenantId: t.tenantId, day: '2026-10-28' })).tenants[0]).toMatchObject({ customers: 1 });
    await h.queues.drain();
    expect(await reminders(cards.once!)).toEqual([expect.objectContaining({ sku: 'BP-TABS', name: 'blood-pressure tablets', runsOutOn: '2026-10-31', remindOn: '2026-10-28' })]);
    expect(await reminders(cards.again!)).toEqual([]);
    expect(await reminders(cards.other!)).toEqual([]);
    // Run again: the reminder left the account with the first run, so nobody is due.
    expect((await runJob(h.deps, h.accounts, 'refills', { tenantId: t.tenantId, day: '2026-10-28' })).tenants[0]).toMatchObject({ customers: 0 });
    // The one who bought again is reminded three days before the new date.
    h.setNow('2026-11-16T09:00:00+04:00');
    expect((await runJob(h.deps, h.accounts, 'refills', { tenantId: t.tenantId, day: '2026-11-16' })).tenants[0]).toMatchObject({ customers: 1 });
    await h.queues.drain();
    expect(await reminders(cards.again!)).toEqual([expect.objectContaining({ runsOutOn: '2026-11-19' })]);
  });

  it('counts the units bought: two packs last twice as long', () => {
    const rules = [refillRuleSchema.parse(program.refills[0])];
    const r = trackRefills(rules, {}, [{ sku: 'BP-TABS', category: 'rx', quantityMilli: 2000 }], new Date('2026-10-01T10:00:00+04:00'), 'Asia/Yerevan');
    expect(r['BP-TABS']).toMatchObject({ runsOutOn: '2026-11-30', remindOn: '2026-11-27' });
  });
});
