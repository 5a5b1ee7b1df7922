/** Filling a till's line from the catalog, and reading a catalog file's rows: pure, no table. */
import { describe, expect, it } from 'vitest';
import { checkProductCsvHeader, parseProductRow, productFromCsvRecord, type Product } from '#domain/catalog.ts';
import { fillLine } from '#domain/catalog-fill.ts';

const shampoo: Product = { sku: 'A-1', name: 'Acme shampoo', category: 'care', attributes: { brand: 'acme', size: 'xl' }, price: 1500 };

describe('Catalog: filling a line', () => {
  it('should take category, attributes and price from the product when the line leaves them out', () => {
    expect(fillLine({ sku: 'A-1', quantity: 2, amount: 2800 }, shampoo)).toEqual({ category: 'care', attributes: { brand: 'acme', size: 'xl' }, unitPrice: 1500 });
  });

  it('should let the line’s own category win, and its own attributes one by one', () => {
    expect(fillLine({ sku: 'A-1', category: 'promo', attributes: { size: 's', promo: 'x' }, unitPrice: 1400, quantity: 1, amount: 1400 }, shampoo)).toEqual({
      category: 'promo',
      attributes: { brand: 'acme', size: 's', promo: 'x' },
      unitPrice: 1400,
    });
  });

  it('should price a line of an unknown SKU by its amount ÷ quantity, and refuse it without a category', () => {
    expect(fillLine({ sku: 'Z', category: 'food', quantity: 0.25, amount: 500 }, undefined)).toEqual({ category: 'food', attributes: undefined, unitPrice: 2000 });
    expect(fillLine({ sku: 'Z', quantity: 1, amount: 500 }, undefined)).toEqual({ field: 'category', rule: 'is required: SKU "Z" is not in the catalog' });
  });

  it('should refuse a line whose own attributes and the catalog’s together pass 20', () => {
    const many = (p: string) => Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`${p}${i}`, 'v']));
    const r = fillLine({ sku: 'A-1', attributes: many('line'), quantity: 1, amount: 1 }, { ...shampoo, attributes: many('cat') });
    expect(r).toMatchObject({ field: 'attributes' });
  });
});

describe('Catalog: file rows', () => {
  it('should read a CSV record into the JSON shape, attributes as name=value pairs', () => {
    expect(productFromCsvRecord({ sku: ' A-1 ', name: 'Acme', category: 'care', price: '1500', attributes: 'brand=acme; rx = true' })).toEqual({
      value: { sku: 'A-1', name: 'Acme', category: 'care', price: 1500, attributes: { brand: 'acme', rx: 'true' } },
      issues: [],
    });
    expect(productFromCsvRecord({ sku: 'A', name: 'n', category: 'c', attributes: 'brand=a;brand=b' }).issues).toEqual([{ field: 'attributes', rule: 'names brand twice' }]);
  });

  it('should refuse unknown, repeated and missing columns in the header', () => {
    expect(checkProductCsvHeader(['sku', 'name', 'category', 'colour', 'sku'])).toEqual([
      { field: 'colour', rule: 'is not a known column (known: sku, name, category, price, attributes)' },
      { field: 'sku', rule: 'appears twice in the header' },
    ]);
    expect(checkProductCsvHeader(['sku', 'name'])).toEqual([{ field: 'category', rule: 'the header must have a category column' }]);
  });

  it('should check a row with the rules of PUT /v1/catalog/{sku}, naming the field', () => {
    expect(parseProductRow({ sku: 'A', name: 'n', category: 'c' })).toEqual({ ok: true, product: { sku: 'A', name: 'n', category: 'c', attributes: {} } });
    const bad = parseProductRow({ sku: 'A', name: 'x'.repeat(201), category: 'c', attributes: { 'no spaces': 'v' } });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.issues.map((i) => i.field).sort()).toEqual(['attributes.no spaces', 'name']);
  });
});
