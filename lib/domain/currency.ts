/** A currency code, as the program document and the till's receipts state it. */
import * as z from './zod-mini.ts';

// ICU's list is read on the first code checked, not at import (every till function imports this).
let currencies: ReadonlySet<string> | undefined;
const known = (c: string) => (currencies ??= new Set(Intl.supportedValuesOf('currency'))).has(c);

export const currencyCode = z.string().check(
  z.regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as "AMD"'),
  z.refine(known, 'must be a known ISO 4217 currency'),
);
