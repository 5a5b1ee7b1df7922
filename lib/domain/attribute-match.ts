/**
 * What a rule's attribute selector matching a line means, and how many attributes a line or a
 * selector may carry. Pure, and apart from the schemas in `attributes.ts`: the rules that every
 * account's rewards import need only this, so the functions that load accounts but never take a
 * line's attributes do not build those schemas at a cold start (README, "Cold start").
 */
import type * as z from 'zod';
import type { attributeSelectorSchema } from './schemas/attributes.ts';

/** Most attributes one line may carry. */
export const MAX_LINE_ATTRIBUTES = 20;
/** Most attributes one selector (a rule's `attributes`, an exclusion) may name. */
export const MAX_SELECTOR_ATTRIBUTES = 20;

export type LineAttributes = Readonly<Record<string, string>>;

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
