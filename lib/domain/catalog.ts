/**
 * A tenant's product catalog: SKU → name, category, attributes and an optional price. A till may
 * then send only SKU, quantity and amount; the catalog fills the category and attributes, and
 * whatever the line says itself wins over the catalog (`catalog-fill.ts`). Pure: rows of a
 * catalog file come back as data (field and rule), never thrown.
 */
import * as z from './zod-mini.ts';
import { lineAttributesSchema } from './attributes.ts';
import type { RowIssue } from './import-kinds.ts';
import { singleLine, singleLineMessage } from './text.ts';

const code = z.string().check(z.minLength(1), z.maxLength(64), z.refine(singleLine, singleLineMessage));

/** Documented bounds (README "Product catalog"); an item at all of them stays within 8 KB: one read unit on the till's lookup. */
export const CATALOG_LIMITS = {
  nameChars: 200,
  maxPrice: 1_000_000_000_000,
} as const;

export const productSchema = z.strictObject({
  sku: code,
  name: z.string().check(z.minLength(1), z.maxLength(CATALOG_LIMITS.nameChars), z.refine(singleLine, singleLineMessage)),
  category: code,
  /** What rules may select the product by, e.g. `{ "brand": "acme", "rx": "true" }`. */
  attributes: z._default(lineAttributesSchema, {}),
  /** The usual unit price, minor units; a till's own price wins. */
  price: z.optional(z.int().check(z.gte(0), z.lte(CATALOG_LIMITS.maxPrice))),
});
export type Product = z.output<typeof productSchema>;

/** The body of PUT /v1/catalog/{sku}: the product without its SKU (the path names it). */
export const productBodySchema = z.omit(productSchema, { sku: true });

export type ProductRowResult = { ok: true; product: Product } | { ok: false; issues: RowIssue[] };

const issuePath = (path: ReadonlyArray<PropertyKey>) => (path.length ? path.map(String).join('.') : 'row');

/** One row of a catalog file (JSON shape) checked against the same rules as PUT /v1/catalog/{sku}. */
export function parseProductRow(input: unknown): ProductRowResult {
  const r = productSchema.safeParse(input);
  if (r.success) return { ok: true, product: r.data };
  return {
    ok: false,
    issues: r.error.issues.map((i) => ({
      field: issuePath(i.path),
      rule:
        i.code === 'unrecognized_keys'
          ? `${i.keys.join(', ')}: ${i.keys.length > 1 ? 'are not known columns' : 'is not a known column'}`
          : i.code === 'invalid_type' && /received undefined$/.test(i.message)
            ? 'is required'
            : i.message,
    })),
  };
}

/** CSV columns of a catalog file; `attributes` as `brand=acme;rx=true`. */
export const productCsvColumns = ['sku', 'name', 'category', 'price', 'attributes'] as const;
const requiredColumns = ['sku', 'name', 'category'] as const;

export function checkProductCsvHeader(header: readonly string[]): RowIssue[] {
  const known = new Set<string>(productCsvColumns);
  const issues: RowIssue[] = [];
  const seen = new Set<string>();
  for (const h of header) {
    if (!known.has(h)) issues.push({ field: h, rule: `is not a known column (known: ${productCsvColumns.join(', ')})` });
    else if (seen.has(h)) issues.push({ field: h, rule: 'appears twice in the header' });
    seen.add(h);
  }
  for (const c of requiredColumns) if (!seen.has(c)) issues.push({ field: c, rule: `the header must have a ${c} column` });
  return issues;
}

/** A CSV record in the JSON shape (empty cell = not given); what cannot be read is an issue for its column. */
export function productFromCsvRecord(record: Readonly<Record<string, string>>): { value: Record<string, unknown>; issues: RowIssue[] } {
  const issues: RowIssue[] = [];
  const value: Record<string, unknown> = {};
  const cell = (k: string) => {
    const v = record[k]?.trim();
    return v ? v : undefined;
  };
  for (const k of ['sku', 'name', 'category'] as const) {
    const v = cell(k);
    if (v !== undefined) value[k] = v;
  }
  const price = cell('price');
  if (price !== undefined) {
    if (/^\d{1,13}$/.test(price)) value.price = Number(price);
    else issues.push({ field: 'price', rule: 'must be a whole number of minor units' });
  }
  const attrs = cell('attributes');
  if (attrs !== undefined) {
    const parsed: Record<string, string> = {};
    for (const part of attrs.split(';')) {
      const m = /^\s*([^=;]+?)\s*=\s*(.*?)\s*$/.exec(part);
      if (!m || !m[2]) {
        issues.push({ field: 'attributes', rule: 'must be name=value pairs separated by ; (brand=acme;rx=true)' });
        break;
      }
      if (m[1]! in parsed) {
        issues.push({ field: 'attributes', rule: `names ${m[1]} twice` });
        break;
      }
      parsed[m[1]!] = m[2];
    }
    value.attributes = parsed;
  }
  return { value, issues };
}
