/**
 * Phone numbers normalised to E.164. Apart from `identifiers.ts` because libphonenumber-js's
 * metadata takes milliseconds to load: the route functions load this module when a request
 * carries a phone (`lib/app/phones.ts`), not at import. The metadata is a JSON string
 * (`phone-metadata.ts`): bundled as the package's object literal, V8 scans it at every import.
 */
import { parsePhoneNumberFromString, type MetadataJson } from 'libphonenumber-js/core';
import { PHONE_METADATA } from './phone-metadata.ts';

const metadata = JSON.parse(PHONE_METADATA) as MetadataJson;

/** E.164 (`+37491234567`), or null if the number is not a valid international one. */
export function normalizePhone(raw: string): string | null {
  const p = parsePhoneNumberFromString(raw.trim(), metadata);
  return p?.isValid() ? p.number : null;
}
