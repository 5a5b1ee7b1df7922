/** Ids become parts of table keys, so they may not contain the key separator (lib/storage/keys.ts). */
import * as z from './zod-mini.ts';

export const ID_PATTERN = /^[A-Za-z0-9._:-]+$/;

export const id = z.string().check(z.minLength(1), z.maxLength(64), z.regex(ID_PATTERN, 'may contain only letters, digits and . _ : -'));

/** `-` and `*` are the reports' rows for what no store did and for till figures not yet folded by store. */
export const RESERVED_STORE_IDS: readonly string[] = ['-', '*'];
export const storeId = id.check(z.refine((s) => !RESERVED_STORE_IDS.includes(s), 'must not be "-" or "*" (reserved for report rows)'));

/** The same rule as `id`, checked without zod (hot paths that fall back to `id` for the message). */
export const isId = (v: unknown): v is string => typeof v === 'string' && v.length >= 1 && v.length <= 64 && ID_PATTERN.test(v);
