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

/**
 * The wider mix (#15): every line carries attributes, a third of the rules select or multiply by
 * them, rules have minimums and one says stop, and five targeted base rules compete for the base rate.
 */
const wideRule = (i: number) => {
  const common = { id: `w${i}`, name: `rule ${i}`, priority: i % 7 };
  const brand = [`brand-${i % 5}`, `brand-${(i + 2) % 5}`];
  switch (i % 10) {
    case 0: return { ...common, type: 'multiplier', multiplier: 1.5, products: { attributes: { brand } } };
    case 1: return { ...common, type: 'attributeMultiplier', attribute: 'brand', multipliers: { 'brand-0': 2, 'brand-1': 1.5, 'brand-4': 0 } };
    case 2: return { ...common, type: 'pointsPerItem', points: 3, products: { categories: ['cat-1', 'cat-2'], exclude: { attributes: { promo: ['clearance'] } } } };
    case 3: return { ...common, type: 'receiptAmount', minAmount: 10_000 * i, points: 100, when: { minimum: { amount: 20_000, of: 'afterDiscounts' } } };
    case 4: return { ...common, type: 'multiplier', multiplier: 2, when: { daysOfWeek: [1, 2, 3, 4, 5, 6, 7], hours: { from: '00:00', to: '23:59' } }, products: { skus: [`SKU-${i % 50}`] } };
    case 5: return { ...common, type: 'itemCount', minItems: 10 + i, points: 20, products: { attributes: { size: ['l', 'xl'] } } };
    case 6: return { ...common, type: 'nthReceipt', every: 2 + (i % 5), points: 50, stop: i === 46 };
    case 7: return { ...common, type: 'multiplier', multiplier: 1.25, when: { tiers: ['b'], segments: ['vip'] } };
    case 8: return { ...common, type: 'pointsPerItem', points: 2, products: { skus: [`SKU-${i % 50}`, `SKU-${(i * 7) % 50}`] } };
    default: return { ...common, type: 'lifetimeSpend', threshold: 1_000_000 + i, points: 500 };
  }
};

const shared = {
  name: 'Bench',
  currency: 'AMD',
  timeZone: 'Asia/Yerevan',
  redemption: { pointValue: 100, maxShareBps: 5000, excludedCategories: ['rx'] },
  expiry: { afterMonths: 12 },
  tiers: {
    levels: [
      { id: 'a', name: 'A', threshold: 0, discountBps: 0 },
      { id: 'b', name: 'B', threshold: 50_000, discountBps: 100, earnMultiplier: 1.5 },
    ],
  },
};
const classicDoc = {
  ...shared,
  earning: { base: { points: 1, per: 100 }, rules: Array.from({ length: 50 }, (_, i) => ruleTypes(i)) },
  exclusions: { categories: ['rx'], skus: [] },
};
const wideDoc = {
  ...shared,
  earning: {
    base: { points: 1, per: 100 },
    baseRules: [
      { id: 'north', name: 'North stores', when: { storeTags: { region: ['north'] } }, points: 2, per: 100, priority: 300 },
      { id: 'gold', name: 'Gold tier', when: { tiers: ['gold'] }, points: 3, per: 100, priority: 200 },
      { id: 'night', name: 'Nights', when: { hours: { from: '22:00', to: '06:00' } }, points: 2, per: 100 },
      { id: 'vip', name: 'VIP, not on clearance', when: { segments: ['vip'], minimum: { amount: 10_000, of: 'beforeDiscounts' } }, points: 3, per: 200, exclusions: { attributes: { promo: ['clearance'] } }, priority: 50 },
      { id: 'store', name: 'Store 1', when: { stores: ['S-01'] }, points: 1, per: 90, priority: 10 },
    ],
    rules: Array.from({ length: 50 }, (_, i) => wideRule(i)),
  },
  exclusions: { categories: ['rx'], skus: [], attributes: { giftCard: ['true'] } },
};
const parse = (doc: unknown) => {
  const parsed = parseProgram(doc);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.program;
};
/** `classic`: the 50-rule program of the first benchmark (runs on every version); `wide`: with #15's mechanics. */
const programs = { classic: parse(classicDoc), wide: tryParse(wideDoc) };
function tryParse(doc: unknown) {
  const parsed = parseProgram(doc);
  return parsed.ok ? parsed.program : null;
}

const plainLines: ReceiptLine[] = Array.from({ length: 50 }, (_, i) => ({
  lineId: String(i + 1),
  sku: `SKU-${i}`,
  category: i % 10 === 0 ? 'rx' : `cat-${i % 6}`,
  quantityMilli: 1000 + (i % 3) * 1000,
  unitPrice: 1_000 + i * 37,
  amount: (1_000 + i * 37) * (1 + (i % 3)),
}));
const attributedLines: ReceiptLine[] = plainLines.map((l, i) => ({
  ...l,
  attributes: {
    brand: `brand-${i % 5}`,
    size: ['s', 'm', 'l', 'xl'][i % 4]!,
    ...(i % 7 === 0 ? { promo: 'clearance' } : {}),
    ...(i % 13 === 0 ? { giftCard: 'true' } : {}),
    supplier: `sup-${i % 3}`,
  },
}));
const account = { ...emptyAccount(), available: 5_000, lots: { '2027-06': 5_000 }, paidTotal: 80_000, receiptCount: 3, segments: ['vip'] };
const now = new Date('2026-11-24T10:00:00+04:00');
const draftOf = (lines: ReceiptLine[]) => ({ occurredAt: now, storeId: 'S-01', storeTags: { region: 'south' }, lines, burnPoints: 200 });

/**
 * Time per call of each function, measured in interleaved rounds (one round of each, repeated),
 * so a busy machine slows all of them alike; the ratio per round is what is reported (median).
 */
function measureInterleaved(fns: ReadonlyArray<{ label: string; fn: () => unknown; baseline: number }>, rounds = 30, roundMs = 50) {
  for (const f of fns) for (let i = 0; i < 2000; i++) f.fn(); // warm-up for the JIT
  const times = fns.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    fns.forEach((f, k) => {
      let n = 0;
      const t0 = performance.now();
      let t = t0;
      while (t - t0 < roundMs) {
        for (let i = 0; i < 50; i++) f.fn();
        n += 50;
        t = performance.now();
      }
      times[k]!.push(((t - t0) * 1000) / n);
    });
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return fns.map((f, k) => ({
    label: f.label,
    us: median(times[k]!),
    /** Median over rounds of this round's time ÷ its baseline's in the same round. */
    ratio: median(times[k]!.map((t, r) => t / times[f.baseline]![r]!)),
  }));
}

/** `only`: run one mix alone (`classic` or `wide`), e.g. to compare versions of the engine. */
export function runEngineBench(only?: 'classic' | 'wide'): { markdown: string; usPerReceipt: number } {
  const plainText = JSON.stringify({ receiptId: 'R-1', lines: plainLines });
  const attributedText = JSON.stringify({ receiptId: 'R-1', lines: attributedLines });
  const classicDraft = draftOf(plainLines);
  const wideDraft = draftOf(attributedLines);
  const fns = [
    { label: 'JSON.parse + JSON.stringify of the receipt (baseline)', fn: () => JSON.stringify(JSON.parse(plainText)), baseline: 0 },
    { label: 'priceReceipt: 50 lines × 50 rules, tier, burn (classic mix)', fn: () => priceReceipt(programs.classic, account, classicDraft, now), baseline: 0 },
    ...(programs.wide
      ? [
          { label: 'JSON.parse + JSON.stringify of the attributed receipt (baseline of the wide mix)', fn: () => JSON.stringify(JSON.parse(attributedText)), baseline: 2 },
          {
            label: 'priceReceipt: 50 attributed lines × 50 rules + 5 base rules, tier, burn (wide mix)',
            fn: () => priceReceipt(programs.wide!, account, wideDraft, now),
            baseline: 2,
          },
        ]
      : []),
  ];
  const results = measureInterleaved(only === 'classic' ? fns.slice(0, 2) : only === 'wide' && fns.length > 2 ? [fns[2]!, { ...fns[3]!, baseline: 0 }] : fns);
  const check = priceReceipt(programs.classic, account, classicDraft, now);
  const wide = programs.wide ? priceReceipt(programs.wide, account, wideDraft, now) : null;
  const out = [
    `### Rules engine alone (classic: ${check.totals.pointsEarned} points through ${check.earn.rules.length} rules` +
      (wide ? `; wide: ${wide.totals.pointsEarned} points through ${wide.earn.rules.length} rules, base rule "${wide.earn.sources[0]!.id}")` : ')'),
    '',
    'Interleaved rounds; µs is the median round, ÷ baseline the median of per-round ratios.',
    '',
    '| work | µs per receipt | receipts/s | ÷ baseline |',
    '|---|---:|---:|---:|',
    ...results.map((r) => `| ${r.label} | ${r.us.toFixed(1)} | ${Math.round(1e6 / r.us).toLocaleString('en')} | ${r.ratio.toFixed(2)} |`),
  ];
  return { markdown: out.join('\n'), usPerReceipt: results.at(-1)!.us };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(runEngineBench(process.argv[2] as 'classic' | 'wide' | undefined).markdown);
