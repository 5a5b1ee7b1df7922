/** The program and the audit trail (group `programs`). */
import * as z from '#domain/zod-mini.ts';
import { LIMITS } from '../schemas.ts';

/** The document is validated by the program schema itself, so its errors carry its own paths. */
export const publishProgramBody = z.strictObject({
  document: z.record(z.string(), z.unknown()),
  /** The version the edit started from; publishing fails with 409 if another was published since. */
  basedOnVersion: z.optional(z.int().check(z.gte(0))),
});

export const validateProgramBody = z.strictObject({ document: z.unknown() });

export const auditQuery = z.strictObject({
  month: z.optional(z.string().check(z.regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be YYYY-MM'))),
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(LIMITS.pageSize)), 50),
  cursor: z.optional(z.string().check(z.maxLength(512))),
});
