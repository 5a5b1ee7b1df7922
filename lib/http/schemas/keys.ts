/** API keys (group `keys`). */
import * as z from 'zod';
import { singleLine, singleLineMessage } from '#domain/text.ts';
import { roles, type Role } from '../routes.ts';
import { id } from '../schemas.ts';

export const createKeyBody = z
  .strictObject({
    /** A customer's key is made only by POST /v1/customers/{id}/app-key, which ties it to the customer. */
    role: z.enum(roles.filter((r) => r !== 'customer') as [Exclude<Role, 'customer'>, ...Array<Exclude<Role, 'customer'>>]),
    /** The store a POS key belongs to. */
    storeId: z.optional(id),
    /** Who or what holds it ("till 3", "anna"); staff keys act under this name in the ledger and audit. */
    name: z.string().trim().min(1).max(100).refine(singleLine, singleLineMessage),
    /** Requests per second this key may make (the role's default otherwise). */
    rateLimit: z.int().min(1).max(1000).optional(),
  })
  .refine((b) => b.role === 'pos' || b.storeId === undefined, { message: 'a staff key belongs to no store', path: ['storeId'] });

export const rotateKeyBody = z.strictObject({
  /** How long the old key keeps working, so tills can switch over (default one day). */
  overlapSeconds: z.int().min(0).max(30 * 86_400).default(86_400),
});
