/** Base rules, minimum amounts, stop here and explain, through the API. */
import { describe, expect, it } from 'vitest';
import { newTenant, receipt, scenarioProgram } from './harness.ts';

const program = {
  ...scenarioProgram,
  tiers: undefined,
  coupons: [],
  earning: {
    base: { points: 1, per: 100 },
    baseRules: [
      { id: 'store-2', name: 'Store 2: 3 per 100, not on gift cards', when: { stores: ['S-02'] }, points: 3, per: 100, exclusions: { attributes: { giftCard: ['true'] } } },
      { id: 'vip', name: 'VIP segment: 2 per 100', when: { segments: ['vip'] }, priority: 50, points: 2, per: 100 },
    ],
    rules: [
      { id: 'big-basket', name: '+500 from 50,000 before discounts, then stop', type: 'receiptAmount', minAmount: 1, points: 500, priority: 200, stop: true, when: { minimum: { amount: 50_000, of: 'beforeDiscounts' } } },
      { id: 'small-bonus', name: '+50 on any receipt', type: 'receiptAmount', minAmount: 1, points: 50, priority: 100 },
      { id: 'north', name: 'North ×2', type: 'multiplier', multiplier: 2, when: { storeTags: { region: ['north'] } } },
    ],
  },
};

type Line = { pointsEarned: number; earnedBy: Array<{ source: number; points: number }> };
type Source = { kind: string; id: string; points: number };
const told = (body: { lines: Line[]; earn: { sources: Source[] } }) =>
  body.lines.map((l) => Object.fromEntries(l.earnedBy.map((e) => [`${body.earn.sources[e.source]!.kind}:${body.earn.sources[e.source]!.id}`, e.points])));

describe('Targeted earning through the API', () => {
  it('should earn by the store base rule and its exclusions, and say per line where the points come from, the commit as the quote', async () => {
    const t = await newTenant(program);
    const c = (await t.pos('POST', '/v1/customers', { name: 'Base' })).body;
    const body = receipt(c.card, [{ amount: 10_000 }, { amount: 5_000, attributes: { giftCard: 'true' } }]);
    const q = await t.pos2('POST', '/v1/receipts/quote', body);
    expect(q.status).toBe(200);
    expect(q.body.lines.map((l: Line) => l.pointsEarned)).toEqual([300 + 50, 0]);
    expect(told(q.body)).toEqual([{ 'base:store-2': 300, 'rule:small-bonus': 50 }, {}]);
    expect(q.body.explain).toBeUndefined();
    const r = await t.pos2('POST', '/v1/receipts', body);
    expect(r.status).toBe(200);
    const { storeId: _s, committedAt: _c, ...committed } = r.body;
    expect(committed).toEqual({ ...q.body, balance: committed.balance });
    // The same customer at store 1: no store rule; once in the VIP segment, the VIP rate.
    expect((await t.pos('POST', '/v1/receipts/quote', receipt(c.card, [{ amount: 10_000 }]))).body.totals.pointsEarned).toBe(150);
    expect((await t.staff('PUT', `/v1/customers/${c.customerId}/segments`, { segments: ['vip'] })).status).toBe(200);
    expect((await t.pos('POST', '/v1/receipts/quote', receipt(c.card, [{ amount: 10_000 }]))).body.totals.pointsEarned).toBe(250);
  });

  it('should apply a minimum and stop here, and explain on a quote why each other rule did not apply', async () => {
    const t = await newTenant(program);
    const c = (await t.pos('POST', '/v1/customers', { name: 'Why' })).body;
    const big = await t.pos('POST', '/v1/receipts/quote', receipt(c.card, [{ amount: 50_000 }], { explain: true }));
    expect(big.status).toBe(200);
    expect(big.body.earn.rules).toEqual(['big-basket']);
    expect(big.body.totals.pointsEarned).toBe(1000);
    expect(big.body.explain.notApplied).toEqual([
      { kind: 'base', id: 'store-2', reason: 'store' },
      { kind: 'base', id: 'vip', reason: 'segment' },
      // Equal priorities go by id.
      { kind: 'rule', id: 'north', reason: 'storeTags' },
      { kind: 'rule', id: 'small-bonus', reason: 'stop' },
    ]);
    const small = await t.pos('POST', '/v1/receipts/quote', receipt(c.card, [{ amount: 49_999 }], { explain: true }));
    expect(small.body.earn.rules).toEqual(['small-bonus']);
    expect(small.body.explain.notApplied).toContainEqual({ kind: 'rule', id: 'big-basket', reason: 'minimum' });
  });

  it('should refuse explain on a commit, writing nothing, and never store what a quote explained', async () => {
    const t = await newTenant(program);
    const c = (await t.pos('POST', '/v1/customers', { name: 'NoStore' })).body;
    const before = (await t.items()).length;
    const refused = await t.pos('POST', '/v1/receipts', receipt(c.card, [{ amount: 100 }], { explain: true }));
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toContain('explain');
    expect((await t.items()).length).toBe(before);
    const body = receipt(c.card, [{ amount: 100 }]);
    expect((await t.pos('POST', '/v1/receipts/quote', { ...body, explain: true })).body.explain.notApplied.length).toBeGreaterThan(0);
    expect((await t.pos('POST', '/v1/receipts', body)).status).toBe(200);
    const stored = (await t.items()).filter((i) => i.type === 'receipt');
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain('notApplied');
  });

  it('should refuse bad base rules and minimums with their JSON paths', async () => {
    const t = await newTenant();
    const r = await t.staff('POST', '/v1/program/validate', {
      document: {
        ...program,
        earning: {
          ...program.earning,
          baseRules: [{ id: 'b', name: 'b', points: 1, per: 0 }],
          rules: [{ id: 'm', name: 'm', type: 'firstReceipt', points: 1, when: { minimum: { amount: 0, of: 'later' } } }],
        },
      },
    });
    const text = JSON.stringify(r.body);
    for (const path of ['earning.baseRules.0.per', 'earning.rules.0.when.minimum.amount', 'earning.rules.0.when.minimum.of']) expect(text).toContain(path);
  });
});
