import { describe, expect, it } from 'vitest';
import { checkCsvHeader, fromCsvRecord, migrateMember } from '#domain/imports.ts';
import { IMPORT_LIMITS } from '#domain/import-kinds.ts';
import { parseProgram, type Program } from '#domain/program.ts';

const program = (extra: Record<string, unknown> = {}): Program => {
  const r = parseProgram({
    name: 'Import',
    currency: 'AMD',
    timeZone: 'Asia/Yerevan',
    earning: { base: { points: 1, per: 100 } },
    expiry: { afterMonths: 12 },
    tiers: { levels: [{ id: 'base', name: 'Base', threshold: 0, discountBps: 0 }, { id: 'gold', name: 'Gold', threshold: 100_000, discountBps: 300 }], staffLevels: [{ id: 'vip', name: 'VIP', discountBps: 500 }] },
    ...extra,
  });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.program;
};
// 31 December 23:30 UTC is already 1 January in Yerevan: lots are judged in the program's time zone.
const now = new Date('2026-12-31T23:30:00Z');

describe('migrateMember', () => {
  it('keeps lots by the month at whose end they expire, normalises identifiers, and opens the account with one migrated entry', () => {
    const r = migrateMember(program(), { card: '1234 5678', phone: '+374 91 123456', email: 'A@B.AM', tier: 'gold', staffTier: 'vip', paidTotal: 120_000, lots: [{ points: 30, expiresOn: '2027-01-01' }, { points: 20, expiresOn: '2027-01-31' }, { points: 5, expiresOn: '2028-01-31' }] }, now);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.member).toMatchObject({ card: '12345678', phone: '+37491123456', staffTierId: 'vip', profile: { email: 'a@b.am', consents: { sms: false, email: false, push: false } } });
    expect(r.member.account).toMatchObject({ available: 55, lots: { '2027-01': 50, '2028-01': 5 }, tierId: 'gold', tierRank: 1, staffTierId: 'vip', paidTotal: 120_000 });
    expect(r.member.entry).toEqual({ kind: 'migrated', points: 55, lots: { '2027-01': 50, '2028-01': 5 }, debt: 0, balanceAfter: 55 });
  });

  it('refuses lots that do not fit the program: expired (program time), beyond its expiry, undated, or dated when points never expire', () => {
    const r = migrateMember(program(), { card: '12345678', lots: [{ points: 1, expiresOn: '2026-12-31' }, { points: 1, expiresOn: '2028-02-01' }, { points: 1 }] }, now);
    expect(r).toEqual({
      ok: false,
      issues: [
        { field: 'lots.0.expiresOn', rule: "is in the past (2027-01 in the program's time zone): expired points are not migrated" },
        { field: 'lots.1.expiresOn', rule: 'is later than points earned today would expire (end of 2028-01, expiry.afterMonths = 12)' },
        { field: 'lots.2.expiresOn', rule: "is required: this program's points expire (expiry.afterMonths = 12)" },
      ],
    });
    const never = program({ expiry: undefined });
    expect(migrateMember(never, { card: '12345678', lots: [{ points: 7 }] }, now)).toMatchObject({ ok: true, member: { account: { lots: { '9999-12': 7 } } } });
    expect(migrateMember(never, { card: '12345678', lots: [{ points: 7, expiresOn: '2027-05-31' }] }, now)).toMatchObject({ ok: false, issues: [{ field: 'lots.0.expiresOn' }] });
  });

  it('bounds the lots of one member, naming the limit', () => {
    const lots = Array.from({ length: IMPORT_LIMITS.maxLotsPerMember + 1 }, () => ({ points: 1, expiresOn: '2027-06-30' }));
    expect(migrateMember(program(), { card: '12345678', lots }, now)).toEqual({ ok: false, issues: [{ field: 'lots', rule: 'at most 60 lots per member (import.maxLotsPerMember)' }] });
    expect(migrateMember(program(), { card: '12345678', lots: lots.slice(1) }, now).ok).toBe(true);
  });

  it('refuses levels the program does not have and referral codes where it has no referral terms', () => {
    const r = migrateMember(program(), { card: '12345678', tier: 'vip', staffTier: 'gold', referralCode: 'ANNA2024' }, now);
    expect(r).toEqual({
      ok: false,
      issues: [
        { field: 'tier', rule: 'is not a level of this program (base, gold)' },
        { field: 'staffTier', rule: 'is not a staff-assigned level of this program (vip)' },
        { field: 'referralCode', rule: 'this program has no referral terms' },
      ],
    });
  });

  it('holds a row to the enrolment rules, field by field', () => {
    const r = migrateMember(program(), { card: '12', phone: '555', locale: 'Armenian', birthDate: '1990-02-30', extra: 1 }, now);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => i.field)).toEqual(['card', 'birthDate', 'locale', 'row']);
    expect(r.issues[0]!.rule).toBe('must be 4–32 letters or digits');
  });
});

describe('CSV rows', () => {
  it('reads consents, lots and paid totals from their cells, and names the column it cannot read', () => {
    expect(fromCsvRecord({ card: ' 1234 ', consentSms: 'Yes', consentEmail: '0', consentPush: '', lots: '500@2027-03-31; 200', paidTotal: '1500' })).toEqual({
      value: { card: '1234', consents: { sms: true, email: false }, lots: [{ points: 500, expiresOn: '2027-03-31' }, { points: 200 }], paidTotal: 1500 },
      issues: [],
    });
    expect(fromCsvRecord({ card: '1234', consentSms: 'maybe', lots: '500 at March', paidTotal: '-3' }).issues.map((i) => i.field)).toEqual(['consentSms', 'paidTotal', 'lots']);
  });

  it('refuses a header with an unknown or repeated column, or without card', () => {
    expect(checkCsvHeader(['card', 'phone'])).toEqual([]);
    expect(checkCsvHeader(['phone', 'fone', 'phone']).map((i) => i.field)).toEqual(['fone', 'phone', 'card']);
  });
});
