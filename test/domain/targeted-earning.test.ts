/** Targeted base rules, minimum receipt amounts, "stop here", and why a rule did or did not apply. */
import { describe, expect, it } from 'vitest';
import { emptyAccount, type Account } from '#domain/account.ts';
import { priceReceipt, type ReceiptLine } from '#domain/pricing.ts';
import { parseProgram, type ProgramInput } from '#domain/program.ts';

type RuleInput = NonNullable<ProgramInput['earning']['rules']>[number];
import { line, program } from './fixtures.ts';

// A Friday, 12:00 in Yerevan.
const at = new Date('2026-11-20T08:00:00Z');
const price = (p: ReturnType<typeof program>, lines: ReceiptLine[], extra: { storeId?: string; account?: Account; burnPoints?: number } = {}) =>
  priceReceipt(p, extra.account ?? emptyAccount(), { occurredAt: at, lines, burnPoints: extra.burnPoints ?? 0, storeId: extra.storeId }, at);
const bySource = (r: ReturnType<typeof price>, i: number) =>
  Object.fromEntries(r.earn.lineSources[i]!.map((e) => [`${r.earn.sources[e.source]!.kind}:${r.earn.sources[e.source]!.id}`, e.points]));

describe('Base rules', () => {
  const p = program({
    earning: {
      base: { points: 1, per: 100 },
      baseRules: [
        { id: 'pharmacy', name: 'Pharmacies: 2 per 100, not on rx', when: { stores: ['S-PH'] }, points: 2, per: 100, exclusions: { attributes: { rx: ['true'] } } },
        { id: 'friday', name: 'Fridays: 3 per 100', when: { daysOfWeek: [5] }, priority: 50, points: 3, per: 100 },
        { id: 'sunday', name: 'Sundays: 5 per 100', when: { daysOfWeek: [7] }, priority: 200, points: 5, per: 100 },
      ],
    },
  });

  it('should price by the highest-priority base rule that holds, with its own exclusions', () => {
    const r = price(p, [line('1', 10_000), line('2', 10_000, { attributes: { rx: 'true' } })], { storeId: 'S-PH' });
    expect(r.lines.map((l) => l.pointsEarned)).toEqual([200, 0]);
    expect(r.earn.sources[0]).toEqual({ kind: 'base', id: 'pharmacy', points: 200 });
    expect(r.earn.misses).toEqual([
      { kind: 'base', id: 'sunday', reason: 'dayOfWeek' },
      { kind: 'base', id: 'friday', reason: 'outranked' },
    ]);
  });

  it('should fall back to a lower rule, then to earning.base', () => {
    expect(price(p, [line('1', 10_000)], { storeId: 'S-2' }).totals.pointsEarned).toBe(300);
    const saturday = new Date('2026-11-21T08:00:00Z');
    const r = priceReceipt(p, emptyAccount(), { occurredAt: saturday, lines: [line('1', 10_000)], burnPoints: 0 }, saturday);
    expect(r.totals.pointsEarned).toBe(100);
    expect(r.earn.sources[0]).toEqual({ kind: 'base', id: 'default', points: 100 });
  });

  it('should price programs without base rules exactly as earning.base', () => {
    const plain = program();
    expect(price(plain, [line('1', 12_345), line('2', 999)]).lines.map((l) => l.pointsEarned)).toEqual([123, 10]);
  });

  it('should refuse the reserved id and duplicates, with their paths', () => {
    const r = parseProgram({
      name: 'x',
      currency: 'AMD',
      timeZone: 'Asia/Yerevan',
      earning: { base: { points: 1, per: 100 }, baseRules: [{ id: 'default', name: 'd', points: 1, per: 1 }, { id: 'a', name: 'a', points: 1, per: 1 }, { id: 'a', name: 'a', points: 1, per: 0 }] },
    });
    expect(r.ok ? [] : r.issues.map((i) => i.path)).toEqual(['earning.baseRules.2.per', 'earning.baseRules.0.id', 'earning.baseRules.2.id']);
  });
});

describe('Minimum receipt amount', () => {
  const p = program({
    redemption: { pointValue: 1, maxShareBps: 10_000 },
    earning: {
      base: { points: 1, per: 100 },
      rules: [
        { id: 'before', name: '+100 from 10,000', type: 'receiptAmount', minAmount: 1, points: 100, when: { minimum: { amount: 10_000, of: 'beforeDiscounts' } } },
        { id: 'after', name: '+50 from 10,000 paid', type: 'receiptAmount', minAmount: 1, points: 50, when: { minimum: { amount: 10_000, of: 'afterDiscounts' } } },
      ],
    },
  });

  it('should check the amount before or after discounts, as the rule says', () => {
    const full = price(p, [line('1', 10_000)]);
    expect(full.earn.rules).toEqual(['after', 'before']);
    const rich = { ...emptyAccount(), available: 500, lots: { '2027-06': 500 } };
    const burned = price(p, [line('1', 10_000)], { account: rich, burnPoints: 1 });
    expect(burned.earn.rules).toEqual(['before']);
    expect(burned.earn.misses).toEqual([{ kind: 'rule', id: 'after', reason: 'minimum' }]);
    expect(price(p, [line('1', 9_999)]).earn.misses.map((m) => m.reason)).toEqual(['minimum', 'minimum']);
  });
});

describe('Stop here', () => {
  const rules: RuleInput[] = [
    { id: 'top', name: 'Top ×2', type: 'multiplier', multiplier: 2, priority: 300 },
    { id: 'stopper', name: 'Big basket +100, then stop', type: 'receiptAmount', minAmount: 20_000, points: 100, priority: 200, stop: true },
    { id: 'low', name: 'Low +7', type: 'receiptAmount', minAmount: 1, points: 7, priority: 100 },
  ];
  const p = program({ earning: { base: { points: 1, per: 100 }, rules } });

  it('should keep the rules before it and drop those after it, when it applies', () => {
    const r = price(p, [line('1', 20_000)]);
    expect(r.earn.rules).toEqual(['top', 'stopper']);
    expect(r.totals.pointsEarned).toBe(400 + 100);
    expect(r.earn.misses).toEqual([{ kind: 'rule', id: 'low', reason: 'stop' }]);
  });

  it('should not stop anything when it does not apply', () => {
    const r = price(p, [line('1', 10_000)]);
    expect(r.earn.rules).toEqual(['top', 'low']);
    expect(r.earn.misses).toEqual([{ kind: 'rule', id: 'stopper', reason: 'threshold' }]);
  });

  it('should differ from exclusive, which drops every other rule', () => {
    const ex = program({ earning: { base: { points: 1, per: 100 }, rules: rules.map((r): RuleInput => (r.id === 'stopper' ? { ...r, stop: undefined, stacking: 'exclusive' } : r)) } });
    const r = price(ex, [line('1', 20_000)]);
    expect(r.earn.rules).toEqual(['stopper']);
    expect(r.earn.misses).toEqual([
      { kind: 'rule', id: 'top', reason: 'exclusive' },
      { kind: 'rule', id: 'low', reason: 'exclusive' },
    ]);
  });
});

describe('Why: sources per line and reasons', () => {
  it('should tell per line what the base, the tier, each rule and a cap gave, adding up to its points', () => {
    const p = program({
      tiers: { levels: [{ id: 'std', name: 'Std', threshold: 0, discountBps: 0, earnMultiplier: 1.5 }] },
      earning: {
        base: { points: 1, per: 100 },
        caps: { perReceipt: 500 },
        rules: [
          { id: 'x2', name: 'A ×2', type: 'multiplier', multiplier: 2, products: { skus: ['A'] } },
          { id: 'item', name: '+10 per A', type: 'pointsPerItem', points: 10, products: { skus: ['A'] } },
          { id: 'bonus', name: '+101', type: 'receiptAmount', minAmount: 1, points: 101 },
        ],
      },
    });
    const r = price(p, [line('1', 10_000, { sku: 'A' }), line('2', 10_000)]);
    // Uncapped: A 100 + 50 tier + 100 rule + 10 + 51 = 311; B 100 + 50 + 50 = 200; 511 → cap 500.
    expect(bySource(r, 0)).toEqual({ 'base:default': 100, 'tier:std': 50, 'rule:x2': 100, 'rule:item': 10, 'rule:bonus': 51, 'cap:perReceipt': -7 });
    expect(bySource(r, 1)).toEqual({ 'base:default': 100, 'tier:std': 50, 'rule:bonus': 50, 'cap:perReceipt': -4 });
    r.lines.forEach((l, i) => expect(r.earn.lineSources[i]!.reduce((s, e) => s + e.points, 0)).toBe(l.pointsEarned));
    expect(r.earn.sources.map((s) => s.points)).toEqual([200, 100, 101, 10, 100, -11]);
  });

  it('should give the first failing condition of each rule, in the order they are checked', () => {
    const p = program({
      tiers: { levels: [{ id: 'std', name: 'Std', threshold: 0, discountBps: 0 }] },
      earning: {
        base: { points: 1, per: 100 },
        caps: { perReceipt: 0 },
        rules: [
          { id: 'window', name: 'w', type: 'firstReceipt', points: 1, when: { validTo: '2026-01-01T00:00:00Z', stores: ['S-X'] } },
          { id: 'store', name: 's', type: 'firstReceipt', points: 1, when: { stores: ['S-X'], tiers: ['gold'] } },
          { id: 'tags', name: 't', type: 'firstReceipt', points: 1, when: { storeTags: { region: ['north'] } } },
          { id: 'tier', name: 't', type: 'firstReceipt', points: 1, when: { tiers: ['gold'] } },
          { id: 'segment', name: 's', type: 'firstReceipt', points: 1, when: { segments: ['vip'] } },
          { id: 'day', name: 'd', type: 'firstReceipt', points: 1, when: { daysOfWeek: [1], hours: { from: '00:00', to: '01:00' } } },
          { id: 'hours', name: 'h', type: 'firstReceipt', points: 1, when: { hours: { from: '00:00', to: '01:00' } } },
          { id: 'min', name: 'm', type: 'firstReceipt', points: 1, when: { minimum: { amount: 1_000_000, of: 'beforeDiscounts' } } },
          { id: 'products', name: 'p', type: 'multiplier', multiplier: 2, products: { skus: ['NONE'] } },
          { id: 'excluded', name: 'e', type: 'multiplier', multiplier: 2, products: { categories: ['rx'] } },
          { id: 'threshold', name: 't', type: 'nthReceipt', every: 5, points: 1 },
          { id: 'capped', name: 'c', type: 'firstReceipt', points: 1 },
        ],
      },
      exclusions: { categories: ['rx'] },
    });
    const r = price(p, [line('1', 10_000), line('2', 100, { category: 'rx' })], { storeId: 'S-1' });
    expect(Object.fromEntries(r.earn.misses.map((m) => [m.id, m.reason]))).toEqual({
      window: 'window',
      store: 'store',
      tags: 'storeTags',
      tier: 'tier',
      segment: 'segment',
      day: 'dayOfWeek',
      hours: 'hours',
      min: 'minimum',
      products: 'products',
      excluded: 'exclusion',
      threshold: 'threshold',
      capped: 'cap',
    });
  });

  it('should bound the sources listed per line, summing the smallest as other', () => {
    const rules = Array.from({ length: 12 }, (_, i): RuleInput => ({ id: `m${i}`, name: 'm', type: 'multiplier', multiplier: 1 + (i + 1) / 100 }));
    const r = price(program({ earning: { base: { points: 1, per: 100 }, rules } }), [line('1', 100_000)]);
    const entries = r.earn.lineSources[0]!;
    expect(entries).toHaveLength(6);
    expect(r.earn.sources[entries.at(-1)!.source]!.kind).toBe('other');
    expect(entries.reduce((s, e) => s + e.points, 0)).toBe(r.lines[0]!.pointsEarned);
  });
});
