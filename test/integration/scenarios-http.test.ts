import { describe, expect, it } from 'vitest';
import { scenario2Program, scenario4Program, scenario6Program } from '../domain/fixtures-scenarios.ts';
import { newTenant, receiptId, type TestTenant } from './harness.ts';

async function tenantWith(document: unknown): Promise<TestTenant> {
  const t = await newTenant();
  const r = await t.staff('POST', '/v1/program', { document });
  expect(r.status).toBe(201);
  return t;
}

const body = (card: string, currency: string, lines: Array<{ sku: string; qty: number; amount: number }>, extra: object = {}) => ({
  receiptId: receiptId(),
  occurredAt: '2026-11-20T12:00:00+02:00',
  currency,
  customer: { card },
  lines: lines.map((l, i) => ({ lineId: String(i + 1), sku: l.sku, category: 'goods', quantity: l.qty, unitPrice: l.amount / l.qty, amount: l.amount })),
  ...extra,
});

describe('Scenarios through the HTTP API, as program documents only', () => {
  it('scenario 2: the receipt after ten items gets 270.00 off, and a full return gives the reward back', async () => {
    const t = await tenantWith(scenario2Program);
    const card = (await t.pos('POST', '/v1/customers', { name: 'Eleven' })).body.card;
    for (const [qty, amount] of [[4, 120_000], [3, 60_000], [3, 90_000]] as const) {
      expect((await t.pos('POST', '/v1/receipts', body(card, 'HUF', [{ sku: 'SHIRT', qty, amount }]))).status).toBe(200);
    }
    const id = await t.pos('POST', '/v1/identify', { customer: { card } });
    expect(id.body.rewards).toMatchObject([{ amountOff: 27_000 }]);
    const eleventh = body(card, 'HUF', [{ sku: 'COAT', qty: 1, amount: 50_000 }]);
    const r = await t.pos('POST', '/v1/receipts', eleventh);
    expect(r.body.totals).toMatchObject({ rewardDiscount: 27_000, paid: 23_000 });
    const ret = await t.pos('POST', '/v1/returns', { returnId: receiptId('RET'), receiptId: eleventh.receiptId, lines: [{ lineId: '1', quantity: 1 }] });
    expect(ret.body.totals.refund).toBe(23_000);
    expect((await t.pos('POST', '/v1/identify', { customer: { card } })).body.rewards).toMatchObject([{ amountOff: 27_000 }]);
  });

  it('scenario 4: stamps show at identify; the 5-stamp reward can be handed over as a gift', async () => {
    const t = await tenantWith(scenario4Program);
    const card = (await t.pos('POST', '/v1/customers', { name: 'Stamps' })).body.card;
    const five = await t.pos('POST', '/v1/receipts', body(card, 'UAH', ['P1', 'P2', 'P3', 'P4', 'P5'].map((sku) => ({ sku, qty: 1, amount: 10_000 }))));
    expect(five.body.rewards.unlocked).toMatchObject([{ discountBps: 300, gift: 'kitchen towel' }]);
    const id = await t.pos('POST', '/v1/identify', { customer: { card } });
    expect(id.body.stampCards).toMatchObject([{ ruleId: 'household-card', stamps: 5, of: 7 }]);
    const rewardId = id.body.rewards[0].rewardId;
    const gift = await t.pos('POST', '/v1/receipts', body(card, 'UAH', [{ sku: 'X', qty: 1, amount: 10_000 }], { rewards: { asGift: [rewardId] } }));
    expect(gift.status, gift.raw).toBe(200);
    expect(gift.body.rewards.used).toEqual([{ rewardId, name: 'Household stamp card', discount: 0, asGift: true }]);
    const bogus = await t.pos('POST', '/v1/receipts', body(card, 'UAH', [{ sku: 'X', qty: 1, amount: 10_000 }], { rewards: { asGift: ['nope:1'] } }));
    expect(bogus.status).toBe(422);
    expect(bogus.body.error.field).toBe('rewards.asGift');
  });

  it('scenario 6: silver after 25000.00 earns ×1.5 on the next receipt', async () => {
    const t = await tenantWith(scenario6Program);
    const card = (await t.pos('POST', '/v1/customers', { phone: '+380671234567' })).body.card;
    const first = await t.pos('POST', '/v1/receipts', body(card, 'UAH', [{ sku: 'A', qty: 1, amount: 2_500_000 }]));
    expect(first.body).toMatchObject({ totals: { pointsEarned: 2_500 }, tierUpgrade: { to: 'silver' }, tierAfter: { id: 'silver' } });
    const second = await t.pos('POST', '/v1/receipts', { ...body(card, 'UAH', [{ sku: 'A', qty: 1, amount: 1_000_000 }]), customer: { phone: '+380 67 123 4567' } });
    expect(second.body.totals.pointsEarned).toBe(1_500);
  });
});

describe('Scenario 1 through the HTTP API', () => {
  it('should give 0, 0, 4.00, 2.00 and, once staff makes the customer VIP, 10.00', async () => {
    const t = await tenantWith({
      name: 'Scenario 1: progressive discount card',
      currency: 'AMD',
      timeZone: 'Asia/Yerevan',
      earning: { base: { points: 0, per: 100 } },
      tiers: {
        levels: [
          { id: 'standard', name: 'Standard', threshold: 0, discountBps: 0 },
          { id: 'one', name: '1 %', threshold: 50_000, discountBps: 100 },
          { id: 'two', name: '2 %', threshold: 80_000, discountBps: 200 },
        ],
        staffLevels: [{ id: 'vip', name: 'VIP', discountBps: 500 }],
      },
    });
    const c = (await t.pos('POST', '/v1/customers', { name: 'Wholesale' })).body;
    const discounts = [];
    for (const amount of [30_000, 25_000, 40_000, 10_000]) discounts.push((await buyOne(t, c.card, 'AMD', amount)).body.totals.tierDiscount);
    expect(discounts).toEqual([0, 0, 400, 200]);
    expect((await t.staff('GET', `/v1/customers/${c.customerId}`)).body.cumulativePaid).toBe(30_000 + 25_000 + 39_600 + 9_800);
    await t.staff('PUT', `/v1/customers/${c.customerId}/tier`, { tierId: 'vip', reason: 'wholesale partner' });
    expect((await buyOne(t, c.card, 'AMD', 20_000)).body.totals.tierDiscount).toBe(1_000);
  });
});

describe('Scenario 5 mechanics beyond the example receipt, through the HTTP API', () => {
  it('should apply the morning ×2 and the +10 % of store S-02, and grant +20 once per reviewed product', async () => {
    const { scenario5Program } = await import('../domain/fixtures-scenarios.ts');
    const doc = {
      ...scenario5Program,
      earning: {
        ...scenario5Program.earning,
        rules: scenario5Program.earning.rules.map((r) => (r.id === 's07-plus-10' ? { ...r, when: { stores: ['S-02'] } } : r)),
      },
      bonuses: { registration: 100, review: 20 },
    };
    const t = await tenantWith(doc);
    const c = (await t.pos('POST', '/v1/customers', { name: 'Morning' })).body;
    const monday = { ...body(c.card, 'AMD', [{ sku: 'SHAMPOO', qty: 1, amount: 20_000 }]), occurredAt: '2026-11-23T09:30:00+04:00' };
    const r = await t.pos2('POST', '/v1/receipts', monday);
    expect(r.body.earn.rules.sort()).toEqual(['morning-x2', 's07-plus-10']);
    expect(r.body.totals.pointsEarned).toBe(420);

    const review = await t.staff('POST', `/v1/customers/${c.customerId}/reviews`, { sku: 'SHAMPOO', rating: 5 });
    expect(review.body).toMatchObject({ pointsGranted: 20, balance: { before: 520, after: 540 } });
    const again = await t.staff('POST', `/v1/customers/${c.customerId}/reviews`, { sku: 'SHAMPOO', rating: 1 });
    expect(again.raw).toBe(review.raw);
    expect(again.headers['idempotent-replayed']).toBe('true');
  });

  it('should limit a rule to a segment set on the customer', async () => {
    const t = await tenantWith({
      name: 'Segments',
      currency: 'AMD',
      timeZone: 'Asia/Yerevan',
      earning: { base: { points: 1, per: 100 }, rules: [{ id: 'students', name: 'Students ×2', type: 'multiplier', multiplier: 2, when: { segments: ['students'] } }] },
    });
    const c = (await t.pos('POST', '/v1/customers', { name: 'Student' })).body;
    expect((await buyOne(t, c.card, 'AMD', 10_000)).body.totals.pointsEarned).toBe(100);
    const s = await t.staff('PUT', `/v1/customers/${c.customerId}/segments`, { segments: ['students'] });
    expect(s.body.segments).toEqual(['students']);
    expect((await buyOne(t, c.card, 'AMD', 10_000)).body.totals.pointsEarned).toBe(200);
  });
});

describe('Scenario 7 expiry through the HTTP API', () => {
  it('should show points earned on 15 March 2026 as expiring on 31 March 2027', async () => {
    const t = await tenantWith({ name: 'Expiry', currency: 'AMD', timeZone: 'Asia/Yerevan', earning: { base: { points: 1, per: 100 } }, expiry: { afterMonths: 12 } });
    const c = (await t.pos('POST', '/v1/customers', { name: 'March' })).body;
    await t.pos('POST', '/v1/receipts', { ...body(c.card, 'AMD', [{ sku: 'A', qty: 1, amount: 10_000 }]), occurredAt: '2026-03-15T12:00:00+04:00' });
    const id = await t.pos('POST', '/v1/identify', { customer: { card: c.card } });
    expect(id.body.points).toMatchObject({ available: 100, expiring: [{ on: '2027-03-31', points: 100 }] });
  });
});

function buyOne(t: TestTenant, card: string, currency: string, amount: number) {
  return t.pos('POST', '/v1/receipts', body(card, currency, [{ sku: 'ITEM', qty: 1, amount }]));
}
