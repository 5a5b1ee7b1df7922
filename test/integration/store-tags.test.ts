/** Rules that target stores by their tags (region, format), set on the stores through the API. */
import { describe, expect, it } from 'vitest';
import { newTenant, receipt, scenarioProgram } from './harness.ts';

describe('Rules by store tags', () => {
  it('should double the points at pharmacies of the north and nowhere else, as the stores are tagged now', async () => {
    const t = await newTenant({
      ...scenarioProgram,
      tiers: undefined,
      earning: {
        base: { points: 1, per: 100 },
        rules: [{ id: 'north-pharmacy-x2', name: 'North pharmacies ×2', type: 'multiplier', multiplier: 2, when: { storeTags: { region: ['north'], format: ['pharmacy'] } } }],
      },
    });
    expect((await t.staff('PATCH', '/v1/stores/S-01', { tags: { region: 'north', format: 'pharmacy' } })).status).toBe(200);
    expect((await t.staff('PATCH', '/v1/stores/S-02', { tags: { region: 'north', format: 'mini' } })).status).toBe(200);
    const c = (await t.pos('POST', '/v1/customers', { name: 'Tagged' })).body;

    const atPharmacy = await t.pos('POST', '/v1/receipts', receipt(c.card, [{ amount: 10_000 }]));
    const atMini = await t.pos2('POST', '/v1/receipts', receipt(c.card, [{ amount: 10_000 }]));
    expect(atPharmacy.body.totals.pointsEarned).toBe(200);
    expect(atMini.body.totals.pointsEarned).toBe(100);

    // Retagged: the rule follows the store's tags, not its id.
    expect((await t.staff('PATCH', '/v1/stores/S-01', { tags: { region: 'south', format: 'pharmacy' } })).status).toBe(200);
    expect((await t.pos('POST', '/v1/receipts/quote', receipt(c.card, [{ amount: 10_000 }]))).body.totals.pointsEarned).toBe(100);
  });

  it('should refuse a storeTags condition without tags, naming its path', async () => {
    const t = await newTenant();
    const r = await t.staff('POST', '/v1/program/validate', {
      document: { ...scenarioProgram, earning: { base: { points: 1, per: 100 }, rules: [{ id: 'x', name: 'x', type: 'multiplier', multiplier: 2, when: { storeTags: {} } }] } },
    });
    expect(JSON.stringify(r.body)).toContain('earning.rules.0.when.storeTags');
  });
});
