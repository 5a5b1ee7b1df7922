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
