/** Ids become parts of table keys, so they may not contain the key separator (lib/storage/keys.ts). */
import * as z from 'zod';

export const ID_PATTERN = /^[A-Za-z0-9._:-]+$/;

export const id = z.string().min(1).max(64).regex(ID_PATTERN, 'may contain only letters, digits and . _ : -');

/** The same rule as `id`, checked without zod (hot paths that fall back to `id` for the message). */
export const isId = (v: unknown): v is string => typeof v === 'string' && v.length >= 1 && v.length <= 64 && ID_PATTERN.test(v);
