/**
 * Earning with campaign budgets: the receipt is priced, and while an applied rule's draw would not
 * fit its budget it is priced again without that rule — so a spent campaign simply does not apply,
 * and an exclusive rule whose budget is spent no longer keeps the others out. One pass when the
 * program has no budgets (or none that is close to its end).
 */
import type { Account } from './account.ts';
import { budgetKey, budgetRefusal, hasGlobalLimit, leastDraw, type Budget, type BudgetKey, type Counters, type Draw } from './budgets.ts';
import { computeEarning, type EarnLine, type EarnOutcome } from './earning.ts';
import type { Program } from './program.ts';
import { byPriority, type RuleContext } from './rules.ts';

export interface BudgetDraw {
  readonly key: BudgetKey;
  readonly budget: Budget;
  readonly draw: Draw;
}

/** A rule left out because its budget is spent (`global`) or the customer's limit is reached (`customer`). */
export interface BudgetSkip {
  readonly ruleId: string;
  readonly reason: 'budget';
  readonly scope: 'global' | 'customer';
}

export interface BudgetedEarnOutcome extends EarnOutcome {
  readonly draws: readonly BudgetDraw[];
  readonly skippedForBudget: readonly BudgetSkip[];
}

export function earnWithinBudgets(
  program: Program,
  account: Account,
  lines: readonly EarnLine[],
  ctx: RuleContext,
  tierMultiplier: number,
  couponPoints: Parameters<typeof computeEarning>[5],
  counters: Counters,
): BudgetedEarnOutcome {
  const rules = program.earning.rules;
  if (!rules.some((r) => r.budget)) return { ...computeEarning(program, account, lines, ctx, tierMultiplier, couponPoints), draws: [], skippedForBudget: [] };
  const skipped: BudgetSkip[] = [];
  const refused = (ruleId: string, budget: Budget, draw: Draw) => {
    const r = budgetRefusal(budget, budgetKey('rule', ruleId), draw, counters, account, ctx.at, ctx.timeZone);
    if (r) skipped.push({ ruleId, ...r });
    return r !== null;
  };
  // Rules with nothing left are out before pricing; the rest are checked with what they would give.
  let left = rules.filter((r) => !(r.budget && refused(r.id, r.budget, leastDraw(r.budget))));
  for (;;) {
    const p = left.length === rules.length ? program : { ...program, earning: { ...program.earning, rules: left } };
    const out = computeEarning(p, account, lines, ctx, tierMultiplier, couponPoints);
    // Nothing earned (a cap took it all): nothing was handed out, so nothing is drawn.
    const draws: BudgetDraw[] =
      out.total === 0
        ? []
        : out.appliedRules.flatMap((id) => {
            const rule = left.find((r) => r.id === id);
            return rule?.budget ? [{ key: budgetKey('rule', id), budget: rule.budget, draw: { grants: 1, points: out.rulePoints.get(id) ?? 0, amount: 0 } }] : [];
          });
    const over = draws.find((d) => refused(d.key.slice('rule:'.length), d.budget, d.draw));
    if (!over) return { ...out, misses: withBudgetMisses(out.misses, skipped, rules), draws, skippedForBudget: skipped };
    left = left.filter((r) => budgetKey('rule', r.id) !== over.key);
  }
}

/**
 * The global counters a receipt at `at` may draw on: rules with a global limit whose validity
 * window holds `at`, and the campaigns of the codes it brings. Known before the customer is read,
 * so the use case reads them alongside.
 */
export function countersFor(program: Program, at: Date, couponCodes: readonly string[]): BudgetKey[] {
  const inWindow = (w: { validFrom?: string | undefined; validTo?: string | undefined }) => !(w.validFrom && at < new Date(w.validFrom)) && !(w.validTo && at >= new Date(w.validTo));
  const prefixes = new Set(couponCodes.map((c) => c.split('-')[0]));
  return [
    ...program.earning.rules.filter((r) => hasGlobalLimit(r.budget) && inWindow(r.when)).map((r) => budgetKey('rule', r.id)),
    ...program.coupons.filter((c) => hasGlobalLimit(c.budget) && prefixes.has(c.code)).map((c) => budgetKey('coupon', c.id)),
  ];
}

/** The explanation names a rule left out for its budget like any other miss, in the program's priority order. */
function withBudgetMisses(misses: EarnOutcome['misses'], skipped: readonly BudgetSkip[], rules: Program['earning']['rules']): EarnOutcome['misses'] {
  if (skipped.length === 0) return misses;
  const out = [...misses, ...skipped.map((s) => ({ kind: 'rule' as const, id: s.ruleId, reason: 'budget' as const }))];
  const rank = new Map(byPriority(rules).map((r, i) => [r.id, i]));
  return out.sort((a, b) => (a.kind === b.kind ? (a.kind === 'base' ? 0 : rank.get(a.id)! - rank.get(b.id)!) : a.kind === 'base' ? -1 : 1));
}
