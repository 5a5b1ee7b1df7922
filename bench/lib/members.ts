/**
 * Member files as a chain's old system would export them, for the import benchmark and by hand
 * (`npx tsx bench/lib/members.ts 100000 > members.csv`): deterministic, every row valid for a
 * program with 12-month expiry and the demo program's levels, with 1–3 lots each.
 */
import { monthOf, addMonths, lotExpiryDate } from '../../lib/domain/time.ts';

export const memberCsvHeader = 'card,phone,name,email,birthDate,locale,consentSms,consentEmail,consentPush,tier,staffTier,referralCode,paidTotal,lots';

/** Row i (0-based) of a member file; `now` decides which expiry months are still valid. */
export function memberCsvRow(i: number, now: Date, timeZone = 'Asia/Yerevan'): string {
  const month = monthOf(now, timeZone);
  const lots = Array.from({ length: 1 + (i % 3) }, (_, k) => `${10 + ((i * 7 + k * 13) % 990)}@${lotExpiryDate(addMonths(month, 1 + ((i + k * 4) % 11)))}`).join(';');
  const birth = new Date(Date.UTC(1960 + (i % 45), 0, 1 + ((i * 37) % 365))).toISOString().slice(0, 10);
  const tier = ['', 'silver', 'gold'][i % 3];
  return [
    String(7_000_000_000 + i),
    `+37477${String(i % 1_000_000).padStart(6, "0")}`,
    `Member ${i}`,
    i % 2 ? `member${i}@example.com` : '',
    birth,
    ['hy', 'en', 'uk', 'hu', 'fa'][i % 5],
    i % 2 ? 'yes' : 'no',
    i % 3 ? 'yes' : '',
    '',
    tier,
    i % 97 === 0 ? 'vip' : '',
    '',
    String((i * 131) % 100_000),
    lots,
  ].join(',');
}

export function* memberCsv(count: number, now: Date, from = 0): Generator<string> {
  yield `${memberCsvHeader}\n`;
  for (let i = from; i < from + count; i++) yield `${memberCsvRow(i, now)}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const count = Number(process.argv[2] ?? 1000);
  for (const line of memberCsv(count, new Date())) process.stdout.write(line);
}
