import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { PHONE_METADATA } from '#domain/phone-metadata.ts';
import { normalizePhone } from '#domain/phone-parser.ts';

describe("libphonenumber-js's metadata as a string", () => {
  it('should be the installed package\'s metadata (after an upgrade: npx tsx scripts/phone-metadata.ts)', () => {
    const installed = JSON.parse(readFileSync(createRequire(import.meta.url).resolve('libphonenumber-js/metadata.min.json'), 'utf8'));
    expect(JSON.parse(PHONE_METADATA)).toEqual(installed);
  });

  it('should normalise a valid number to E.164 and refuse an invalid one', () => {
    expect(normalizePhone(' +374 91 234567 ')).toBe('+37491234567');
    expect(normalizePhone('+1 202 555 0')).toBeNull();
  });
});
