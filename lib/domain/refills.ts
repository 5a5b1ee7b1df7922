/**
 * Refill reminders (scenario 6): a product with a refill period lasts that many days per unit
 * bought; a reminder is due `remindDaysBefore` days before it runs out, unless it was bought
 * again (the new purchase moves the date). Pure: the state lives on the account.
 */
import type * as z from 'zod';
import type { refillRuleSchema } from './schemas/refills.ts';
import { addDays, dayOf, type Day } from './calendar.ts';

export type RefillRule = z.output<typeof refillRuleSchema>;

/**
 * Most products a customer's item keeps refill dates for: past it the oldest purchases are
 * dropped (their reminders with them), so buying many products cannot fill the item.
 */
export const MAX_REFILLS = 50;

/** Longest supply one purchase gives (ten years): a wholesale quantity must not run out in year 82,000. */
export const MAX_REFILL_DAYS = 3650;

export interface RefillState {
  readonly ruleId: string;
  readonly name: string;
  readonly runsOutOn: Day;
  readonly remindOn: Day;
  /** The day of the purchase (absent on dates recorded before it was kept: those count as oldest). */
  readonly boughtOn?: Day | undefined;
}

/** Refills by SKU: a purchase of the same SKU replaces the previous state, so its reminder moves. */
export type Refills = Readonly<Record<string, RefillState>>;

export function trackRefills(
  rules: readonly RefillRule[],
  refills: Refills,
  lines: ReadonlyArray<{ readonly sku: string; readonly category: string; readonly quantityMilli: number }>,
  at: Date,
  timeZone: string,
): Refills {
  if (rules.length === 0) return refills;
  const today = dayOf(at, timeZone);
  const next: Record<string, RefillState> = { ...refills };
  for (const line of lines) {
    const rule = rules.find((r) => r.skus.includes(line.sku) || r.categories.includes(line.category));
    if (!rule || line.quantityMilli <= 0) continue;
    // Integer days: a part unit lasts its share of the period, rounded down, at least one day.
    const supply = Math.min(MAX_REFILL_DAYS, Math.max(1, Math.floor((rule.days * line.quantityMilli) / 1000)));
    const runsOutOn = addDays(today, supply);
    next[line.sku] = { ruleId: rule.id, name: rule.name, runsOutOn, remindOn: addDays(runsOutOn, -rule.remindDaysBefore), boughtOn: today };
  }
  const skus = Object.keys(next);
  if (skus.length <= MAX_REFILLS) return next;
  // Oldest purchase first (then the soonest to run out) is what goes.
  const order = (sku: string) => [next[sku]!.boughtOn ?? '', next[sku]!.runsOutOn, sku].join('\u0000');
  const kept = skus.sort((a, b) => (order(a) < order(b) ? -1 : 1)).slice(-MAX_REFILLS);
  return Object.fromEntries(kept.map((sku) => [sku, next[sku]!]));
}

/** The refills whose reminder is due on `day`, and the state without them (each is reminded once). */
export function takeDueRefills(refills: Refills, day: Day): { due: Array<RefillState & { sku: string }>; rest: Refills } {
  const due: Array<RefillState & { sku: string }> = [];
  const rest: Record<string, RefillState> = {};
  for (const [sku, r] of Object.entries(refills)) {
    if (r.remindOn <= day) due.push({ sku, ...r });
    else rest[sku] = r;
  }
  return { due, rest };
}

/** The earliest reminder day, for the refill index. */
export const nextRefillReminder = (refills: Refills): Day | undefined => Object.values(refills).map((r) => r.remindOn).sort()[0];
