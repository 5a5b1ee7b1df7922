/** The line-attribute selectors of the program document (attributes.ts says what matches). */
import * as z from 'zod';
import { attributeName, attributeValue, MAX_SELECTOR_ATTRIBUTES } from '../attributes.ts';

/**
 * Which attribute values select a line: each named attribute must have one of its listed values,
 * e.g. `{ "brand": ["acme", "zenith"], "size": ["xl"] }`.
 */
export const attributeSelectorSchema = z
  .record(attributeName, z.array(attributeValue).min(1).max(100))
  .refine((s) => Object.keys(s).length >= 1 && Object.keys(s).length <= MAX_SELECTOR_ATTRIBUTES, `must name 1 to ${MAX_SELECTOR_ATTRIBUTES} attributes`)
  .meta({ minProperties: 1, maxProperties: MAX_SELECTOR_ATTRIBUTES });
