/**
 * The reports #16 added on top of the counters: members by the store that enrolled them, members
 * per RFM class (the nightly segments job writes each customer's class when it moves, the stream
 * counts the moves). End to end: POS and staff calls through the real handlers, the stack's
 * background (stream readers, queues, jobs) in process, and every figure reconciled with what
 * was posted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dayOf } from '#domain/insight.ts';
import { startBackground, type Background } from '../../local/background.ts';
import { newTenant, receipt, type TestTenant } from './harness.ts';

let bg: Background;
let t: TestTenant;
const ZONE = 'Asia/Yerevan';
let today: string;
const members: Array<{ customerId: string; card: string }> = [];

const report = async (path: string) => {
  const r = await t.staff('GET', path);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
};

beforeAll(async () => {
  bg = await startBackground({ dynamoEndpoint: process.env.DYNAMODB_ENDPOINT!, table: process.env.TABLE_NAME!, tickMs: 0, streamFrom: 'LATEST', retryScale: 0.1 });
  t = await newTenant();
  today = dayOf(new Date(), ZONE);
  // Two members enrolled at S-01's till, one at S-02's, one by staff.
  for (const call of [t.pos, t.pos, t.pos2, t.staff]) {
    const r = await call('POST', '/v1/customers', { name: 'M' });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    members.push(r.body);
  }
  // Two of them buy today.
  for (const m of members.slice(0, 2)) {
    const r = await t.pos('POST', '/v1/receipts', receipt(m.card, [{ amount: 12_000 }], { occurredAt: new Date().toISOString() }));
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  }
  await bg.settle();
}, 60_000);

afterAll(() => bg?.close());

describe('Members report: by enrolment store and by RFM class', () => {
  it('counts members by the store whose till enrolled them, in the month and to its end; the stores add up to the enrolments', async () => {
    const m = await report(`/v1/reports/members?from=${today.slice(0, 7)}&to=${today.slice(0, 7)}`);
    const month = m.months[0];
    expect(month.byStore).toEqual([
      { store: 'S-01', enrolled: 2, imported: 0, members: 2 },
      { store: 'S-02', enrolled: 1, imported: 0, members: 1 },
      { store: null, enrolled: 1, imported: 0, members: 1 },
    ].sort((a, b) => String(a.store ?? '-').localeCompare(String(b.store ?? '-'))));
    expect(month.byStore.reduce((s: number, r: any) => s + r.enrolled, 0)).toBe(month.enrolled);
    // Before any nightly run nobody is classified.
    expect(month.rfmClasses).toMatchObject({ unclassified: 4, new: 0, prospect: 0 });
  });

  it('counts members per RFM class once the nightly job has classed them; the classes add up to the members, and a second night moves nothing', async () => {
    await bg.runJob('segments', { day: today, tenantId: t.tenantId });
    const month = (await report(`/v1/reports/members?from=${today.slice(0, 7)}&to=${today.slice(0, 7)}`)).months[0];
    // What each customer's profile says their class is today, counted.
    const expected: Record<string, number> = {};
    for (const mem of members) {
      const cls = (await t.staff('GET', `/v1/customers/${mem.customerId}`)).body.rfm.class as string;
      expected[cls] = (expected[cls] ?? 0) + 1;
    }
    expect(expected).toEqual({ new: 2, prospect: 2 });
    const counted = Object.fromEntries(Object.entries(month.rfmClasses).filter(([, n]) => n !== 0));
    expect(counted).toEqual(expected);
    const totalMembers = month.byStore.reduce((s: number, r: any) => s + r.members, 0);
    expect(Object.values(month.rfmClasses as Record<string, number>).reduce((s, n) => s + n, 0)).toBe(totalMembers);
    // The same night again writes no customer (no class moved), so the counts stay.
    await bg.runJob('segments', { day: today, tenantId: t.tenantId });
    expect((await report(`/v1/reports/members?from=${today.slice(0, 7)}&to=${today.slice(0, 7)}`)).months[0].rfmClasses).toEqual(month.rfmClasses);
  });
});
