/** Customer identifiers as printed on cards and typed at tills, normalised to one form (phones: `phone-parser.ts`). */

/** Cards are matched without spaces or dashes and case-insensitively. */
export function normalizeCard(raw: string): string | null {
  const card = raw.replace(/[\s-]/g, '').toUpperCase();
  return /^[0-9A-Z]{4,32}$/.test(card) ? card : null;
}

/** Luhn check digit, so a mistyped card number is caught at the till instead of matching nobody. */
export function luhnCheckDigit(digits: string): number {
  let total = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    total += d;
  }
  return (10 - (total % 10)) % 10;
}

/** A 16-digit card number from 15 random digits (the caller supplies the randomness). */
export function cardNumber(randomDigits: string): string {
  if (!/^\d{15}$/.test(randomDigits)) throw new RangeError('need 15 digits');
  return randomDigits + String(luhnCheckDigit(randomDigits));
}

/** The rules the normalisers above enforce, worded once for every refusal that names them. */
export const CARD_RULE = 'must be 4–32 letters or digits';
export const PHONE_RULE = 'must be an international number such as +37491234567';
