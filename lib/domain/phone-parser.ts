/**
 * Phone numbers normalised to E.164. Apart from `identifiers.ts` because libphonenumber-js's
 * metadata takes milliseconds to load: the route functions load this module when a request
 * carries a phone (`lib/app/phones.ts`), not at import.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js';

/** E.164 (`+37491234567`), or null if the number is not a valid international one. */
export function normalizePhone(raw: string): string | null {
  const p = parsePhoneNumberFromString(raw.trim());
  return p?.isValid() ? p.number : null;
}
