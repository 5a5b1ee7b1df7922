/** The program and the audit trail (group `programs`). */
import * as z from 'zod';
import { LIMITS } from '../schemas.ts';

/** The document is validated by the program schema itself, so its errors carry its own paths. */
export const publishProgramBody = z.strictObject({
  document: z.record(z.string(), z.unknown()),
  /** The version the edit started from; publishing fails with 409 if another was published since. */
  basedOnVersion: z.int().min(0).optional(),
});

export const validateProgramBody = z.strictObject({ document: z.unknown() });

export const auditQuery = z.strictObject({
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be YYYY-MM').optional(),
  limit: z.coerce.number().int().min(1).max(LIMITS.pageSize).default(50),
  cursor: z.string().max(512).optional(),
});
