/** API keys (group `keys`). */
import * as z from '#domain/zod-mini.ts';
import { singleLine, singleLineMessage } from '#domain/text.ts';
import { roles, type Role } from '../routes.ts';
import { storeId } from '#domain/ids.ts';

export const createKeyBody = z
  .strictObject({
    /** A customer's key is made only by POST /v1/customers/{id}/app-key, which ties it to the customer. */
    role: z.enum(roles.filter((r) => r !== 'customer') as [Exclude<Role, 'customer'>, ...Array<Exclude<Role, 'customer'>>]),
    /** The store a POS key belongs to. */
    storeId: z.optional(storeId),
    /** Who or what holds it ("till 3", "anna"); staff keys act under this name in the ledger and audit. */
    name: z.string().check(z.trim(), z.minLength(1), z.maxLength(100), z.refine(singleLine, singleLineMessage)),
    /** Requests per second this key may make (the role's default otherwise). */
    rateLimit: z.optional(z.int().check(z.gte(1), z.lte(1000))),
  })
  .check(z.refine((b) => b.role === 'pos' || b.storeId === undefined, { message: 'a staff key belongs to no store', path: ['storeId'] }));

export const rotateKeyBody = z.strictObject({
  /** How long the old key keeps working, so tills can switch over (default one day). */
  overlapSeconds: z._default(z.int().check(z.gte(0), z.lte(30 * 86_400)), 86_400),
});
