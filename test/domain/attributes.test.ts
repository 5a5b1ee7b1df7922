/** Line attributes: rules include, exclude and multiply lines by them. */
import { describe, expect, it } from 'vitest';
import { emptyAccount } from '#domain/account.ts';
import { priceReceipt, type ReceiptLine } from '#domain/pricing.ts';
import { parseProgram } from '#domain/program.ts';
import { line, program } from './fixtures.ts';

const at = new Date('2026-11-20T08:00:00Z');
const earned = (p: ReturnType<typeof program>, lines: ReceiptLine[]) =>
  priceReceipt(p, emptyAccount(), { occurredAt: at, lines, burnPoints: 0 }, at);

describe('Line attributes', () => {
  const acme = line('1', 10_000, { attributes: { brand: 'acme' } });
  const zenith = line('2', 10_000, { attributes: { brand: 'zenith', rx: 'true' } });
  const plain = line('3', 10_000);

  it('should multiply only the lines whose attributes a products matcher names', () => {
    const p = program({ earning: { base: { points: 1, per: 100 }, rules: [{ id: 'acme', name: 'Acme ×3', type: 'multiplier', multiplier: 3, products: { attributes: { brand: ['acme'] } } }] } });
    const r = earned(p, [acme, zenith, plain]);
    expect(r.lines.map((l) => l.pointsEarned)).toEqual([300, 100, 100]);
    expect(r.earn.rules).toEqual(['acme']);
  });

  it('should narrow SKU/category lists by attributes and honour a matcher\'s own exclusions', () => {
    const p = program({
      earning: {
        base: { points: 1, per: 100 },
        rules: [
          { id: 'drinks', name: 'Drinks but not zenith', type: 'pointsPerItem', points: 7, products: { categories: ['drinks'], exclude: { attributes: { brand: ['zenith'] } } } },
          { id: 'acme-drinks', name: 'Acme drinks', type: 'pointsPerItem', points: 5, products: { categories: ['drinks'], attributes: { brand: ['acme'] } } },
        ],
      },
    });
    const r = earned(p, [
      line('1', 1_000, { category: 'drinks', attributes: { brand: 'acme' } }),
      line('2', 1_000, { category: 'drinks', attributes: { brand: 'zenith' } }),
      line('3', 1_000, { category: 'food', attributes: { brand: 'acme' } }),
    ]);
    expect(r.lines.map((l) => l.pointsEarned)).toEqual([10 + 7 + 5, 10, 10]);
  });

  it('should earn nothing on lines a program-level attribute exclusion names', () => {
    const p = program({ exclusions: { attributes: { rx: ['true'] } } });
    const r = earned(p, [acme, zenith]);
    expect(r.lines.map((l) => l.pointsEarned)).toEqual([100, 0]);
  });

  it('should multiply by a table per attribute value, 0 meaning the line earns nothing at all', () => {
    const p = program({
      earning: {
        base: { points: 1, per: 100 },
        rules: [
          { id: 'brands', name: 'Brand table', type: 'attributeMultiplier', attribute: 'brand', multipliers: { acme: 2, zenith: 0 } },
          { id: 'big', name: 'Big basket', type: 'receiptAmount', minAmount: 1, points: 50 },
          { id: 'per-item', name: 'Per item', type: 'pointsPerItem', points: 4, products: {} },
        ],
      },
    });
    const r = earned(p, [acme, zenith, plain]);
    // Acme ×2 (+ its bonus share and per-item points); zenith nothing; the plain line as usual.
    expect(r.lines.map((l) => l.pointsEarned)).toEqual([200 + 25 + 4, 0, 100 + 25 + 4]);
    expect(r.totals.pointsEarned).toBe(358);
  });

  it('should not take an inherited property of the table for a value', () => {
    const p = program({ earning: { base: { points: 1, per: 100 }, rules: [{ id: 'b', name: 'b', type: 'attributeMultiplier', attribute: 'brand', multipliers: { acme: 2 } }] } });
    expect(earned(p, [line('1', 10_000, { attributes: { brand: 'constructor' } })]).totals.pointsEarned).toBe(100);
  });

  it('should refuse bad attribute selectors with the JSON path of the problem', () => {
    const r = parseProgram({
      name: 'x',
      currency: 'AMD',
      timeZone: 'Asia/Yerevan',
      earning: {
        base: { points: 1, per: 100 },
        rules: [
          { id: 'a', name: 'a', type: 'multiplier', multiplier: 2, products: { attributes: { 'bad name': ['x'] } } },
          { id: 'b', name: 'b', type: 'attributeMultiplier', attribute: 'brand', multipliers: {} },
          { id: 'c', name: 'c', type: 'attributeMultiplier', attribute: 'brand', multipliers: { acme: -1 } },
        ],
      },
      exclusions: { attributes: { rx: [] } },
    });
    expect(r.ok).toBe(false);
    const paths = r.ok ? [] : r.issues.map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining(['earning.rules.0.products.attributes.bad name', 'earning.rules.1.multipliers', 'earning.rules.2.multipliers.acme', 'exclusions.attributes.rx']),
    );
  });
});

describe('The README example of line attributes', () => {
  it('should earn 400, 0 and 0', () => {
    const p = program({
      exclusions: { attributes: { rx: ['true'] } },
      earning: {
        base: { points: 1, per: 100 },
        rules: [
          { id: 'acme-x3', name: 'Acme ×3', type: 'multiplier', multiplier: 3, products: { categories: ['drinks'], attributes: { brand: ['acme'] }, exclude: { skus: ['ACME-PROMO'] } } },
          { id: 'brands', name: 'Brand table', type: 'attributeMultiplier', attribute: 'brand', multipliers: { acme: 2, budget: 0 } },
        ],
      },
    });
    const r = earned(p, [
      line('1', 10_000, { category: 'drinks', attributes: { brand: 'acme' } }),
      line('2', 10_000, { attributes: { brand: 'budget' } }),
      line('3', 10_000, { attributes: { rx: 'true' } }),
      line('4', 10_000, { sku: 'ACME-PROMO', category: 'drinks', attributes: { brand: 'acme' } }),
    ]);
    expect(r.lines.map((l) => l.pointsEarned)).toEqual([400, 0, 0, 200]);
  });
});
