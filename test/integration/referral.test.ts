import { describe, expect, it } from 'vitest';
import { scenario3Program, scenario6FamilyProgram } from '../domain/fixtures-scenarios.ts';
import { newTenant, receiptId, type TestTenant } from './harness.ts';

async function tenantWith(document: unknown): Promise<TestTenant> {
  const t = await newTenant();
  expect((await t.staff('POST', '/v1/program', { document })).status).toBe(201);
  return t;
}

const buy = (t: TestTenant, card: string, currency: string, amount: number) =>
  t.pos('POST', '/v1/receipts', {
    receiptId: receiptId(),
    occurredAt: '2026-11-20T12:00:00+04:00',
    currency,
    customer: { card },
    lines: [{ lineId: '1', sku: 'FRAME', category: 'optics', quantity: 1, unitPrice: amount, amount }],
  });

describe('Scenario 3: referral', () => {
  it('should give the friend 8 % always and the referrer +5 points per buying friend, capped at 15 %', async () => {
    const t = await tenantWith(scenario3Program);
    const member = (await t.pos('POST', '/v1/customers', { name: 'Member' })).body;
    expect(member.referralCode).toMatch(/^[A-Z2-9]{8}$/);

    const friends = [];
    for (let i = 0; i < 4; i++) {
      const f = await t.pos('POST', '/v1/customers', { name: `Friend ${i}`, referralCode: member.referralCode.toLowerCase() });
      expect(f.status).toBe(201);
      expect(f.body.referredBy).toBe(member.customerId);
      friends.push(f.body);
    }
    expect((await buy(t, member.card, 'AMD', 100_000)).body.totals.tierDiscount).toBe(0);

    const first = await buy(t, friends[0].card, 'AMD', 100_000);
    expect(first.body.discount).toEqual({ bps: 800, sources: ['referral:newcomer'] });
    expect(first.body.totals.tierDiscount).toBe(8_000);
    const again = await buy(t, friends[0].card, 'AMD', 100_000);
    expect(again.body.totals.tierDiscount).toBe(8_000);

    expect((await t.pos('POST', '/v1/identify', { customer: { card: member.card } })).body.discount.bps).toBe(500);
    expect((await buy(t, member.card, 'AMD', 100_000)).body.totals.tierDiscount).toBe(5_000);

    // Two more friends buy at once: the member's item takes both rewards without losing one.
    await Promise.all([buy(t, friends[1].card, 'AMD', 10_000), buy(t, friends[2].card, 'AMD', 10_000), buy(t, member.card, 'AMD', 10_000)]);
    await buy(t, friends[3].card, 'AMD', 10_000);
    const capped = await buy(t, member.card, 'AMD', 100_000);
    expect(capped.body.discount.bps).toBe(1_500);
    expect(capped.body.totals.tierDiscount).toBe(15_000);
  });

  it('should refuse an unknown referral code, naming the field', async () => {
    const t = await tenantWith(scenario3Program);
    const r = await t.pos('POST', '/v1/customers', { referralCode: 'NOSUCH22' });
    expect(r.status).toBe(422);
    expect(r.body.error.field).toBe('referralCode');
  });
});

describe('Scenario 6: family referral', () => {
  it('should give the newcomer +100 at enrolment and the member +200 after the newcomer’s first purchase', async () => {
    const t = await tenantWith(scenario6FamilyProgram);
    const member = (await t.pos('POST', '/v1/customers', { phone: '+380501112233' })).body;
    const family = (await t.pos('POST', '/v1/customers', { phone: '+380501112244', referralCode: member.referralCode })).body;
    expect(family.points.available).toBe(100);

    await buy(t, family.card, 'UAH', 100_000);
    const pending = await t.pos('POST', '/v1/identify', { customer: { phone: '+380501112233' } });
    expect(pending.body.points).toMatchObject({ available: 0, pending: 200 });

    // The member's next write settles the reward into the ledger.
    const next = await buy(t, member.card, 'UAH', 10_000);
    expect(next.body.balance).toEqual({ before: 200, after: 210 });
    const ledger = await t.staff('GET', `/v1/customers/${member.customerId}/ledger`);
    expect(ledger.body.entries.map((e: { kind: string; points: number }) => [e.kind, e.points])).toEqual([
      ['earn', 10],
      ['bonus', 200],
    ]);
    expect(ledger.body.balance).toBe(210);

    await buy(t, family.card, 'UAH', 100_000);
    const later = await t.pos('POST', '/v1/identify', { customer: { card: member.card } });
    expect(later.body.points.pending).toBe(0);
  });
});
