/**
 * Line attributes: what a till (or, later, the tenant's catalog) says about a product beyond its
 * SKU and category — brand, supplier, an "rx" or "gift-card" flag, a promotion label. Rules
 * select lines by them (include, exclude, multiply); the one definition of their shape and of
 * what "matches" means lives here.
 */
import * as z from './zod-mini.ts';
import { singleLine, singleLineMessage } from './text.ts';
import type { attributeSelectorSchema } from './schemas/attributes.ts';

/** Most attributes one line may carry. */
export const MAX_LINE_ATTRIBUTES = 20;
/** Most attributes one selector (a rule's `attributes`, an exclusion) may name. */
export const MAX_SELECTOR_ATTRIBUTES = 20;

/** An attribute's name: a code such as `brand`, `rx` or `promo:label`. */
export const attributeName = z.string().check(z.regex(/^[A-Za-z0-9._:-]{1,64}$/, 'must be 1–64 letters, digits or . _ : -'));
export const attributeValue = z.string().check(z.minLength(1), z.maxLength(64), z.refine(singleLine, singleLineMessage));

export type LineAttributes = Readonly<Record<string, string>>;

/** A line's attributes as a till sends them: `{ "brand": "acme", "rx": "true" }`. */
export const lineAttributesSchema = z
  .record(attributeName, attributeValue)
  .check(z.refine((a) => Object.keys(a).length <= MAX_LINE_ATTRIBUTES, `may have at most ${MAX_LINE_ATTRIBUTES} attributes`), z.meta({ maxProperties: MAX_LINE_ATTRIBUTES }));

export type AttributeSelector = z.output<typeof attributeSelectorSchema>;

/** Every attribute the selector names has one of its values on the line. */
export function hasAllAttributes(selector: AttributeSelector, attrs: LineAttributes | undefined): boolean {
  if (!attrs) return false;
  for (const name in selector) {
    const v = attrs[name];
    if (v === undefined || !selector[name]!.includes(v)) return false;
  }
  return true;
}

/** Some attribute the selector names has one of its values on the line (how exclusions read). */
export function hasAnyAttribute(selector: AttributeSelector, attrs: LineAttributes | undefined): boolean {
  if (!attrs) return false;
  for (const name in selector) {
    const v = attrs[name];
    if (v !== undefined && selector[name]!.includes(v)) return true;
  }
  return false;
}
