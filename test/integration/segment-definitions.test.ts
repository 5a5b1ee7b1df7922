/**
 * Segments as definitions, end to end on DynamoDB Local: defined through the staff API, kept
 * current from events (a receipt through the POS handlers → the table's stream → the bus → the
 * account worker) and by the nightly job run by hand, read and exported a page at a time, and
 * used where segments are used (a coupon issue to a segment, the customer's profile).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_SEGMENT_DEFINITIONS } from '#domain/segments.ts';
import { startBackground, type Background } from '../../local/background.ts';
import { newTenant, receipt, scenarioProgram, type TestTenant } from './harness.ts';

const program = {
  ...scenarioProgram,
  earning: { ...scenarioProgram.earning, rules: [{ id: 'baby-x2', name: 'Baby buyers ×2', type: 'multiplier', multiplier: 2, when: { segments: ['baby'] } }] },
  purchaseSummary: { categories: 10, skus: 0, stores: 5 },
  rfm: { windowMonths: 12, newDays: 7, atRiskDays: 60, lapsedDays: 120 },
};

let bg: Background;

beforeAll(async () => {
  bg = await startBackground({ dynamoEndpoint: process.env.DYNAMODB_ENDPOINT!, table: process.env.TABLE_NAME!, tickMs: 0, streamFrom: 'LATEST', retryScale: 0.1 });
}, 60_000);
afterAll(() => bg.close());

const enrol = async (t: TestTenant, name: string) => (await t.pos('POST', '/v1/customers', { name, consents: { sms: true, email: false, push: false } })).body as { customerId: string; card: string };
const profile = async (t: TestTenant, customerId: string) => (await t.staff('GET', `/v1/customers/${customerId}`)).body;

describe('segment definitions through the staff API', () => {
  let t: TestTenant;
  beforeAll(async () => {
    t = await newTenant(program);
  });

  it('should create, read, change and delete a definition, refusing what cannot be evaluated with a 400 naming the field and writing nothing', async () => {
    const before = (await t.items()).length;
    const noSkus = await t.staff('POST', '/v1/segments', { segmentId: 'diapers', name: 'Diapers', conditions: [{ kind: 'bought', skus: ['D-1'], withinMonths: 3 }] });
    expect(noSkus.status).toBe(400);
    expect(noSkus.body.error).toMatchObject({ field: 'conditions.0.kind', message: expect.stringContaining('purchaseSummary.skus') });
    const unknownTier = await t.staff('POST', '/v1/segments', { segmentId: 'plat', name: 'Platinum', conditions: [{ kind: 'tier', tiers: ['platinum'] }] });
    expect(unknownTier.body.error).toMatchObject({ field: 'conditions.0.tiers.0' });
    const badKind = await t.staff('POST', '/v1/segments', { segmentId: 'x', name: 'X', conditions: [{ kind: 'weather', sunny: true }] });
    expect(badKind.status).toBe(400);
    expect(badKind.body.error.field).toMatch(/^conditions\.0/);
    expect((await t.items()).length).toBe(before);

    const created = await t.staff('POST', '/v1/segments', { segmentId: 'gold', name: 'Gold', conditions: [{ kind: 'tier', tiers: ['gold'] }] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ segmentId: 'gold', match: 'all', version: 1, conditions: [{ kind: 'tier', tiers: ['gold'], not: false }] });
    expect((await t.staff('POST', '/v1/segments', { segmentId: 'gold', name: 'Again', conditions: [{ kind: 'tier', tiers: ['gold'] }] })).body.error.code).toBe('segment_exists');
    const changed = await t.staff('PUT', '/v1/segments/gold', { name: 'Gold or silver', match: 'any', conditions: [{ kind: 'tier', tiers: ['gold'] }, { kind: 'tier', tiers: ['silver'] }] });
    expect(changed.body).toMatchObject({ version: 2, match: 'any', name: 'Gold or silver' });
    expect((await t.staff('GET', '/v1/segments')).body.segments.map((s: { segmentId: string }) => s.segmentId)).toEqual(['gold']);
    expect((await t.staff('DELETE', '/v1/segments/gold')).status).toBe(200);
    expect((await t.staff('GET', '/v1/segments/gold')).status).toBe(404);
  });

  it(`should refuse definition number ${MAX_SEGMENT_DEFINITIONS + 1} with a 422 naming the limit`, async () => {
    const t2 = await newTenant(program);
    for (let i = 0; i < MAX_SEGMENT_DEFINITIONS; i++) {
      expect((await t2.staff('POST', '/v1/segments', { segmentId: `s${i}`, name: `S ${i}`, conditions: [{ kind: 'consent', channel: 'sms' }] })).status).toBe(201);
    }
    const over = await t2.staff('POST', '/v1/segments', { segmentId: 'one-more', name: 'One more', conditions: [{ kind: 'consent', channel: 'sms' }] });
    expect(over.status).toBe(422);
    expect(over.body.error).toMatchObject({ code: 'limit_exceeded', field: 'segmentId', message: expect.stringContaining(`at most ${MAX_SEGMENT_DEFINITIONS}`) });
  });

  it('should not let staff set a defined segment by hand, nor define a segment that already has members set by hand', async () => {
    const c = await enrol(t, 'Hand');
    await t.staff('POST', '/v1/segments', { segmentId: 'sms-ok', name: 'SMS consent', conditions: [{ kind: 'consent', channel: 'sms' }] });
    const r = await t.staff('PUT', `/v1/customers/${c.customerId}/segments`, { segments: ['staff-pick', 'sms-ok'] });
    expect(r.status).toBe(400);
    expect(r.body.error.field).toBe('segments.1');
    expect((await t.staff('PUT', `/v1/customers/${c.customerId}/segments`, { segments: ['staff-pick'] })).status).toBe(200);
    const taken = await t.staff('POST', '/v1/segments', { segmentId: 'staff-pick', name: 'Taken', conditions: [{ kind: 'consent', channel: 'sms' }] });
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('segment_in_use');
  });
});

describe('membership kept current', () => {
  it('should put a customer in from the events of a receipt, take them out after a return, and list, export and issue coupons to the members', async () => {
    const t = await newTenant(program);
    expect((await t.staff('POST', '/v1/segments', { segmentId: 'baby', name: 'Baby buyers', conditions: [{ kind: 'bought', categories: ['baby'], withinMonths: 12 }] })).status).toBe(201);
    expect((await t.staff('POST', '/v1/segments', { segmentId: 'rich', name: 'Balance 1000+', conditions: [{ kind: 'balance', min: 1000 }] })).status).toBe(201);
    const ann = await enrol(t, 'Ann');
    const bob = await enrol(t, 'Bob');
    const bought = receipt(ann.card, [{ amount: 150_000, category: 'baby' }], { occurredAt: new Date().toISOString() });
    expect((await t.pos('POST', '/v1/receipts', bought)).status).toBe(200);
    await t.pos('POST', '/v1/receipts', receipt(bob.card, [{ amount: 20_000, category: 'general' }], { occurredAt: new Date().toISOString() }));
    await bg.settle();
    const p = await profile(t, ann.customerId);
    expect(p.segments).toEqual(['baby', 'rich']);
    expect(p.rfm).toMatchObject({ class: 'new', recencyDays: 0, receipts: 1, spend: 150_000 });
    expect((await profile(t, bob.customerId)).segments).toEqual([]);

    const members = await t.staff('GET', '/v1/segments/rich/members?limit=10');
    expect(members.body).toMatchObject({ segmentId: 'rich', members: [{ customerId: ann.customerId, since: expect.any(String) }], nextCursor: null });
    const csv = await t.staff('GET', '/v1/segments/baby/export');
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const babySince = (await t.staff('GET', '/v1/segments/baby/members')).body.members[0].since;
    expect(csv.raw).toBe(`customerId,since\r\n${ann.customerId},${babySince}\r\n`);
    expect(csv.headers['next-cursor']).toBeUndefined();

    // Where segments are used today: a rule limited to the segment (the next receipt earns double)…
    const next = await t.pos('POST', '/v1/receipts', receipt(ann.card, [{ amount: 10_000 }], { occurredAt: new Date().toISOString() }));
    // 10,000 less gold's 2 % is 9,800 paid: 98 points, doubled.
    expect(next.body.earn).toMatchObject({ points: 196, rules: ['baby-x2'] });
    // …and a coupon to every member.
    const issued = await t.staff('POST', '/v1/coupons', { campaignId: 'welcome', segment: 'baby' });
    expect(issued.status).toBe(201);
    expect(issued.body.customers).toEqual([ann.customerId]);

    // A return takes the points back: out of the balance segment, still a baby buyer.
    expect((await t.pos('POST', '/v1/returns', { returnId: `ret-${bought.receiptId}`, receiptId: bought.receiptId, lines: [{ lineId: '1', quantity: 1 }] })).status).toBe(200);
    await bg.settle();
    expect((await profile(t, ann.customerId)).segments).toEqual(['baby']);
    expect((await t.staff('GET', '/v1/segments/rich/members')).body.members).toEqual([]);
    expect(bg.queues.queues.accounts!.deadLetters).toEqual([]);
  });

  it('should put a customer in from a custom event of the type a definition names, within its days, and not for another type', async () => {
    const t = await newTenant(program);
    const bad = await t.staff('POST', '/v1/segments', { segmentId: 'app', name: 'App users', conditions: [{ kind: 'event', event: 'App Installed', withinDays: 30 }] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('conditions.0.event');
    const unbounded = await t.staff('POST', '/v1/segments', { segmentId: 'app', name: 'App users', conditions: [{ kind: 'event', event: 'app.installed' }] });
    expect(unbounded.status).toBe(400);
    expect(unbounded.body.error).toMatchObject({ field: 'conditions.0.after', message: expect.stringContaining('withinDays') });
    expect((await t.staff('POST', '/v1/segments', { segmentId: 'app', name: 'App users', conditions: [{ kind: 'event', event: 'app.installed', withinDays: 30 }] })).status).toBe(201);
    const ann = await enrol(t, 'Ann');
    const bob = await enrol(t, 'Bob');
    const post = (c: { customerId: string }, eventId: string, type: string, occurredAt?: string) =>
      t.staff('POST', `/v1/customers/${c.customerId}/events`, { eventId, type, ...(occurredAt ? { occurredAt } : {}) });
    expect((await post(ann, 'e-1', 'app.installed')).status).toBe(200);
    expect((await post(bob, 'e-2', 'newsletter.subscribed')).status).toBe(200);
    await bg.settle();
    expect((await profile(t, ann.customerId)).segments).toEqual(['app']);
    expect((await profile(t, bob.customerId)).segments).toEqual([]);
    // An older event of the same type does not move the latest day back.
    expect((await post(ann, 'e-3', 'app.installed', new Date(Date.now() - 40 * 86_400_000).toISOString())).status).toBe(200);
    await bg.settle();
    expect((await profile(t, ann.customerId)).segments).toEqual(['app']);
    expect(bg.queues.queues.accounts!.deadLetters).toEqual([]);
  });

  it('should page the members and the CSV export with a cursor', async () => {
    const t = await newTenant(program);
    await t.staff('POST', '/v1/segments', { segmentId: 'sms', name: 'SMS', conditions: [{ kind: 'consent', channel: 'sms' }] });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await enrol(t, `M${i}`)).customerId);
    await bg.settle();
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const r = await t.staff('GET', `/v1/segments/sms/export?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      const rows = r.raw.trim().split('\r\n');
      expect(rows[0]).toBe('customerId,since');
      seen.push(...rows.slice(1).map((row: string) => row.split(',')[0]!));
      cursor = r.headers['next-cursor'];
    } while (cursor);
    expect(seen).toEqual([...ids].sort());
    const bad = await t.staff('GET', `/v1/segments/other/members?cursor=${(await t.staff('GET', '/v1/segments/sms/members?limit=1')).body.nextCursor}`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('cursor');
  });

  it('should move customers with the calendar in the nightly job, keep segments set by hand, and empty a deleted definition', async () => {
    const t = await newTenant(program);
    await t.staff('POST', '/v1/segments', { segmentId: 'lapsed', name: 'Lapsed', conditions: [{ kind: 'rfm', classes: ['lapsed'] }] });
    const c = await enrol(t, 'Lapsing');
    await t.pos('POST', '/v1/receipts', receipt(c.card, [{ amount: 10_000 }], { occurredAt: '2026-11-20T12:00:00+04:00' }));
    await t.staff('PUT', `/v1/customers/${c.customerId}/segments`, { segments: ['by-hand'] });
    await bg.settle();
    expect((await profile(t, c.customerId)).segments).toEqual(['by-hand']);

    // 20 November + 120 days: lapsed on 20 March.
    await bg.runJob('segments', { day: '2027-03-19', tenantId: t.tenantId });
    expect((await profile(t, c.customerId)).segments).toEqual(['by-hand']);
    const report = (await bg.runJob('segments', { day: '2027-03-20', tenantId: t.tenantId })) as { tenants: Array<{ customers: number }> };
    expect(report.tenants[0]!.customers).toBe(1);
    expect((await profile(t, c.customerId)).segments).toEqual(['by-hand', 'lapsed']);
    expect((await t.staff('GET', '/v1/segments/lapsed/members')).body.members.map((m: { customerId: string }) => m.customerId)).toEqual([c.customerId]);

    // Deleted: its members leave at the next run, the hand-set segment stays.
    await t.staff('DELETE', '/v1/segments/lapsed');
    await bg.runJob('segments', { day: '2027-03-21', tenantId: t.tenantId });
    expect((await profile(t, c.customerId)).segments).toEqual(['by-hand']);
    expect((await t.staff('GET', '/v1/segments/lapsed/members')).body.members).toEqual([]);
    expect(bg.queues.queues.accounts!.deadLetters).toEqual([]);
  });

  it('should still evaluate a tenant that defines no segments (RFM classes for the members report), changing no segments', async () => {
    const t = await newTenant(program);
    const c = await enrol(t, 'Nobody');
    const report = (await bg.runJob('segments', { day: '2027-01-01', tenantId: t.tenantId })) as { tenants: Array<{ skipped?: string; customers: number }> };
    expect(report.tenants[0]).toMatchObject({ customers: 1 });
    expect(report.tenants[0]!.skipped).toBeUndefined();
    expect((await profile(t, c.customerId)).segments).toEqual([]);
  });
});
