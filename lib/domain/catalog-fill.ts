/**
 * Filling a till's line from the catalog's product: pure, and apart from `catalog.ts` so the till's
 * function does not build the product schemas at import (README, "Cold start").
 */
import { MAX_LINE_ATTRIBUTES, type LineAttributes } from './attribute-match.ts';
import type { Product } from './catalog.ts';

/** A line as the till sent it: category and attributes may be left to the catalog. */
export interface TillLine {
  readonly sku: string;
  readonly category?: string | undefined;
  readonly attributes?: LineAttributes | undefined;
  readonly unitPrice?: number | undefined;
  readonly quantity: number;
  readonly amount: number;
}

export interface FilledLine {
  readonly category: string;
  readonly attributes: LineAttributes | undefined;
  readonly unitPrice: number;
}

/** Why a line could not be filled: the field it lacks and the rule. */
export interface FillProblem {
  readonly field: 'category' | 'attributes';
  readonly rule: string;
}

/**
 * The catalog's product fills what the line leaves out; the line's own category and attributes
 * win (attribute by attribute). Without a category from either, the line cannot be priced.
 */
export function fillLine(line: TillLine, product: Product | undefined): FilledLine | FillProblem {
  const category = line.category ?? product?.category;
  if (category === undefined) return { field: 'category', rule: `is required: SKU "${line.sku}" is not in the catalog` };
  const merged = product && Object.keys(product.attributes).length ? { ...product.attributes, ...line.attributes } : line.attributes;
  if (merged && Object.keys(merged).length > MAX_LINE_ATTRIBUTES) {
    return { field: 'attributes', rule: `with the catalog's attributes of SKU "${line.sku}" the line would have more than ${MAX_LINE_ATTRIBUTES}` };
  }
  const unitPrice = line.unitPrice ?? product?.price ?? Math.round(line.amount / line.quantity);
  return { category, attributes: merged && Object.keys(merged).length ? merged : undefined, unitPrice };
}
