import { beforeAll, describe, expect, it } from 'vitest';
import { envelopeSchema } from '#lib/events/catalog.ts';
import { eventsFromChange } from '#lib/events/outbox.ts';
import { newTenant, scenarioProgram, type TestTenant } from './harness.ts';

const program = {
  ...scenarioProgram,
  customEvents: [
    { id: 'newsletter', name: 'Newsletter +50', event: 'newsletter.subscribed', points: 50 },
    { id: 'checkin', name: 'Check-in +5 a day', event: 'store.checkin', points: 5, limit: { times: 1, per: 'day' } },
    { id: 'share', name: 'Share +10, 3 a week', event: 'social.share', points: 10, limit: { times: 3, per: 'week' }, attributes: { network: ['instagram', 'facebook'] } },
    { id: 'survey', name: 'Survey, first two answers', event: 'survey.answered', points: 100, budget: { grants: 2 } },
  ],
};

describe('Custom events', () => {
  let t: TestTenant;
  let customerId: string;
  const post = (id: string, body: Record<string, unknown>, who: 'staff' | 'pos' = 'staff') => t[who]('POST', `/v1/customers/${id}/events`, body);

  beforeAll(async () => {
    t = await newTenant(program);
    customerId = (await t.pos('POST', '/v1/customers', { name: 'Eventful' })).body.customerId;
  });

  it('should earn once ever by default, in the ledger as kind event with the type, and replay a retry', async () => {
    const body = { eventId: 'nl-1', type: 'newsletter.subscribed', attributes: { list: 'weekly' } };
    const first = await post(customerId, body);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ eventId: 'nl-1', type: 'newsletter.subscribed', points: 50, rules: [{ ruleId: 'newsletter', points: 50 }], notApplied: [], balance: { before: 0, after: 50 } });
    const again = await post(customerId, body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.raw).toBe(first.raw);
    const other = await post(customerId, { ...body, attributes: { list: 'daily' } });
    expect(other.status).toBe(422);
    expect(other.body.error).toMatchObject({ code: 'idempotency_conflict', field: 'eventId' });
    // Another event of the type: the once-ever limit holds.
    const second = await post(customerId, { eventId: 'nl-2', type: 'newsletter.subscribed' });
    expect(second.body).toMatchObject({ points: 0, rules: [], notApplied: [{ ruleId: 'newsletter', reason: 'limit' }], balance: { after: 50 } });

    const ledger = (await t.staff('GET', `/v1/customers/${customerId}/ledger`)).body.entries;
    expect(ledger.filter((e: { kind: string }) => e.kind === 'event')).toEqual([
      expect.objectContaining({ kind: 'event', points: 50, source: { eventId: 'nl-1', eventType: 'newsletter.subscribed', actor: expect.any(String) }, budgets: { 'event:newsletter': { grants: 1, points: 50, amount: 0 } } }),
    ]);
  });

  it('should hold a once-a-day limit in program time, and need a store that exists', async () => {
    const at = (iso: string, eventId: string) => post(customerId, { eventId, type: 'store.checkin', storeId: 'S-01', occurredAt: iso });
    expect((await at('2026-11-30T09:00:00+04:00', 'ci-1')).body.points).toBe(5);
    expect((await at('2026-11-30T23:59:00+04:00', 'ci-2')).body.notApplied).toEqual([{ ruleId: 'checkin', reason: 'limit' }]);
    // 20:30 UTC is already the next day in Yerevan.
    expect((await at('2026-11-30T20:30:00Z', 'ci-3')).body.points).toBe(5);
    const nowhere = await post(customerId, { eventId: 'ci-4', type: 'store.checkin', storeId: 'S-99' });
    expect(nowhere.status).toBe(404);
    expect(nowhere.body.error.field).toBe('storeId');
    const old = await post(customerId, { eventId: 'ci-5', type: 'store.checkin', occurredAt: '2010-01-01T00:00:00Z' });
    expect(old.status).toBe(422);
    expect(old.body.error).toMatchObject({ code: 'event_too_old', field: 'occurredAt' });
  });

  it('should match attributes and count at most 3 a week', async () => {
    const share = (eventId: string, network: string) => post(customerId, { eventId, type: 'social.share', occurredAt: '2026-11-26T12:00:00+04:00', attributes: { network } });
    expect((await share('sh-0', 'tiktok')).body.notApplied).toEqual([{ ruleId: 'share', reason: 'attributes' }]);
    const points = [];
    for (let i = 1; i <= 4; i++) points.push((await share(`sh-${i}`, i % 2 ? 'instagram' : 'facebook')).body.points);
    expect(points).toEqual([10, 10, 10, 0]);
  });

  it('should stop a rule whose budget is spent, and show it through the staff API', async () => {
    const answers = [];
    for (const name of ['A', 'B', 'C']) {
      const id = (await t.pos('POST', '/v1/customers', { name: `Survey ${name}` })).body.customerId;
      answers.push((await post(id, { eventId: `sv-${name}`, type: 'survey.answered', attributes: { score: 9, recommend: true } })).body);
    }
    expect(answers.map((a) => a.points)).toEqual([100, 100, 0]);
    expect(answers[2].notApplied).toEqual([{ ruleId: 'survey', reason: 'budget' }]);
    const budgets = (await t.staff('GET', '/v1/budgets')).body.budgets;
    expect(budgets.find((b: { key: string }) => b.key === 'event:survey')).toMatchObject({ kind: 'event', used: { grants: 2, points: 200 }, total: { grants: 2 }, left: { grants: 0 }, spent: true, perCustomer: { per: 'ever', grants: 1 } });
    const mine = (await t.staff('GET', `/v1/customers/${customerId}/budgets`)).body.budgets;
    expect(mine.find((b: { key: string }) => b.key === 'event:newsletter')).toMatchObject({ per: 'ever', period: 'ever', used: { grants: 1, points: 50 }, left: { grants: 0 } });
  });

  it('should raise a customer.event catalog event from the stored event', async () => {
    const stored = (await t.items()).find((i) => i.type === 'customEvent' && i.eventId === 'nl-1')!;
    const events = eventsFromChange({ eventName: 'INSERT', newImage: stored, at: new Date().toISOString() });
    expect(events).toHaveLength(1);
    const e = envelopeSchema('customer.event').parse(events[0]);
    expect(e).toMatchObject({ type: 'customer.event', customerId, data: { eventId: 'nl-1', eventType: 'newsletter.subscribed', attributes: { list: 'weekly' }, points: 50 } });
  });

  it('should refuse tills, bad types and too many attributes, writing nothing', async () => {
    const before = (await t.items()).length;
    expect((await post(customerId, { eventId: 'x-1', type: 'newsletter.subscribed' }, 'pos')).status).toBe(403);
    const badType = await post(customerId, { eventId: 'x-2', type: 'App Installed' });
    expect(badType.status).toBe(400);
    expect(badType.body.error.field).toBe('type');
    const many = await post(customerId, { eventId: 'x-3', type: 'app.installed', attributes: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`a${i}`, i])) });
    expect(many.status).toBe(400);
    expect(many.body.error.field).toBe('attributes');
    expect((await t.items()).length).toBe(before);
  });

  it('should record an event no rule earns on, for journeys and webhooks, and export it', async () => {
    const r = await post(customerId, { eventId: 'app-1', type: 'app.installed', attributes: { platform: 'ios' } });
    expect(r.body).toMatchObject({ points: 0, rules: [], notApplied: [] });
    const exported = (await t.staff('GET', `/v1/customers/${customerId}/export`)).body;
    expect(exported.events.map((e: { eventId: string }) => e.eventId)).toContain('app-1');
  });
});
