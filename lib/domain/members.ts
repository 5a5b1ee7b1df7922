/**
 * What a member is made of, as the API's enrolment and the migration import both accept it: one
 * set of field rules, so a file row and a till's request are held to the same standard.
 * Cards and phones are normalised by `identifiers.ts`; these are their raw shapes. zod's mini
 * build, as every schema a route function builds (README, "Cold start").
 */
import * as z from './zod-mini.ts';
import { CARD_RULE, PHONE_RULE } from './identifiers.ts';
import { singleLine, singleLineMessage } from './text.ts';

export const consentsSchema = z.strictObject({
  sms: z._default(z.boolean(), false),
  email: z._default(z.boolean(), false),
  push: z._default(z.boolean(), false),
});

export const noConsents = { sms: false, email: false, push: false } as const;

/** A referral code as members read it out: letters and digits, stored upper-case. */
export const referralCodeSchema = z.string().check(z.regex(/^[A-Za-z0-9]{4,16}$/, 'must be 4–16 letters or digits'));

export const memberFields = {
  card: z.string().check(z.minLength(4, CARD_RULE), z.maxLength(32, CARD_RULE)),
  phone: z.string().check(z.minLength(3, PHONE_RULE), z.maxLength(32, PHONE_RULE)),
  name: z.string().check(z.trim(), z.minLength(1), z.maxLength(200), z.refine(singleLine, singleLineMessage)),
  email: z.email().check(z.maxLength(254)),
  birthDate: z.iso.date(),
  locale: z.string().check(z.regex(/^[a-z]{2,3}(-[A-Z]{2})?$/, 'must be a language tag such as "hy" or "uk-UA"')),
  consents: consentsSchema,
} as const;

/** The fields a member may leave out, as enrolment and the import both take them: consents default to none. */
export const optionalMemberFields = {
  phone: z.optional(memberFields.phone),
  name: z.optional(memberFields.name),
  email: z.optional(memberFields.email),
  birthDate: z.optional(memberFields.birthDate),
  locale: z.optional(memberFields.locale),
  consents: z._default(memberFields.consents, noConsents),
} as const;
