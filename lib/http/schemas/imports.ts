/** Migration and catalog files (group `imports`). */
import * as z from 'zod';
import { importFormats, importKinds } from '#domain/import-kinds.ts';
import { LIMITS } from '../schemas.ts';

/** An upload slot for a migration file; the import starts when the file lands in the bucket. */
export const startImportBody = z.strictObject({
  /** `members` (migration) or `products` (the catalog). */
  kind: z.enum(importKinds),
  format: z.enum(importFormats),
  /** The file's size, if known: refused up front when over the limit. */
  bytes: z.int().min(1).optional(),
});

export const importQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(LIMITS.pageSize).default(20),
  cursor: z.string().max(512).optional(),
});
