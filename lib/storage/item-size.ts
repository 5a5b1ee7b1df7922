/**
 * The size DynamoDB counts for an item, by its documented rules ("Item sizes and formats" in the
 * DynamoDB developer guide), so a use case can tell before writing whether an item fits the
 * 400 KB limit:
 * - an attribute costs the UTF-8 length of its name plus the size of its value;
 * - strings (and map keys) their UTF-8 length; binary its length; null and booleans 1 byte;
 * - numbers about 1 byte per two significant digits plus 1: exactly, 1 byte per pair of digits
 *   counted from the decimal point (base-100, leading and trailing zero pairs trimmed), plus 1,
 *   plus 1 for a negative number; zero takes 1 (as DynamoDB Local counts, test/storage/item-size.test.ts);
 * - lists and maps 3 bytes of overhead plus 1 byte per element, plus the elements (a map's
 *   element also counts its key's name);
 * - sets the sum of their elements.
 * `undefined` values are left out, as the document client here is set to do
 * (`removeUndefinedValues`). Pure: no SDK, no I/O.
 */

/** DynamoDB's item size limit: 400 KB. */
export const MAX_ITEM_BYTES = 400 * 1024;

/** DynamoDB's limit on the items of one TransactWriteItems. */
export const MAX_TRANSACTION_ITEMS = 100;

const utf8 = (s: string): number => Buffer.byteLength(s, 'utf8');

function numberSize(n: number | bigint): number {
  if (n === 0 || n === 0n) return 1;
  const negative = n < 0;
  const text = typeof n === 'bigint' ? (negative ? -n : n).toString() : Math.abs(n).toString();
  const [mantissa, exponent] = text.split(/e/i) as [string, string | undefined];
  const [whole, fraction = ''] = mantissa.split('.') as [string, string | undefined];
  let digits = whole + fraction;
  // Where the decimal point falls in `digits`.
  let point = whole.length + Number(exponent ?? 0);
  while (digits.startsWith('0')) {
    digits = digits.slice(1);
    point -= 1;
  }
  digits = digits.replace(/0+$/, '');
  // Pairs are aligned on the decimal point: 110 is 1|10 (two), 100 is 1|00 (one), 9770 is 97|70 (two).
  const pad = ((point % 2) + 2) % 2;
  return Math.ceil((pad + digits.length) / 2) + 1 + (negative ? 1 : 0);
}

/** The size of one attribute value. */
export function valueSizeBytes(v: unknown): number {
  if (v === null || typeof v === 'boolean') return 1;
  if (typeof v === 'string') return utf8(v);
  if (typeof v === 'number' || typeof v === 'bigint') return numberSize(v);
  if (v instanceof Uint8Array) return v.byteLength;
  if (v instanceof Set) {
    let total = 0;
    for (const e of v) total += valueSizeBytes(e);
    return total;
  }
  if (Array.isArray(v)) {
    let total = 3;
    for (const e of v) if (e !== undefined) total += 1 + valueSizeBytes(e);
    return total;
  }
  if (typeof v === 'object') {
    let total = 3;
    for (const [k, e] of Object.entries(v as Record<string, unknown>)) if (e !== undefined) total += 1 + utf8(k) + valueSizeBytes(e);
    return total;
  }
  throw new TypeError(`a ${typeof v} cannot be stored in DynamoDB`);
}

/** The size of an item as DynamoDB counts it against the 400 KB limit: attribute names plus values. */
export function itemSizeBytes(item: Readonly<Record<string, unknown>>): number {
  let total = 0;
  for (const [name, v] of Object.entries(item)) if (v !== undefined) total += utf8(name) + valueSizeBytes(v);
  return total;
}
