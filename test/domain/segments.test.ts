import { describe, expect, it } from 'vitest';
import { emptyAccount, type Account } from '#domain/account.ts';
import { priceReceipt } from '#domain/pricing.ts';
import { notePurchases } from '#domain/purchases.ts';
import { definitionIssues, matchingSegments, nextSegments, type DefinedSegment, type SegmentFacts } from '#domain/segments.ts';
import { segmentSchemas } from '#domain/segment-schema.ts';
import { MAX_EVENT_TYPES_KEPT, noteEvent } from '#domain/custom-events.ts';
import { line, program, progressiveCard } from './fixtures.ts';

const { conditionSchema, segmentDefinitionSchema } = segmentSchemas();
const p = program({
  purchaseSummary: { categories: 3, skus: 2, stores: 2 },
  tiers: { levels: [{ id: 'base', name: 'Base', threshold: 0, discountBps: 0 }, { id: 'gold', name: 'Gold', threshold: 50_000, discountBps: 200 }] },
});

const def = (segmentId: string, input: unknown): DefinedSegment => ({ segmentId, ...segmentDefinitionSchema.parse(input) });

function buy(acc: Account, day: string, lines: Array<{ amount: number; category?: string; sku?: string }>, storeId = 'S-01'): Account {
  const at = new Date(`${day}T12:00:00+04:00`);
  return priceReceipt(p, acc, { occurredAt: at, storeId, lines: lines.map((l, i) => line(String(i + 1), l.amount, { category: l.category ?? 'general', sku: l.sku ?? `SKU-${i}` })), burnPoints: 0 }, at).accountAfter;
}

const facts = (account: Account, profile: Partial<SegmentFacts['profile']> = {}): SegmentFacts => ({
  account,
  profile: { consents: { sms: true, email: false, push: false }, createdAt: '2026-01-10T09:00:00.000Z', ...profile },
});

describe('Purchase summary', () => {
  it('should keep the latest month of each category, SKU and store, the most recent first, within the program bounds', () => {
    let acc = buy(emptyAccount(), '2026-03-05', [{ amount: 1000, category: 'baby', sku: 'A' }, { amount: 1000, category: 'rx', sku: 'B' }]);
    acc = buy(acc, '2026-05-05', [{ amount: 1000, category: 'cosmetics', sku: 'C' }], 'S-02');
    acc = buy(acc, '2026-06-05', [{ amount: 1000, category: 'toys', sku: 'A' }], 'S-03');
    expect(acc.purchases).toEqual({
      // 'rx' and 'baby' were both last bought in March; one had to go (key order decides).
      categories: { toys: '2026-06', cosmetics: '2026-05', baby: '2026-03' },
      skus: { A: '2026-06', C: '2026-05' },
      stores: { 'S-03': '2026-06', 'S-02': '2026-05' },
      attributes: {},
    });
  });

  it('should keep line attributes as name=value where the till sends them and the program asks', () => {
    const withAttrs = program({ purchaseSummary: { categories: 0, stores: 0, attributes: 2 } });
    const at = new Date('2026-06-05T12:00:00+04:00');
    const attributed = { ...line('1', 1000), attributes: { brand: 'acme', rx: 'true' } };
    const acc = priceReceipt(withAttrs, emptyAccount(), { occurredAt: at, lines: [attributed], burnPoints: 0 }, at).accountAfter;
    expect(acc.purchases?.attributes).toEqual({ 'brand=acme': '2026-06', 'rx=true': '2026-06' });
    const d = def('acme', { name: 'Acme buyers', conditions: [{ kind: 'bought', attributes: { brand: ['acme', 'zenith'] }, withinMonths: 1 }] });
    expect(matchingSegments(withAttrs, [d], facts(acc), '2026-06-30')).toEqual(['acme']);
    expect(matchingSegments(withAttrs, [d], facts(acc), '2026-07-01')).toEqual([]);
    expect(definitionIssues(program(), d)).toEqual([{ path: 'conditions.0.kind', message: 'the program keeps no summary of attributes (set purchaseSummary.attributes in the program)' }]);
  });

  it('should never move a mark back for a receipt posted late, and keep nothing without the program section', () => {
    const s = notePurchases({ categories: { baby: '2026-06' }, skus: {}, stores: {}, attributes: {} }, { categories: 5, skus: 0, stores: 0, attributes: 0 }, '2026-05', { categories: ['baby'], skus: ['X'] });
    expect(s).toEqual({ categories: { baby: '2026-06' }, skus: {}, stores: {}, attributes: {} });
    expect(notePurchases(s, undefined, '2026-07', { categories: ['baby'], skus: [] })).toBeUndefined();
    const plain = priceReceipt(program(), emptyAccount(), { occurredAt: new Date('2026-06-01T10:00:00Z'), lines: [line('1', 100)], burnPoints: 0 }, new Date('2026-06-01T10:00:00Z'));
    expect('purchases' in plain.accountAfter).toBe(false);
  });
});

describe('Segment conditions', () => {
  const acc = buy(buy(emptyAccount(), '2026-04-02', [{ amount: 30_000, category: 'baby', sku: 'DIAPER' }]), '2026-06-01', [{ amount: 30_000, category: 'rx' }], 'S-02');

  it('should test every kind of condition on the customer item alone', () => {
    const one = (c: unknown, f = facts(acc), today = '2026-06-10') => matchingSegments(p, [def('s', { name: 'S', conditions: [c] })], f, today).length === 1;
    expect(one({ kind: 'tier', tiers: ['gold'] })).toBe(true); // 60,000 paid
    expect(one({ kind: 'tier', tiers: ['base'] })).toBe(false);
    expect(one({ kind: 'rfm', classes: ['occasional'] })).toBe(true);
    expect(one({ kind: 'rfm', classes: ['atRisk'] }, facts(acc), '2026-09-01')).toBe(true);
    expect(one({ kind: 'lastPurchase', withinDays: 9 })).toBe(true);
    expect(one({ kind: 'lastPurchase', withinDays: 8 })).toBe(false);
    expect(one({ kind: 'lastPurchase', after: '2026-05-31', before: '2026-06-02' })).toBe(true);
    expect(one({ kind: 'lastPurchase', olderThanDays: 9 })).toBe(false);
    expect(one({ kind: 'lastPurchase', withinDays: 30 }, facts(emptyAccount()))).toBe(false);
    expect(one({ kind: 'enrolled', before: '2026-02-01' })).toBe(true);
    expect(one({ kind: 'enrolled', withinDays: 30 })).toBe(false);
    expect(one({ kind: 'birthdayMonth', months: [6, 7] }, facts(acc, { birthDate: '1990-06-30' }))).toBe(true);
    expect(one({ kind: 'birthdayMonth', months: [6] })).toBe(false);
    expect(one({ kind: 'consent', channel: 'sms' })).toBe(true);
    expect(one({ kind: 'consent', channel: 'email' })).toBe(false);
    expect(one({ kind: 'consent', channel: 'email', not: true })).toBe(true);
    expect(one({ kind: 'balance', min: 600, max: 600 })).toBe(true);
    expect(one({ kind: 'balance', min: 601 })).toBe(false);
    expect(one({ kind: 'bought', categories: ['baby'], withinMonths: 3 })).toBe(true); // April..June
    expect(one({ kind: 'bought', categories: ['baby'], withinMonths: 2 })).toBe(false);
    expect(one({ kind: 'bought', skus: ['DIAPER'], withinMonths: 3 })).toBe(true);
    expect(one({ kind: 'bought', categories: ['baby'], withinMonths: 3 }, facts(acc), '2026-07-01')).toBe(false);
    expect(one({ kind: 'store', stores: ['S-02', 'S-09'], withinMonths: 1 })).toBe(true);
    expect(one({ kind: 'store', stores: ['S-01'], withinMonths: 2 })).toBe(false);
    const app = facts(noteEvent(acc, 'app.installed', '2026-06-01'));
    expect(one({ kind: 'event', event: 'app.installed', withinDays: 9 }, app)).toBe(true);
    expect(one({ kind: 'event', event: 'app.installed', withinDays: 8 }, app)).toBe(false);
    expect(one({ kind: 'event', event: 'app.installed', olderThanDays: 5 }, app)).toBe(true);
    expect(one({ kind: 'event', event: 'survey.answered', withinDays: 30 }, app)).toBe(false);
    expect(one({ kind: 'event', event: 'survey.answered', withinDays: 30, not: true }, app)).toBe(true);
  });

  it('should keep the latest day of each custom event type, never moving it back, for the most recent types only', () => {
    let a = noteEvent(emptyAccount(), 'app.installed', '2026-06-01');
    expect(noteEvent(a, 'app.installed', '2026-05-01')).toBe(a);
    a = noteEvent(a, 'app.installed', '2026-06-03');
    expect(a.lastEventOn).toEqual({ 'app.installed': '2026-06-03' });
    for (let i = 0; i < MAX_EVENT_TYPES_KEPT; i++) a = noteEvent(a, `t${String(i).padStart(2, '0')}`, `2026-07-${String(i + 1).padStart(2, '0')}`);
    // One type too many: the one seen longest ago goes.
    expect(Object.keys(a.lastEventOn!)).toHaveLength(MAX_EVENT_TYPES_KEPT);
    expect(a.lastEventOn!['app.installed']).toBeUndefined();
    expect(a.lastEventOn!.t19).toBe('2026-07-20');
  });

  it('should combine conditions with all or any, and put an erased customer in none', () => {
    const both = def('both', { name: 'Both', conditions: [{ kind: 'consent', channel: 'sms' }, { kind: 'balance', min: 10_000 }] });
    const either = def('either', { name: 'Either', match: 'any', conditions: [{ kind: 'consent', channel: 'sms' }, { kind: 'balance', min: 10_000 }] });
    expect(matchingSegments(p, [both, either], facts(acc), '2026-06-10')).toEqual(['either']);
    expect(matchingSegments(p, [both, either], facts(acc, { erasedAt: '2026-06-09T00:00:00Z' }), '2026-06-10')).toEqual([]);
  });

  it('should replace only defined segments in the customer list, leaving those set by hand', () => {
    expect(nextSegments(['by-hand', 'old-def', 'x-def'], new Set(['old-def', 'x-def', 'new-def']), ['new-def', 'x-def'])).toEqual(['by-hand', 'new-def', 'x-def']);
  });

  it('should refuse conditions that cannot be tested, naming the field', () => {
    const bad = (c: unknown) => {
      const r = conditionSchema.safeParse(c);
      return r.success ? null : { path: r.error.issues[0]!.path.join('.'), message: r.error.issues[0]!.message };
    };
    expect(bad({ kind: 'lastPurchase' })).toEqual({ path: 'after', message: 'give at least one of after, before, withinDays, olderThanDays' });
    expect(bad({ kind: 'bought', categories: ['a'], skus: ['b'], withinMonths: 1 })).toEqual({ path: 'categories', message: 'give exactly one of categories, skus or attributes' });
    expect(bad({ kind: 'bought', categories: ['a'], withinMonths: 37 })?.path).toBe('withinMonths');
    expect(bad({ kind: 'rfm', classes: ['gold'] })?.path).toBe('classes.0');
    expect(bad({ kind: 'balance' })?.path).toBe('min');
    expect(bad({ kind: 'weather' })?.path).toBe('kind');
    const d = segmentDefinitionSchema.parse({ name: 'X', conditions: [{ kind: 'tier', tiers: ['silver', 'platinum'] }, { kind: 'bought', skus: ['A'], withinMonths: 1 }] });
    expect(definitionIssues(progressiveCard(), d)).toEqual([
      { path: 'conditions.0.tiers.1', message: 'is not a tier of the program' },
      { path: 'conditions.1.kind', message: 'the program keeps no summary of skus (set purchaseSummary.skus in the program)' },
    ]);
  });
});
