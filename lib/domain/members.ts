/**
 * What a member is made of, as the API's enrolment and the migration import both accept it: one
 * set of field rules, so a file row and a till's request are held to the same standard.
 * Cards and phones are normalised by `identifiers.ts`; these are their raw shapes.
 */
import * as z from 'zod';
import { CARD_RULE, PHONE_RULE } from './identifiers.ts';
import { singleLine, singleLineMessage } from './text.ts';

export const consentsSchema = z.strictObject({
  sms: z.boolean().default(false),
  email: z.boolean().default(false),
  push: z.boolean().default(false),
});

export const noConsents = { sms: false, email: false, push: false } as const;

/** A referral code as members read it out: letters and digits, stored upper-case. */
export const referralCodeSchema = z.string().regex(/^[A-Za-z0-9]{4,16}$/, 'must be 4–16 letters or digits');

export const memberFields = {
  card: z.string().min(4, CARD_RULE).max(32, CARD_RULE),
  phone: z.string().min(3, PHONE_RULE).max(32, PHONE_RULE),
  name: z.string().trim().min(1).max(200).refine(singleLine, singleLineMessage),
  email: z.email().max(254),
  birthDate: z.iso.date(),
  locale: z.string().regex(/^[a-z]{2,3}(-[A-Z]{2})?$/, 'must be a language tag such as "hy" or "uk-UA"'),
  consents: consentsSchema,
} as const;
