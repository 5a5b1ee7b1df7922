/**
 * Points a receipt earns: the base rate times the multipliers that apply to each line, points per
 * item, and receipt-level bonuses spread over the eligible lines by largest remainder, then caps.
 * All integer: multipliers are ten-thousandths and exact products are BigInt.
 */
import { allocate, allocateBig, sum } from './allocation.ts';
import type { Account } from './account.ts';
import type { Program } from './program.ts';
import { activeRules, matchesProducts, ONE, type EarningRule, type RuleContext } from './rules.ts';
import { localTime } from './time.ts';

export interface EarnLine {
  readonly sku: string;
  readonly category: string;
  readonly quantityMilli: number;
  /** The earning basis of the line (paid or payable), minor units; 0 when the line earns nothing. */
  readonly basis: number;
  /** False for lines the program excludes from earning. */
  readonly eligible: boolean;
}

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
  /** Points each applied rule gave of its own, before caps (multiplier rules have none of their own): what budgets count. */
  readonly rulePoints: Readonly<Record<string, number>>;
}

const onceKey = (rule: Extract<EarningRule, { type: 'lifetimeSpend' }>, year: string) =>
  rule.period === 'calendarYear' ? `${rule.id}@${year}` : rule.id;

interface Effect {
  rule: EarningRule;
  /** Multiplier per line (ONE = no change), for `multiplier` rules. */
  multipliers?: number[];
  /** Points per line, for rules that give points to specific lines. */
  linePoints?: number[];
  /** Points for the whole receipt, spread over eligible lines. */
  receiptPoints?: number;
}

export function computeEarning(
  program: Program,
  account: Account,
  lines: readonly EarnLine[],
  ctx: RuleContext,
  tierMultiplier: number,
  /** Receipt-level points from elsewhere (a points coupon), spread like bonuses. */
  extraReceiptPoints = 0,
): EarnOutcome {
  const eligibleSpend = sum(lines.map((l) => (l.eligible ? l.basis : 0)));
  const year = String(localTime(ctx.at, ctx.timeZone).year);
  const effects: Effect[] = [];
  for (const rule of activeRules(program.earning.rules, ctx)) {
    const e = effectOf(rule, account, lines, eligibleSpend, year);
    if (e) effects.push(e);
  }
  const exclusive = effects.find((e) => e.rule.stacking === 'exclusive');
  const applied = exclusive ? [exclusive] : effects;

  // Base points with multipliers, as exact rationals num_i / den.
  const factors = [tierMultiplier, ...applied.flatMap((e) => (e.multipliers ? [e.multipliers] : []))];
  const multiply = program.earning.multipliers === 'multiply';
  const nFactors = factors.length;
  const { points: pts, per } = program.earning.base;
  const den = BigInt(per) * BigInt(ONE) ** BigInt(multiply ? nFactors : 1);
  const nums = lines.map((l, i) => {
    if (!l.eligible || l.basis === 0) return 0n;
    let m: bigint;
    if (multiply) {
      m = 1n;
      for (const f of factors) m *= BigInt(typeof f === 'number' ? f : f[i]!);
    } else {
      m = BigInt(ONE);
      for (const f of factors) m += BigInt((typeof f === 'number' ? f : f[i]!) - ONE);
      if (m < 0n) m = 0n;
    }
    return BigInt(l.basis) * BigInt(pts) * m;
  });
  const base =
    program.earning.rounding === 'line'
      ? nums.map((n) => Number(n / den))
      : (() => {
          const total = nums.reduce((a, n) => a + n, 0n) / den;
          return total === 0n ? nums.map(() => 0) : allocateBig(Number(total), nums);
        })();

  const perLine = [...base];
  const spreadWeights = lines.map((l) => (l.eligible ? l.basis : 0));
  const fallbackWeights = lines.map((l) => (l.eligible ? 1 : 0));
  let receiptPoints = extraReceiptPoints;
  for (const e of applied) {
    e.linePoints?.forEach((p, i) => (perLine[i]! += p));
    receiptPoints += e.receiptPoints ?? 0;
  }
  // Receipt-level bonuses are spread together, in one allocation, over the eligible amounts.
  if (receiptPoints > 0) {
    const weights = sum(spreadWeights) > 0 ? spreadWeights : fallbackWeights;
    if (sum(weights) > 0) allocate(receiptPoints, weights).forEach((p, i) => (perLine[i]! += p));
  }

  // Caps scale the receipt's points down, keeping each line's share.
  const t = localTime(ctx.at, ctx.timeZone);
  const day = `${t.year}-${String(t.month).padStart(2, '0')}-${String(t.day).padStart(2, '0')}`;
  let cap = Number.MAX_SAFE_INTEGER;
  const caps = program.earning.caps;
  if (caps?.perReceipt !== undefined) cap = Math.min(cap, caps.perReceipt);
  if (caps?.perDay !== undefined) {
    const already = account.earnedDay?.day === day ? account.earnedDay.points : 0;
    cap = Math.min(cap, Math.max(0, caps.perDay - already));
  }
  const uncapped = sum(perLine);
  const final = uncapped > cap ? (cap === 0 ? perLine.map(() => 0) : allocate(cap, perLine)) : perLine;

  return {
    perLine: final,
    total: sum(final),
    appliedRules: applied.map((e) => e.rule.id),
    eligibleSpend,
    grantedOnce: applied.flatMap((e) => (e.rule.type === 'lifetimeSpend' ? [onceKey(e.rule, year)] : [])),
    year,
    day,
    rulePoints: Object.fromEntries(applied.flatMap((e) => (e.multipliers ? [] : [[e.rule.id, sum(e.linePoints ?? []) + (e.receiptPoints ?? 0)]]))),
  };
}

function effectOf(rule: EarningRule, account: Account, lines: readonly EarnLine[], eligibleSpend: number, year: string): Effect | null {
  const matching = (products?: Parameters<typeof matchesProducts>[0]) => lines.map((l) => l.eligible && matchesProducts(products, l));
  switch (rule.type) {
    case 'multiplier': {
      const m = matching(rule.products);
      if (!m.some((x, i) => x && lines[i]!.basis > 0)) return null;
      return { rule, multipliers: m.map((x) => (x ? rule.multiplier : ONE)) };
    }
    case 'pointsPerItem': {
      const m = matching(rule.products);
      const linePoints = lines.map((l, i) => (m[i] ? Math.floor((rule.points * l.quantityMilli) / 1000) : 0));
      return sum(linePoints) > 0 ? { rule, linePoints } : null;
    }
    case 'itemCount': {
      const m = matching(rule.products);
      const items = sum(lines.map((l, i) => (m[i] ? l.quantityMilli : 0)));
      return items >= rule.minItems * 1000 && rule.points > 0 ? { rule, receiptPoints: rule.points } : null;
    }
    case 'receiptAmount':
      return eligibleSpend >= rule.minAmount && rule.points > 0 ? { rule, receiptPoints: rule.points } : null;
    case 'nthReceipt':
      return (account.receiptCount + 1) % rule.every === 0 && rule.points > 0 ? { rule, receiptPoints: rule.points } : null;
    case 'firstReceipt':
      return account.receiptCount === 0 && rule.points > 0 ? { rule, receiptPoints: rule.points } : null;
    case 'lifetimeSpend': {
      const before =
        rule.period === 'calendarYear' ? (account.eligibleSpendYear?.year === year ? account.eligibleSpendYear.amount : 0) : account.eligibleSpend;
      const crosses = !account.grantedOnce.includes(onceKey(rule, year)) && before < rule.threshold && before + eligibleSpend >= rule.threshold;
      return crosses && rule.points > 0 ? { rule, receiptPoints: rule.points } : null;
    }
  }
}
