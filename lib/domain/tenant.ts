/**
 * What a chain registers about itself: its stores and its settings, as zod schemas shared by the
 * HTTP API (lib/http/schemas.ts) and the operator's command (scripts/admin.ts), so a store from a
 * file obeys exactly the rules of one posted to `POST /v1/stores`. Every list has a bound.
 */
import * as z from './zod-mini.ts';
import { storeId } from './ids.ts';
import { defaultTemplates } from './notifications.ts';
import { isValidTimeZone } from './time.ts';

export const STORE_LIMITS = { tags: 20, tagKey: 32, tagValue: 64, name: 200, address: 500 } as const;

/** The languages every built-in message template exists in: a tenant's default must be one of them. */
export const locales = Object.keys(defaultTemplates['receipt.committed']).filter((l) =>
  Object.values(defaultTemplates).every((byLocale) => Object.hasOwn(byLocale, l)),
) as [string, ...string[]];

export const timeZone = z.string().check(z.maxLength(64), z.refine(isValidTimeZone, 'must be an IANA time zone such as "Asia/Yerevan"'));

const name = z.string().check(z.trim(), z.minLength(1), z.maxLength(STORE_LIMITS.name));
const address = z.string().check(z.trim(), z.minLength(1), z.maxLength(STORE_LIMITS.address));

/** Labels rules and reports can group stores by: `{ "region": "north", "format": "pharmacy" }`. */
export const storeTags = z.record(z.string(), z.string().check(z.trim(), z.minLength(1), z.maxLength(STORE_LIMITS.tagValue))).check(
  z.superRefine((t, ctx) => {
    const names = Object.keys(t);
    if (names.length > STORE_LIMITS.tags) ctx.addIssue({ code: 'custom', message: `may have at most ${STORE_LIMITS.tags} tags` });
    for (const k of names.filter((k) => !/^[a-z][a-z0-9_-]{0,31}$/.test(k))) {
      ctx.addIssue({ code: 'custom', path: [k], message: `a tag name must be 1–${STORE_LIMITS.tagKey} lowercase letters, digits, _ or -, starting with a letter` });
    }
  }),
);

export const storeSchema = z.strictObject({
  storeId,
  name,
  address: z.optional(address),
  /** The store's own IANA zone, when it is not the program's. */
  timeZone: z.optional(timeZone),
  tags: z._default(storeTags, {}),
});
export type StoreInput = z.output<typeof storeSchema>;

const patchFields = ['name', 'address', 'timeZone', 'tags', 'active'] as const;

export const storePatchSchema = z
  .strictObject({
    name: z.optional(name),
    /** null removes it. */
    address: z.optional(z.nullable(address)),
    /** null: the program's zone applies. */
    timeZone: z.optional(z.nullable(timeZone)),
    /** Replaces all the tags. */
    tags: z.optional(storeTags),
    /** false deactivates the store (its POS keys stop working); true reactivates it. */
    active: z.optional(z.boolean()),
  })
  .check(z.refine((b) => patchFields.some((f) => b[f] !== undefined), `give at least one of ${patchFields.join(', ')}`));
export type StorePatch = z.output<typeof storePatchSchema>;

export const tenantSettingsSchema = z.strictObject({
  name: z.string().check(z.trim(), z.minLength(1), z.maxLength(200)),
  /** Messages to a customer whose own language has no template use this one (unless the program names one). */
  defaultLocale: z.enum(locales),
});
export type TenantSettingsInput = z.output<typeof tenantSettingsSchema>;

export const tenantPatchSchema = z
  .partial(tenantSettingsSchema)
  .check(z.refine((b) => b.name !== undefined || b.defaultLocale !== undefined, 'give at least one of name, defaultLocale'));
