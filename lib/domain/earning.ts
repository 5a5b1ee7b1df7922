/**
 * Points a receipt earns: the base rate times the multipliers that apply to each line, points per
 * item, and receipt-level bonuses spread over the eligible lines by largest remainder, then caps.
 * All integer: multipliers are ten-thousandths and exact products are BigInt.
 */
import { allocate, allocateBig, sum } from './allocation.ts';
import type { Account } from './account.ts';
import type { Program } from './program.ts';
import {
  activeRules,
  chooseBase,
  DEFAULT_BASE_ID,
  isExcluded,
  matchesProducts,
  ONE,
  type EarningRule,
  type Products,
  type RuleContext,
  type RuleMiss,
  type RuleMissReason,
} from './rules.ts';
import { localTime } from './time.ts';
import type { LineAttributes } from './attributes.ts';

export interface EarnLine {
  readonly sku: string;
  readonly category: string;
  readonly attributes?: LineAttributes | undefined;
  readonly quantityMilli: number;
  /** The earning basis of the line (paid or payable), minor units; 0 when the line earns nothing. */
  readonly basis: number;
  /** False for lines the program excludes from earning. */
  readonly eligible: boolean;
}

/** Where a receipt's points come from: the base rate, the tier, a rule, a coupon; a cap takes some back. */
export type EarnSourceKind = 'base' | 'tier' | 'rule' | 'coupon' | 'cap' | 'other';
export interface EarnSource {
  readonly kind: EarnSourceKind;
  /** The base rule's id (`default` for `earning.base`), the tier's, the rule's, the campaign's, or `perReceipt`/`perDay`. */
  readonly id: string;
  /** What it earned on the whole receipt (negative for a cap). */
  readonly points: number;
}
/** What one source gave one line: `source` indexes the receipt's sources. */
export interface LineEarning {
  readonly source: number;
  readonly points: number;
}
/**
 * Most sources listed for one line; past it the smallest are summed as one `other` source, so a
 * line's list stays bounded however many rules apply (it is in the stored answer).
 */
export const MAX_SOURCES_PER_LINE = 8;

export interface EarnOutcome {
  readonly perLine: number[];
  readonly total: number;
  /** Ids of the rules that changed the outcome, highest priority first. */
  readonly appliedRules: string[];
  /** Eligible amount this receipt adds to the customer's lifetime spend. */
  readonly eligibleSpend: number;
  /** `once` rules granted by this receipt. */
  readonly grantedOnce: string[];
  /** The day (program time) this receipt counts towards for a daily cap, and the points it adds. */
  readonly day: string;
  /** The calendar year (program time) of the receipt. */
  readonly year: string;
  /** Of each line's points, those from one-time bonuses (first purchase, lifetime spend): a return may leave them. */
  readonly oneTimePerLine: number[];
  /** Every source of points on this receipt, in order: base, tier, rules by priority, coupons, cap. */
  readonly sources: EarnSource[];
  /** Per line, what each source gave it; the entries add up to the line's points. */
  readonly lineSources: LineEarning[][];
  /** Rules (earning and base) that did not apply, with the first reason, in priority order. */
  readonly misses: RuleMiss[];
}

/** Rules whose points a customer gets once (ever, or once a year), not for each purchase. */
const isOneTime = (rule: EarningRule) => rule.type === 'firstReceipt' || rule.type === 'lifetimeSpend';

const onceKey = (rule: Extract<EarningRule, { type: 'lifetimeSpend' }>, year: string) =>
  rule.period === 'calendarYear' ? `${rule.id}@${year}` : rule.id;

interface Effect {
  rule: EarningRule;
  /** Multiplier per line (ONE = no change, 0 = the line earns nothing), for multiplier rules. */
  multipliers?: number[];
  /** Points per line, for rules that give points to specific lines. */
  linePoints?: number[];
  /** Points for the whole receipt, spread over eligible lines. */
  receiptPoints?: number;
}

const ONE_BIG = BigInt(ONE);
const powersOfOne: bigint[] = [1n];
const onePow = (n: number): bigint => {
  while (powersOfOne.length <= n) powersOfOne.push(powersOfOne[powersOfOne.length - 1]! * ONE_BIG);
  return powersOfOne[n]!;
};
const floorDiv = (a: bigint, b: bigint): bigint => {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
};

export function computeEarning(
  program: Program,
  account: Account,
  receiptLines: readonly EarnLine[],
  ctx: RuleContext,
  tierMultiplier: number,
  /** Receipt-level points from elsewhere (points coupons), spread like bonuses. */
  couponPoints: readonly { readonly campaignId: string; readonly points: number }[] = [],
): EarnOutcome {
  const misses: RuleMiss[] = [];
  const baseRule = chooseBase(program.earning.baseRules, ctx, misses);
  // The chosen base rule's exclusions add to the program's for this receipt.
  const baseExclusions = baseRule?.exclusions;
  const lines = baseExclusions
    ? receiptLines.map((l) => (l.eligible && isExcluded(baseExclusions, l) ? { ...l, eligible: false, basis: 0 } : l))
    : receiptLines;
  const eligibleSpend = sum(lines.map((l) => (l.eligible ? l.basis : 0)));
  const year = String(localTime(ctx.at, ctx.timeZone).year);
  const applied: Effect[] = [];
  let stopped = false;
  for (const rule of activeRules(program.earning.rules, ctx, misses)) {
    if (stopped) {
      misses.push({ kind: 'rule', id: rule.id, reason: 'stop' });
      continue;
    }
    const e = effectOf(rule, account, lines, eligibleSpend, year);
    if (typeof e === 'string') misses.push({ kind: 'rule', id: rule.id, reason: e });
    else {
      applied.push(e);
      if (rule.stop) stopped = true;
    }
  }

  // Sources of points, and what each gives each line (pairs of source index and points).
  const sources: { kind: EarnSourceKind; id: string; points: number }[] = [];
  const source = (kind: EarnSourceKind, id: string) => sources.push({ kind, id, points: 0 }) - 1;
  const given: number[][] = lines.map(() => []);
  const give = (i: number, s: number, p: number) => {
    if (p === 0) return;
    sources[s]!.points += p;
    const e = given[i]!;
    for (let k = 0; k < e.length; k += 2) {
      if (e[k] === s) {
        e[k + 1]! += p;
        return;
      }
    }
    e.push(s, p);
  };
  const baseSource = source('base', baseRule?.id ?? DEFAULT_BASE_ID);
  const tierSource = tierMultiplier !== ONE ? source('tier', ctx.tierId ?? 'tier') : -1;
  const ruleSources = applied.map((e) => source('rule', e.rule.id));

  // Base points with multipliers, as exact rationals num_i / den (the tier first, then rules by priority).
  const factors: Array<{ f: number | number[]; source: number }> = [{ f: tierMultiplier, source: tierSource }];
  applied.forEach((e, k) => e.multipliers && factors.push({ f: e.multipliers, source: ruleSources[k]! }));
  const factorAt = (f: number | number[], i: number) => (typeof f === 'number' ? f : f[i]!);
  const multiply = program.earning.multipliers === 'multiply';
  const nFactors = factors.length;
  const { points: pts, per } = baseRule ?? program.earning.base;
  const den = BigInt(per) * onePow(multiply ? nFactors : 1);
  // A multiplier of 0 (attributeMultiplier) means the line earns nothing on this receipt: the source that says so.
  const zeroedBy = lines.map((_, i) => {
    for (const f of factors) if (typeof f.f !== 'number' && f.f[i] === 0) return f.source;
    return -1;
  });
  // What each source adds to each line's base points, scaled by den: they add up to num_i.
  const parts: Array<Array<[number, bigint]>> = [];
  const nums = lines.map((l, i) => {
    const b = BigInt(l.basis) * BigInt(pts);
    const c: Array<[number, bigint]> = [];
    parts.push(c);
    if (!l.eligible || b === 0n) return 0n;
    const whole = b * onePow(multiply ? nFactors : 1);
    if (zeroedBy[i]! >= 0) {
      c.push([baseSource, whole], [zeroedBy[i]!, -whole]);
      return 0n;
    }
    c.push([baseSource, whole]);
    if (multiply) {
      // Each factor adds (f − 1) × what the base and the factors before it made: the parts telescope to b × Πf.
      let acc = b;
      for (let k = 0; k < nFactors; k++) {
        const f = BigInt(factorAt(factors[k]!.f, i));
        if (f !== ONE_BIG) c.push([factors[k]!.source, acc * (f - ONE_BIG) * onePow(nFactors - k - 1)]);
        acc *= f;
      }
      return acc;
    }
    let m = ONE_BIG;
    for (const { f, source: s } of factors) {
      const d = BigInt(factorAt(f, i) - ONE);
      if (d !== 0n) {
        m += d;
        c.push([s, b * d]);
      }
    }
    if (m < 0n) {
      c.length = 0;
      return 0n;
    }
    return b * m;
  });
  const base =
    program.earning.rounding === 'line'
      ? nums.map((n) => Number(n / den))
      : (() => {
          const total = nums.reduce((a, n) => a + n, 0n) / den;
          return total === 0n ? nums.map(() => 0) : allocateBig(Number(total), nums);
        })();
  base.forEach((t, i) => splitExact(t, parts[i]!, den, (s, p) => give(i, s, p)));

  const perLine = [...base];
  const spreadWeights = lines.map((l, i) => (l.eligible && zeroedBy[i]! < 0 ? l.basis : 0));
  const fallbackWeights = lines.map((l, i) => (l.eligible && zeroedBy[i]! < 0 ? 1 : 0));
  const receiptSources: Array<[number, number]> = [];
  applied.forEach((e, k) => {
    e.linePoints?.forEach((p, i) => {
      if (zeroedBy[i]! >= 0) return;
      perLine[i]! += p;
      give(i, ruleSources[k]!, p);
    });
    if (e.receiptPoints) receiptSources.push([ruleSources[k]!, e.receiptPoints]);
  });
  for (const c of couponPoints) if (c.points > 0) receiptSources.push([source('coupon', c.campaignId), c.points]);
  const receiptPoints = sum(receiptSources.map(([, p]) => p));
  // Receipt-level bonuses are spread together, in one allocation, over the eligible amounts; each
  // line's share is then told by source in order (so every source's points are all on some line).
  if (receiptPoints > 0) {
    const weights = sum(spreadWeights) > 0 ? spreadWeights : fallbackWeights;
    if (sum(weights) > 0) {
      let k = 0;
      let left = receiptSources[0]![1];
      allocate(receiptPoints, weights).forEach((share, i) => {
        perLine[i]! += share;
        while (share > 0) {
          while (left === 0) left = receiptSources[++k]![1];
          const take = Math.min(share, left);
          give(i, receiptSources[k]![0], take);
          share -= take;
          left -= take;
        }
      });
    }
  }

  // Caps scale the receipt's points down, keeping each line's share.
  const t = localTime(ctx.at, ctx.timeZone);
  const day = `${t.year}-${String(t.month).padStart(2, '0')}-${String(t.day).padStart(2, '0')}`;
  let cap = Number.MAX_SAFE_INTEGER;
  let capName = '';
  const caps = program.earning.caps;
  if (caps?.perReceipt !== undefined) {
    cap = caps.perReceipt;
    capName = 'perReceipt';
  }
  if (caps?.perDay !== undefined) {
    const already = account.earnedDay?.day === day ? account.earnedDay.points : 0;
    const room = Math.max(0, caps.perDay - already);
    if (room < cap) {
      cap = room;
      capName = 'perDay';
    }
  }
  const uncapped = sum(perLine);
  let final = perLine;
  if (uncapped > cap) {
    final = cap === 0 ? perLine.map(() => 0) : allocate(cap, perLine);
    const capSource = source('cap', capName);
    final.forEach((p, i) => give(i, capSource, p - perLine[i]!));
    if (cap === 0) for (const e of applied) misses.push({ kind: 'rule', id: e.rule.id, reason: 'cap' });
  }
  // One-time points keep their share through a cap, and go to lines by what each finally earned.
  const oneTimeRaw = sum(applied.flatMap((e) => (isOneTime(e.rule) ? [e.receiptPoints ?? 0] : [])));
  // (A receipt with no eligible line spreads no bonus at all, so none can be kept either.)
  const oneTime = Math.min(sum(final), uncapped > cap ? Math.floor((oneTimeRaw * sum(final)) / uncapped) : oneTimeRaw);
  const oneTimePerLine = oneTime > 0 ? allocate(oneTime, final) : final.map(() => 0);

  return {
    perLine: final,
    total: sum(final),
    appliedRules: applied.map((e) => e.rule.id),
    eligibleSpend,
    grantedOnce: applied.flatMap((e) => (e.rule.type === 'lifetimeSpend' ? [onceKey(e.rule, year)] : [])),
    year,
    day,
    oneTimePerLine,
    sources,
    lineSources: given.map((pairs) => bounded(pairs, sources)),
    misses,
  };
}

/**
 * Splits a line's integer points among the sources whose exact parts (scaled by `den`) make it:
 * each its floor, then the units left to the largest remainders; what rounding took or gave
 * beyond that (receipt rounding moves at most a point or so) goes to the largest part.
 */
function splitExact(total: number, parts: ReadonlyArray<[number, bigint]>, den: bigint, give: (source: number, points: number) => void) {
  if (parts.length === 0) return;
  if (parts.length === 1) return give(parts[0]![0], total);
  const floors = parts.map(([, v]) => floorDiv(v, den));
  let left = total - Number(floors.reduce((a, f) => a + f, 0n));
  const order = parts.map((_, k) => k).sort((a, b) => {
    const ra = parts[a]![1] - floors[a]! * den;
    const rb = parts[b]![1] - floors[b]! * den;
    return ra === rb ? a - b : ra > rb ? -1 : 1;
  });
  const out = floors.map(Number);
  for (const k of order) {
    if (left <= 0 || parts[k]![1] - floors[k]! * den === 0n) break;
    out[k]! += 1;
    left -= 1;
  }
  if (left !== 0) {
    let largest = 0;
    parts.forEach(([, v], k) => v > parts[largest]![1] && (largest = k));
    out[largest]! += left;
  }
  parts.forEach(([s], k) => give(s, out[k]!));
}

/** A line's sources as listed: the largest first when there are too many, the rest as `other`. */
function bounded(pairs: readonly number[], sources: Array<{ kind: EarnSourceKind; id: string; points: number }>): LineEarning[] {
  const out: LineEarning[] = [];
  for (let k = 0; k < pairs.length; k += 2) if (pairs[k + 1] !== 0) out.push({ source: pairs[k]!, points: pairs[k + 1]! });
  if (out.length <= MAX_SOURCES_PER_LINE) return out;
  out.sort((a, b) => Math.abs(b.points) - Math.abs(a.points) || a.source - b.source);
  const rest = out.splice(MAX_SOURCES_PER_LINE - 1);
  let other = sources.findIndex((s) => s.kind === 'other');
  if (other < 0) other = sources.push({ kind: 'other', id: 'other', points: 0 }) - 1;
  const points = sum(rest.map((e) => e.points));
  sources[other]!.points += points;
  out.push({ source: other, points });
  return out.sort((a, b) => a.source - b.source);
}

function effectOf(rule: EarningRule, account: Account, lines: readonly EarnLine[], eligibleSpend: number, year: string): Effect | RuleMissReason {
  const matching = (products?: Products) => lines.map((l) => l.eligible && matchesProducts(products, l));
  // Nothing it could act on: no line is one it is about, or those lines earn nothing here.
  const unselected = (products?: Products): RuleMissReason => (lines.some((l) => matchesProducts(products, l)) ? 'exclusion' : 'products');
  switch (rule.type) {
    case 'multiplier': {
      const m = matching(rule.products);
      if (!m.some((x, i) => x && lines[i]!.basis > 0)) return unselected(rule.products);
      return { rule, multipliers: m.map((x) => (x ? rule.multiplier : ONE)) };
    }
    case 'attributeMultiplier': {
      const m = matching(rule.products);
      const listed = (l: EarnLine) => {
        const v = l.attributes?.[rule.attribute];
        return v !== undefined && Object.hasOwn(rule.multipliers, v) ? rule.multipliers[v]! : ONE;
      };
      const multipliers = lines.map((l, i) => (m[i] ? listed(l) : ONE));
      if (multipliers.some((x, i) => x !== ONE && lines[i]!.basis > 0)) return { rule, multipliers };
      return lines.some((l) => matchesProducts(rule.products, l) && listed(l) !== ONE) ? 'exclusion' : 'products';
    }
    case 'pointsPerItem': {
      const m = matching(rule.products);
      const linePoints = lines.map((l, i) => (m[i] ? Math.floor((rule.points * l.quantityMilli) / 1000) : 0));
      if (sum(linePoints) > 0) return { rule, linePoints };
      return m.some(Boolean) ? 'threshold' : unselected(rule.products);
    }
    case 'itemCount': {
      const m = matching(rule.products);
      const items = sum(lines.map((l, i) => (m[i] ? l.quantityMilli : 0)));
      if (items >= rule.minItems * 1000 && rule.points > 0) return { rule, receiptPoints: rule.points };
      return m.some(Boolean) ? 'threshold' : unselected(rule.products);
    }
    case 'receiptAmount':
      return eligibleSpend >= rule.minAmount && rule.points > 0 ? { rule, receiptPoints: rule.points } : 'threshold';
    case 'nthReceipt':
      return (account.receiptCount + 1) % rule.every === 0 && rule.points > 0 ? { rule, receiptPoints: rule.points } : 'threshold';
    case 'firstReceipt':
      return account.receiptCount === 0 && rule.points > 0 ? { rule, receiptPoints: rule.points } : 'threshold';
    case 'lifetimeSpend': {
      const before =
        rule.period === 'calendarYear' ? (account.eligibleSpendYear?.year === year ? account.eligibleSpendYear.amount : 0) : account.eligibleSpend;
      const crosses = !account.grantedOnce.includes(onceKey(rule, year)) && before < rule.threshold && before + eligibleSpend >= rule.threshold;
      return crosses && rule.points > 0 ? { rule, receiptPoints: rule.points } : 'threshold';
    }
  }
}
