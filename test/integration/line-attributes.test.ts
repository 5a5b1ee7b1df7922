/** Line attributes through the API: tills send them, rules include, exclude and multiply by them. */
import { describe, expect, it } from 'vitest';
import { newTenant, receipt, scenarioProgram } from './harness.ts';

const program = {
  ...scenarioProgram,
  tiers: undefined,
  exclusions: { categories: [], skus: [], attributes: { rx: ['true'] } },
  earning: {
    base: { points: 1, per: 100 },
    rules: [
      { id: 'acme-x3', name: 'Acme ×3, not on promotions', type: 'multiplier', multiplier: 3, products: { attributes: { brand: ['acme'] }, exclude: { attributes: { promo: ['yes'] } } } },
      { id: 'brands', name: 'Brand table', type: 'attributeMultiplier', attribute: 'supplier', multipliers: { local: 2, grey: 0 } },
    ],
  },
};

describe('Line attributes', () => {
  it('should price by the attributes a till sends, the commit as the quote', async () => {
    const t = await newTenant(program);
    const c = (await t.pos('POST', '/v1/customers', { name: 'Attr' })).body;
    const body = receipt(c.card, [
      { amount: 10_000, attributes: { brand: 'acme' } },
      { amount: 10_000, attributes: { brand: 'acme', rx: 'true' } },
      { amount: 10_000, attributes: { supplier: 'local' } },
      { amount: 10_000, attributes: { supplier: 'grey', brand: 'acme' } },
      { amount: 10_000 },
      { amount: 10_000, attributes: { brand: 'acme', promo: 'yes' } },
    ]);
    const q = await t.pos('POST', '/v1/receipts/quote', body);
    expect(q.status).toBe(200);
    // acme ×3; rx earns nothing; local ×2; grey earns nothing even when acme; plain ×1; acme on promotion ×1.
    expect(q.body.lines.map((l: { pointsEarned: number }) => l.pointsEarned)).toEqual([300, 0, 200, 0, 100, 100]);
    const r = await t.pos('POST', '/v1/receipts', body);
    expect(r.status).toBe(200);
    expect(r.body.lines).toEqual(q.body.lines);
    expect(r.body.totals).toEqual(q.body.totals);
  });

  it('should refuse bad attributes naming the field, writing nothing', async () => {
    const t = await newTenant(program);
    const c = (await t.pos('POST', '/v1/customers', { name: 'Bad' })).body;
    const before = (await t.items()).length;
    const tooMany = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`a${i}`, 'x']));
    for (const [attributes, path] of [
      [{ 'bad name': 'x' }, 'lines.0.attributes'],
      [{ brand: '' }, 'lines.0.attributes.brand'],
      [{ brand: 'x'.repeat(65) }, 'lines.0.attributes.brand'],
      [tooMany, 'lines.0.attributes'],
    ] as const) {
      const r = await t.pos('POST', '/v1/receipts', receipt(c.card, [{ amount: 100, attributes }]));
      expect(r.status).toBe(400);
      expect(JSON.stringify(r.body)).toContain(path);
    }
    expect((await t.items()).length).toBe(before);
  });
});
