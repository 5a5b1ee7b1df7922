/**
 * Migration import: one member as a chain's old system exports them (a CSV row or a JSON Lines
 * object) checked against the same rules as an enrolment and against the program it joins, and
 * turned into what Tally keeps — profile, account with its point lots, level. Pure: the caller
 * passes the program and the time; refusals come back as data (field and rule), never thrown,
 * because one bad row must not stop a file of 100,000.
 */
import * as z from './zod-mini.ts';
import { NEVER_EXPIRES, emptyAccount, openingBalance, type Account, type LedgerEntry } from './account.ts';
import { CARD_RULE, PHONE_RULE, normalizeCard } from './identifiers.ts';
import { normalizePhone } from './phone-parser.ts';
import { memberFields, optionalMemberFields, referralCodeSchema } from './members.ts';
import type { Program } from './program.ts';
import { assignLevel } from './tiers.ts';
import { addMonths, monthOf, type MonthKey } from './time.ts';
import { IMPORT_LIMITS, type RowIssue } from './import-kinds.ts';

const lotSchema = z.strictObject({
  points: z.int().check(z.gte(1), z.lte(IMPORT_LIMITS.maxPointsPerMember)),
  /** The day the old system says these points expire; empty for points that never expire. */
  expiresOn: z.optional(z.iso.date()),
});

/** A member as the file gives it, after CSV cells are read into JSON types. */
export const memberRowSchema = z.strictObject({
  card: memberFields.card,
  ...optionalMemberFields,
  /** The program level the old system had reached. */
  tier: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
  /** A level only staff assign (VIP). */
  staffTier: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
  /** The code this member gives friends, kept so printed codes go on working. */
  referralCode: z.optional(referralCodeSchema),
  /** Lifetime money paid (minor units): where cumulative-paid tiers continue from. */
  paidTotal: z.optional(z.int().check(z.gte(0), z.lte(1_000_000_000_000))),
  lots: z._default(
    z.array(lotSchema).check(z.maxLength(IMPORT_LIMITS.maxLotsPerMember, `at most ${IMPORT_LIMITS.maxLotsPerMember} lots per member (import.maxLotsPerMember)`)),
    [],
  ),
});
export type MemberRow = z.output<typeof memberRowSchema>;

/** CSV columns, in the order the README documents them. `card` is the only one required. */
export const csvColumns = [
  'card',
  'phone',
  'name',
  'email',
  'birthDate',
  'locale',
  'consentSms',
  'consentEmail',
  'consentPush',
  'tier',
  'staffTier',
  'referralCode',
  'paidTotal',
  'lots',
] as const;

/** The header's problems, if any: unknown columns are refused (a typo must not drop a column silently). */
export function checkCsvHeader(header: readonly string[]): RowIssue[] {
  const known = new Set<string>(csvColumns);
  const issues: RowIssue[] = [];
  const seen = new Set<string>();
  for (const h of header) {
    if (!known.has(h)) issues.push({ field: h, rule: `is not a known column (known: ${csvColumns.join(', ')})` });
    else if (seen.has(h)) issues.push({ field: h, rule: 'appears twice in the header' });
    seen.add(h);
  }
  if (!seen.has('card')) issues.push({ field: 'card', rule: 'the header must have a card column' });
  return issues;
}

const TRUE = new Set(['true', 'yes', 'y', '1']);
const FALSE = new Set(['false', 'no', 'n', '0']);

/**
 * A CSV record (strings; an empty cell means "not given") in the shape JSON Lines rows have, so
 * both formats meet one schema. What cannot be read is an issue for its column.
 */
export function fromCsvRecord(record: Readonly<Record<string, string>>): { value: Record<string, unknown>; issues: RowIssue[] } {
  const issues: RowIssue[] = [];
  const value: Record<string, unknown> = {};
  const cell = (k: string) => {
    const v = record[k]?.trim();
    return v ? v : undefined;
  };
  for (const k of ['card', 'phone', 'name', 'email', 'birthDate', 'locale', 'tier', 'staffTier', 'referralCode'] as const) {
    const v = cell(k);
    if (v !== undefined) value[k] = v;
  }
  const consents: Record<string, boolean> = {};
  for (const [column, channel] of [['consentSms', 'sms'], ['consentEmail', 'email'], ['consentPush', 'push']] as const) {
    const v = cell(column)?.toLowerCase();
    if (v === undefined) continue;
    if (TRUE.has(v)) consents[channel] = true;
    else if (FALSE.has(v)) consents[channel] = false;
    else issues.push({ field: column, rule: 'must be true or false (also yes/no, 1/0)' });
  }
  if (Object.keys(consents).length) value.consents = consents;
  const paid = cell('paidTotal');
  if (paid !== undefined) {
    if (/^\d{1,13}$/.test(paid)) value.paidTotal = Number(paid);
    else issues.push({ field: 'paidTotal', rule: 'must be a whole number of minor units' });
  }
  const lots = cell('lots');
  if (lots !== undefined) {
    const parsed: Array<{ points: number; expiresOn?: string }> = [];
    for (const part of lots.split(';')) {
      const m = /^\s*(\d{1,10})\s*(?:@\s*(\S+))?\s*$/.exec(part);
      if (!m) {
        issues.push({ field: 'lots', rule: 'must be points@YYYY-MM-DD (or points alone for points that never expire), separated by ;' });
        break;
      }
      parsed.push({ points: Number(m[1]), ...(m[2] ? { expiresOn: m[2] } : {}) });
    }
    value.lots = parsed;
  }
  return { value, issues };
}

/** What an accepted row becomes: the profile's fields and the opening account. */
export interface MigratedMember {
  readonly card: string;
  readonly phone: string | undefined;
  readonly referralCode: string | undefined;
  readonly profile: {
    readonly name?: string | undefined;
    readonly email?: string | undefined;
    readonly birthDate?: string | undefined;
    readonly locale?: string | undefined;
    readonly consents: { sms: boolean; email: boolean; push: boolean };
  };
  readonly staffTierId: string | null;
  readonly account: Account;
  /** The one `migrated` ledger entry: the lots brought over. */
  readonly entry: LedgerEntry;
  /** The row in normal form (card and phone normalised), for the row's idempotency hash. */
  readonly normalized: MemberRow;
}

export type RowResult = { ok: true; member: MigratedMember } | { ok: false; issues: RowIssue[] };

const issuePath = (path: ReadonlyArray<PropertyKey>) => (path.length ? path.map(String).join('.') : 'row');

/**
 * Checks one row (JSON shape) against the enrolment rules and the program, and builds the member.
 * Lots are kept the program's way: in buckets by the month at whose end they expire (program
 * time), so a date inside a month expires at that month's end.
 */
export function migrateMember(program: Program, input: unknown, now: Date): RowResult {
  const parsed = memberRowSchema.safeParse(input);
  if (!parsed.success) {
    return {
      ok: false,
      issues: parsed.error.issues.map((i) => ({
        field: issuePath(i.path),
        rule: i.code === 'unrecognized_keys' ? `${i.keys.join(', ')}: ${i.keys.length > 1 ? 'are not known columns' : 'is not a known column'}` : i.message,
      })),
    };
  }
  const row = parsed.data;
  const issues: RowIssue[] = [];
  const card = normalizeCard(row.card);
  if (!card) issues.push({ field: 'card', rule: CARD_RULE });
  const phone = row.phone === undefined ? undefined : normalizePhone(row.phone);
  if (phone === null) issues.push({ field: 'phone', rule: PHONE_RULE });

  const tiers = program.tiers;
  if (row.tier !== undefined && !tiers?.levels.some((l) => l.id === row.tier)) {
    issues.push({ field: 'tier', rule: tiers ? `is not a level of this program (${tiers.levels.map((l) => l.id).join(', ')})` : 'this program has no tiers' });
  }
  if (row.staffTier !== undefined && !tiers?.staffLevels.some((l) => l.id === row.staffTier)) {
    issues.push({
      field: 'staffTier',
      rule: tiers?.staffLevels.length ? `is not a staff-assigned level of this program (${tiers.staffLevels.map((l) => l.id).join(', ')})` : 'this program has no staff-assigned levels',
    });
  }
  if (row.referralCode !== undefined && !program.referral) issues.push({ field: 'referralCode', rule: 'this program has no referral terms' });

  const lots: Record<MonthKey, number> = {};
  const current = monthOf(now, program.timeZone);
  const latest = program.expiry ? addMonths(current, program.expiry.afterMonths) : undefined;
  let total = 0;
  for (const [i, lot] of row.lots.entries()) {
    const field = `lots.${i}.expiresOn`;
    let key: MonthKey = NEVER_EXPIRES;
    if (!program.expiry) {
      if (lot.expiresOn !== undefined) {
        issues.push({ field, rule: "this program's points never expire (it has no expiry section): leave the date out" });
        continue;
      }
    } else if (lot.expiresOn === undefined) {
      issues.push({ field, rule: `is required: this program's points expire (expiry.afterMonths = ${program.expiry.afterMonths})` });
      continue;
    } else {
      key = lot.expiresOn.slice(0, 7);
      if (key < current) {
        issues.push({ field, rule: `is in the past (${current} in the program's time zone): expired points are not migrated` });
        continue;
      }
      if (key > latest!) {
        issues.push({ field, rule: `is later than points earned today would expire (end of ${latest}, expiry.afterMonths = ${program.expiry.afterMonths})` });
        continue;
      }
    }
    lots[key] = (lots[key] ?? 0) + lot.points;
    total += lot.points;
  }
  if (total > IMPORT_LIMITS.maxPointsPerMember) {
    issues.push({ field: 'lots', rule: `at most ${IMPORT_LIMITS.maxPointsPerMember} points per member in all (import.maxPointsPerMember)` });
  }
  if (issues.length || !card || phone === null) return { ok: false, issues };

  let account: Account = { ...emptyAccount(), paidTotal: row.paidTotal ?? 0 };
  // Without a tier the member starts like an enrolment: the level is worked out on their first receipt.
  if (row.tier !== undefined) account = assignLevel(program, account, row.tier);
  const staffTierId = row.staffTier ?? null;
  account = { ...account, staffTierId };
  const opened = openingBalance(account, lots);
  const referralCode = row.referralCode?.toUpperCase();
  return {
    ok: true,
    member: {
      card,
      phone,
      referralCode,
      profile: {
        name: row.name,
        email: row.email?.toLowerCase(),
        birthDate: row.birthDate,
        locale: row.locale,
        consents: row.consents,
      },
      staffTierId,
      account: opened.account,
      entry: opened.entry,
      normalized: { ...row, card, ...(phone ? { phone } : {}), ...(referralCode ? { referralCode } : {}) },
    },
  };
}
