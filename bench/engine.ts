/**
 * The rules engine alone: a 50-line receipt priced against a 50-rule program, in-process.
 * Baseline in the same run: JSON.parse + JSON.stringify of that receipt (work every request does
 * anyway), so the ratio says what pricing adds. `npm run bench:engine`
 */
import { emptyAccount } from '../lib/domain/account.ts';
import { priceReceipt, type ReceiptLine } from '../lib/domain/pricing.ts';
import { parseProgram } from '../lib/domain/program.ts';

const ruleTypes = (i: number) => {
  const common = { id: `r${i}`, name: `rule ${i}`, priority: i % 7 };
  const products = { skus: [`SKU-${i % 50}`, `SKU-${(i * 7) % 50}`], categories: [] };
  switch (i % 7) {
    case 0: return { ...common, type: 'multiplier', multiplier: 1 + (i % 5) / 2, products };
    case 1: return { ...common, type: 'pointsPerItem', points: 5, products };
    case 2: return { ...common, type: 'itemCount', minItems: 10 + i, points: 20 };
    case 3: return { ...common, type: 'receiptAmount', minAmount: 100_000 * i, points: 100 };
    case 4: return { ...common, type: 'nthReceipt', every: 2 + (i % 5), points: 50 };
    case 5: return { ...common, type: 'multiplier', multiplier: 2, when: { daysOfWeek: [1, 2, 3, 4, 5, 6, 7], hours: { from: '00:00', to: '23:59' } } };
    default: return { ...common, type: 'lifetimeSpend', threshold: 1_000_000 + i, points: 500 };
  }
};

const parsed = parseProgram({
  name: 'Bench',
  currency: 'AMD',
  timeZone: 'Asia/Yerevan',
  earning: { base: { points: 1, per: 100 }, rules: Array.from({ length: 50 }, (_, i) => ruleTypes(i)) },
  exclusions: { categories: ['rx'], skus: [] },
  redemption: { pointValue: 100, maxShareBps: 5000, excludedCategories: ['rx'] },
  expiry: { afterMonths: 12 },
  tiers: {
    levels: [
      { id: 'a', name: 'A', threshold: 0, discountBps: 0 },
      { id: 'b', name: 'B', threshold: 50_000, discountBps: 100, earnMultiplier: 1.5 },
    ],
  },
});
if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
const program = parsed.program;
const lines: ReceiptLine[] = Array.from({ length: 50 }, (_, i) => ({
  lineId: String(i + 1),
  sku: `SKU-${i}`,
  category: i % 10 === 0 ? 'rx' : `cat-${i % 6}`,
  quantityMilli: 1000 + (i % 3) * 1000,
  unitPrice: 1_000 + i * 37,
  amount: (1_000 + i * 37) * (1 + (i % 3)),
}));
const account = { ...emptyAccount(), available: 5_000, lots: { '2027-06': 5_000 }, paidTotal: 80_000, receiptCount: 3 };
const now = new Date('2026-11-24T10:00:00+04:00');
const draft = { occurredAt: now, storeId: 'S-01', lines, burnPoints: 200 };

function measure(label: string, fn: () => unknown, minMs = 1500) {
  for (let i = 0; i < 2000; i++) fn(); // warm-up for the JIT
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < minMs) {
    for (let i = 0; i < 200; i++) fn();
    n += 200;
    t = performance.now();
  }
  const us = ((t - t0) * 1000) / n;
  return { label, us, opsPerSec: 1e6 / us };
}

export function runEngineBench(): { markdown: string; usPerReceipt: number } {
  const text = JSON.stringify({ receiptId: 'R-1', lines });
  const baseline = measure('JSON.parse + JSON.stringify of the receipt (baseline)', () => JSON.stringify(JSON.parse(text)));
  const engine = measure('priceReceipt: 50 lines × 50 rules, tier, burn', () => priceReceipt(program, account, draft, now));
  const check = priceReceipt(program, account, draft, now);
  const out = [
    `### Rules engine alone (the sample receipt earns ${check.totals.pointsEarned} points through ${check.earn.rules.length} rules)`,
    '',
    '| work | µs per receipt | receipts/s | ÷ baseline |',
    '|---|---:|---:|---:|',
    ...[baseline, engine].map((r) => `| ${r.label} | ${r.us.toFixed(1)} | ${Math.round(r.opsPerSec).toLocaleString('en')} | ${(r.us / baseline.us).toFixed(2)} |`),
  ];
  return { markdown: out.join('\n'), usPerReceipt: engine.us };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(runEngineBench().markdown);
