/** A currency code, as the program document and the till's receipts state it. */
import * as z from './zod-mini.ts';

const currencies = new Set(Intl.supportedValuesOf('currency'));
export const currencyCode = z.string().check(
  z.regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as "AMD"'),
  z.refine((c) => currencies.has(c), 'must be a known ISO 4217 currency'),
);
