/**
 * Line attributes: what a till (or, later, the tenant's catalog) says about a product beyond its
 * SKU and category — brand, supplier, an "rx" or "gift-card" flag, a promotion label. Rules
 * select lines by them (include, exclude, multiply). Their shape, as zod schemas, is defined here;
 * what "matches" means and the bounds are in `attribute-match.ts`, which needs no zod.
 */
import * as z from './zod-mini.ts';
import { singleLine, singleLineMessage } from './text.ts';
import { MAX_LINE_ATTRIBUTES } from './attribute-match.ts';

// The program's selector schema (schemas/attributes.ts) takes its bound from here.
export { MAX_SELECTOR_ATTRIBUTES } from './attribute-match.ts';

/** An attribute's name: a code such as `brand`, `rx` or `promo:label`. */
export const attributeName = z.string().check(z.regex(/^[A-Za-z0-9._:-]{1,64}$/, 'must be 1–64 letters, digits or . _ : -'));
export const attributeValue = z.string().check(z.minLength(1), z.maxLength(64), z.refine(singleLine, singleLineMessage));

/** A line's attributes as a till sends them: `{ "brand": "acme", "rx": "true" }`. */
export const lineAttributesSchema = z
  .record(attributeName, attributeValue)
  .check(z.refine((a) => Object.keys(a).length <= MAX_LINE_ATTRIBUTES, `may have at most ${MAX_LINE_ATTRIBUTES} attributes`), z.meta({ maxProperties: MAX_LINE_ATTRIBUTES }));
