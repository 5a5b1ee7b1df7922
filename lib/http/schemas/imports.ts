/** Migration and catalog files (group `imports`). */
import * as z from '#domain/zod-mini.ts';
import { importFormats, importKinds } from '#domain/import-kinds.ts';
import { LIMITS } from '../schemas.ts';

/** An upload slot for a migration file; the import starts when the file lands in the bucket. */
export const startImportBody = z.strictObject({
  /** `members` (migration) or `products` (the catalog). */
  kind: z.enum(importKinds),
  format: z.enum(importFormats),
  /** The file's size, if known: refused up front when over the limit. */
  bytes: z.optional(z.int().check(z.gte(1))),
});

export const importQuery = z.strictObject({
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(LIMITS.pageSize)), 20),
  cursor: z.optional(z.string().check(z.maxLength(512))),
});
