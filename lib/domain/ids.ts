/** Ids become parts of table keys, so they may not contain the key separator (lib/storage/keys.ts). */
import * as z from 'zod';

export const id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9._:-]+$/, 'may contain only letters, digits and . _ : -');
