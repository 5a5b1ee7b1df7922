/**
 * Points a receipt earns: the base rate times the multipliers that apply to each line, points per
 * item, and receipt-level bonuses spread over the eligible lines by largest remainder, then caps.
 * All integer: multipliers are ten-thousandths and exact products are BigInt.
 */
import { allocate, allocateBig, floorDivSafe, sum } from './allocation.ts';
import type { Account } from './account.ts';
import type { Program } from './program.ts';
import {
  activeRules,
  byPriority,
  chooseBase,
  DEFAULT_BASE_ID,
  isExcluded,
  ONE as ONE_IMPORTED,
  selectLines,
  type EarningRule,
  type Products,
  type RuleContext,
  type RuleMiss,
  type RuleMissReason,
} from './rules.ts';
import { localTime } from './time.ts';
import type { LineAttributes } from './attribute-match.ts';

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
 * Most sources listed for one line, and for the receipt: past them the smallest (on a line) or the
 * lowest-priority (on the receipt) are summed as one `other` source, so the lists stay bounded
 * however many rules apply — they are in the stored answer, which a 500-line receipt must fit.
 */
export const MAX_SOURCES_PER_LINE = 6;
export const MAX_SOURCES = 40;

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
  /** Every source of points on this receipt, in order: base, tier, rules by priority, coupons, cap; at most MAX_SOURCES, the rest as `other`. */
  readonly sources: EarnSource[];
  /** Per line, what each source gave it; the entries add up to the line's points. */
  readonly lineSources: LineEarning[][];
  /** Rules (earning and base) that did not apply, with the first reason, in priority order. */
  readonly misses: RuleMiss[];
  /** Points each applied rule gave of its own, before caps (multiplier rules have none of their own): what budgets count. */
  readonly rulePoints: ReadonlyMap<string, number>;
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

/** Read once: the hot loops below use it per line and factor. */
const ONE = ONE_IMPORTED;
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
  let otherSource = -1;
  const source = (kind: EarnSourceKind, id: string) => {
    // Room is kept for a cap and for `other`.
    if (kind === 'cap' || sources.length < MAX_SOURCES - 2) return sources.push({ kind, id, points: 0 }) - 1;
    if (otherSource < 0) otherSource = sources.push({ kind: 'other', id: 'other', points: 0 }) - 1;
    return otherSource;
  };
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
  const factors: Factor[] = [{ f: tierMultiplier, source: tierSource }];
  applied.forEach((e, k) => e.multipliers && factors.push({ f: e.multipliers, source: ruleSources[k]! }));
  const multiply = program.earning.multipliers === 'multiply';
  const nFactors = factors.length;
  const { points: pts, per } = baseRule ?? program.earning.base;
  const den = BigInt(per) * onePow(multiply ? nFactors : 1);
  // A multiplier of 0 (attributeMultiplier) means the line earns nothing on this receipt: the source that says so.
  const zeroedBy = lines.map((_, i) => {
    for (const f of factors) if (typeof f.f !== 'number' && f.f[i] === 0) return f.source;
    return -1;
  });
  const rounding = program.earning.rounding;
  const base =
    (!multiply && addFitsNumbers(lines, factors, pts, per)
      ? baseAddSmall(lines, factors, zeroedBy, pts, per, rounding, baseSource, give)
      : null) ?? baseExact(lines, factors, zeroedBy, pts, den, multiply, rounding, baseSource, give);

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

  // Drops found after the conditions (stop, cap) were appended: put every rule back in priority order.
  if (misses.some((m) => m.reason === 'stop' || m.reason === 'cap')) {
    const rank = new Map(byPriority(program.earning.rules).map((r, i) => [r.id, i]));
    misses.sort((a, b) => (a.kind === b.kind ? (a.kind === 'base' ? 0 : rank.get(a.id)! - rank.get(b.id)!) : a.kind === 'base' ? -1 : 1));
  }

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
    rulePoints: ownPoints(applied),
  };
}

function ownPoints(applied: readonly Effect[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const e of applied) if (!e.multipliers) out.set(e.rule.id, sum(e.linePoints ?? []) + (e.receiptPoints ?? 0));
  return out;
}

type Factor = { f: number | number[]; source: number };
type Give = (line: number, source: number, points: number) => void;
const factorAt = (f: number | number[], i: number) => (typeof f === 'number' ? f : f[i]!);

/** Whether `add` multipliers keep every line's exact parts, and their sum, below 2^53 (nearly always). */
function addFitsNumbers(lines: readonly EarnLine[], factors: readonly Factor[], pts: number, per: number): boolean {
  if (per * ONE > Number.MAX_SAFE_INTEGER) return false;
  let total = 0;
  for (let i = 0; i < lines.length; i++) {
    let reach = ONE;
    for (const { f } of factors) reach += Math.abs(factorAt(f, i) - ONE);
    total += lines[i]!.basis * pts * reach;
    if (total > Number.MAX_SAFE_INTEGER) return false;
  }
  return true;
}

/**
 * Base points under `add` multipliers in plain numbers: num_i = basis × points × (1 + Σ(f − 1)),
 * over per × ONE, and per line what the base and each multiplier add. The same numbers as
 * baseExact (allocate is allocateBig's algorithm), without BigInt on the hot path.
 */
export function baseAddSmall(
  lines: readonly EarnLine[],
  factors: readonly Factor[],
  zeroedBy: readonly number[],
  pts: number,
  per: number,
  rounding: 'receipt' | 'line',
  baseSource: number,
  give: Give,
): number[] {
  const den = per * ONE;
  const n = lines.length;
  // Each factor's extra (f − 1) per line, once: both passes below read it.
  const extras: number[][] = factors.map(({ f }) => (typeof f === 'number' ? new Array<number>(n).fill(f - ONE) : f.map((x) => x - ONE)));
  const nums = new Array<number>(n);
  let sumNums = 0;
  for (let i = 0; i < n; i++) {
    const l = lines[i]!;
    const b = l.basis * pts;
    let num = 0;
    if (l.eligible && b !== 0 && zeroedBy[i]! < 0) {
      let m = ONE;
      for (const e of extras) m += e[i]!;
      if (m > 0) num = b * m;
    }
    nums[i] = num;
    sumNums += num;
  }
  const base = rounding === 'line' ? nums.map((x) => floorDivSafe(x, den)) : allocateOrZero(floorDivSafe(sumNums, den), nums);
  const src: number[] = [];
  const val: number[] = [];
  for (let i = 0; i < n; i++) {
    const l = lines[i]!;
    const b = l.basis * pts;
    if (!l.eligible || b === 0) continue;
    src.length = 0;
    val.length = 0;
    src.push(baseSource);
    val.push(b * ONE);
    if (zeroedBy[i]! >= 0) {
      src.push(zeroedBy[i]!);
      val.push(-b * ONE);
    } else {
      if (nums[i] === 0) continue; // the multipliers took it all
      for (let k = 0; k < extras.length; k++) {
        const d = extras[k]![i]!;
        if (d !== 0) {
          src.push(factors[k]!.source);
          val.push(b * d);
        }
      }
    }
    splitSmall(base[i]!, src, val, den, i, give);
  }
  return base;
}

const allocateOrZero = (total: number, weights: number[]) => (total === 0 ? weights.map(() => 0) : allocate(total, weights));


/** splitExact in plain numbers; `out` and `taken` are scratch space (no allocation per line). */
const splitOut: number[] = [];
const splitTaken: boolean[] = [];
function splitSmall(total: number, src: readonly number[], val: readonly number[], den: number, line: number, give: Give) {
  const n = src.length;
  if (n === 1) return give(line, src[0]!, total);
  const out = splitOut;
  const taken = splitTaken;
  let left = total;
  for (let k = 0; k < n; k++) {
    out[k] = floorDivSafe(val[k]!, den);
    taken[k] = false;
    left -= out[k]!;
  }
  // One unit each to the largest remainders (ties to the earlier part), as far as they go.
  while (left > 0) {
    let best = -1;
    let bestRem = 0;
    for (let k = 0; k < n; k++) {
      const rem = val[k]! - out[k]! * den;
      if (!taken[k] && rem > bestRem) {
        best = k;
        bestRem = rem;
      }
    }
    if (best < 0) break;
    taken[best] = true;
    out[best]! += 1;
    left -= 1;
  }
  if (left !== 0) {
    let largest = 0;
    for (let k = 1; k < n; k++) if (val[k]! > val[largest]!) largest = k;
    out[largest]! += left;
  }
  for (let k = 0; k < n; k++) give(line, src[k]!, out[k]!);
}

/** Base points with BigInt parts: any multiplier mode, any size. */
export function baseExact(
  lines: readonly EarnLine[],
  factors: readonly Factor[],
  zeroedBy: readonly number[],
  pts: number,
  den: bigint,
  multiply: boolean,
  rounding: 'receipt' | 'line',
  baseSource: number,
  give: Give,
): number[] {
  const nFactors = factors.length;
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
    // Multipliers that take everything (or more): the line earns nothing, and no part is told.
    if (m <= 0n) {
      c.length = 0;
      return 0n;
    }
    return b * m;
  });
  const base =
    rounding === 'line'
      ? nums.map((n) => Number(n / den))
      : (() => {
          const total = nums.reduce((a, n) => a + n, 0n) / den;
          return total === 0n ? nums.map(() => 0) : allocateBig(Number(total), nums);
        })();
  base.forEach((t, i) => splitExact(t, parts[i]!, den, (s, p) => give(i, s, p)));
  return base;
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

const byMagnitude = (a: LineEarning, b: LineEarning) => Math.abs(b.points) - Math.abs(a.points) || a.source - b.source;
const bySource = (a: LineEarning, b: LineEarning) => a.source - b.source;

/** A line's sources as listed: the largest first when there are too many, the rest as `other`. */
function bounded(pairs: readonly number[], sources: Array<{ kind: EarnSourceKind; id: string; points: number }>): LineEarning[] {
  let n = 0;
  for (let k = 1; k < pairs.length; k += 2) if (pairs[k] !== 0) n++;
  const out = new Array<LineEarning>(n);
  let j = 0;
  for (let k = 0; k < pairs.length; k += 2) if (pairs[k + 1] !== 0) out[j++] = { source: pairs[k]!, points: pairs[k + 1]! };
  if (n <= MAX_SOURCES_PER_LINE) return out;
  out.sort(byMagnitude);
  let other = -1;
  for (let k = sources.length - 1; k >= 0 && other < 0; k--) if (sources[k]!.kind === 'other') other = k;
  if (other < 0) other = sources.push({ kind: 'other', id: 'other', points: 0 }) - 1;
  // The receipt's totals per source stay as they are: a line's `other` only tells several together.
  const kept: LineEarning[] = [];
  let points = 0;
  for (const e of out) {
    if (e.source !== other && kept.length < MAX_SOURCES_PER_LINE - 1) kept.push(e);
    else points += e.points;
  }
  kept.push({ source: other, points });
  return kept.sort(bySource);
}

/** Nothing a rule could act on: no line is one it is about, or those lines earn nothing here. */
const unselected = (products: Products | undefined, lines: readonly EarnLine[]): RuleMissReason =>
  selectLines(products, lines, false).some(Boolean) ? 'exclusion' : 'products';

function effectOf(rule: EarningRule, account: Account, lines: readonly EarnLine[], eligibleSpend: number, year: string): Effect | RuleMissReason {
  switch (rule.type) {
    case 'multiplier': {
      const m = selectLines(rule.products, lines, true);
      let any = false;
      const multipliers = new Array<number>(lines.length);
      for (let i = 0; i < lines.length; i++) {
        multipliers[i] = m[i] ? rule.multiplier : ONE;
        if (m[i] && lines[i]!.basis > 0) any = true;
      }
      return any ? { rule, multipliers } : unselected(rule.products, lines);
    }
    case 'attributeMultiplier': {
      const m = selectLines(rule.products, lines, false);
      let any = false;
      let listed = false;
      const multipliers = new Array<number>(lines.length);
      for (let i = 0; i < lines.length; i++) {
        const l = lines[i]!;
        const v = m[i] ? l.attributes?.[rule.attribute] : undefined;
        const x = v !== undefined && Object.hasOwn(rule.multipliers, v) ? rule.multipliers[v]! : ONE;
        if (x !== ONE) listed = true;
        multipliers[i] = l.eligible ? x : ONE;
        if (l.eligible && x !== ONE && l.basis > 0) any = true;
      }
      return any ? { rule, multipliers } : listed ? 'exclusion' : 'products';
    }
    case 'pointsPerItem': {
      const m = selectLines(rule.products, lines, true);
      let total = 0;
      let any = false;
      const linePoints = new Array<number>(lines.length);
      for (let i = 0; i < lines.length; i++) {
        linePoints[i] = m[i] ? Math.floor((rule.points * lines[i]!.quantityMilli) / 1000) : 0;
        total += linePoints[i]!;
        any ||= m[i]!;
      }
      if (total > 0) return { rule, linePoints };
      return any ? 'threshold' : unselected(rule.products, lines);
    }
    case 'itemCount': {
      const m = selectLines(rule.products, lines, true);
      let items = 0;
      let any = false;
      for (let i = 0; i < lines.length; i++) {
        if (m[i]) {
          items += lines[i]!.quantityMilli;
          any = true;
        }
      }
      if (items >= rule.minItems * 1000 && rule.points > 0) return { rule, receiptPoints: rule.points };
      return any ? 'threshold' : unselected(rule.products, lines);
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
