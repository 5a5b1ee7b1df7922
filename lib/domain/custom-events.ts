/**
 * Custom events: the chain's own events for a customer (app installed, newsletter subscribed,
 * survey answered, check-in at a store, a social share), posted through the API with bounded
 * attributes, earning by the program's `customEvents` rules. Each rule has a per-customer limit
 * (once ever by default; at most N per day, ISO week, month or ever, program time) and may have a
 * global budget; both count through the budgets of budgets.ts (key `event:{ruleId}`).
 */
import * as z from './zod-mini.ts';
import { credit, lotFor, type Account, type LedgerEntry } from './account.ts';
import { budgetKey, budgetRefusal, recordCustomerDraws, type Budget, type Counters } from './budgets.ts';
import type { BudgetDraw } from './budgeted-earning.ts';
import { dayOf } from './calendar.ts';
import { catchUp } from './pending.ts';
import type { Program } from './program.ts';
import { conditionsHold, type RuleContext } from './rules.ts';
import type { eventRuleSchema } from './schemas/custom-events.ts';

/** An event type: lower case, digits, `_`, `.` and `-`, such as `app.installed` or `survey_answered`. */
export const eventTypeSchema = z.string().check(z.regex(/^[a-z][a-z0-9_.-]{0,63}$/, 'must be 1–64 characters: a lower-case letter, then lower-case letters, digits, _ . or -'));
/** An attribute name, like an event type. */
export const attributeNameSchema = z.string().check(z.regex(/^[a-zA-Z][a-zA-Z0-9_.-]{0,63}$/, 'must be 1–64 characters: a letter, then letters, digits, _ . or -'));
// zod 4's number() refuses infinities itself (classic's finite() is a no-op).
export const attributeValueSchema = z.union([z.string().check(z.maxLength(200)), z.number(), z.boolean()]);
export type AttributeValue = z.output<typeof attributeValueSchema>;

/** Most attributes an event carries (they travel on every catalog event and webhook). */
export const MAX_EVENT_ATTRIBUTES = 20;

export type EventRule = z.output<typeof eventRuleSchema>;

/** The budget an event rule counts through: its global budget and its per-customer limit. */
export const eventRuleBudget = (r: EventRule): Budget => ({ ...(r.budget ?? {}), perCustomer: { per: r.limit.per, grants: r.limit.times } });

export interface CustomEvent {
  readonly type: string;
  readonly attributes: Readonly<Record<string, AttributeValue>>;
  readonly at: Date;
  readonly storeId?: string | undefined;
  readonly storeTags?: Readonly<Record<string, string>> | undefined;
}

export interface EventRuleOutcome {
  readonly ruleId: string;
  readonly points: number;
}

export interface EventOutcome {
  readonly points: number;
  /** Rules that earned on this event. */
  readonly rules: readonly EventRuleOutcome[];
  /** Rules for this event type that did not earn, and the first reason. */
  readonly notApplied: ReadonlyArray<{ readonly ruleId: string; readonly reason: 'conditions' | 'attributes' | 'limit' | 'budget' }>;
  readonly draws: readonly BudgetDraw[];
  readonly entries: readonly LedgerEntry[];
  readonly accountAfter: Account;
}

const matchesAttributes = (wanted: EventRule['attributes'], got: CustomEvent['attributes']) =>
  !wanted || Object.entries(wanted).every(([name, values]) => got[name] !== undefined && values.includes(got[name]!));

/** What a custom event earns: every rule for its type whose conditions, attributes, limit and budget allow. */
/** Custom event types whose latest day an account keeps for segments; past it, the types seen longest ago go. */
export const MAX_EVENT_TYPES_KEPT = 20;

/** The account with `type`'s latest day moved to `day` (never back), keeping the most recent MAX_EVENT_TYPES_KEPT types. */
export function noteEvent(account: Account, type: string, day: string): Account {
  const seen = account.lastEventOn ?? {};
  if ((seen[type] ?? '') >= day) return account;
  const entries = Object.entries({ ...seen, [type]: day });
  // Latest first, then by name, so which types stay does not depend on the order they were seen.
  entries.sort(([a, x], [b, y]) => (x === y ? a.localeCompare(b) : x < y ? 1 : -1));
  return { ...account, lastEventOn: Object.fromEntries(entries.slice(0, MAX_EVENT_TYPES_KEPT)) };
}

export function priceEvent(program: Program, account: Account, event: CustomEvent, counters: Counters, now: Date, tierId: string | undefined): EventOutcome {
  const entries: LedgerEntry[] = [];
  const caught = catchUp(account, now, program.timeZone);
  entries.push(...caught.entries);
  let acc = noteEvent(caught.account, event.type, dayOf(event.at, program.timeZone));
  const ctx: RuleContext = { at: event.at, timeZone: program.timeZone, storeId: event.storeId, storeTags: event.storeTags, tierId, segments: acc.segments };
  const rules: EventRuleOutcome[] = [];
  const notApplied: Array<EventOutcome['notApplied'][number]> = [];
  const draws: BudgetDraw[] = [];
  for (const rule of program.customEvents.filter((r) => r.event === event.type)) {
    if (!conditionsHold(rule.when, ctx)) notApplied.push({ ruleId: rule.id, reason: 'conditions' });
    else if (!matchesAttributes(rule.attributes, event.attributes)) notApplied.push({ ruleId: rule.id, reason: 'attributes' });
    else {
      const key = budgetKey('event', rule.id);
      const budget = eventRuleBudget(rule);
      const draw = { grants: 1, points: rule.points, amount: 0 };
      const refusal = budgetRefusal(budget, key, draw, counters, acc, event.at, program.timeZone);
      if (refusal) notApplied.push({ ruleId: rule.id, reason: refusal.scope === 'customer' ? 'limit' : 'budget' });
      else {
        rules.push({ ruleId: rule.id, points: rule.points });
        draws.push({ key, budget, draw });
      }
    }
  }
  const points = rules.reduce((s, r) => s + r.points, 0);
  acc = recordCustomerDraws(acc, draws, event.at, program.timeZone);
  if (points > 0) {
    const c = credit(acc, points, lotFor(now, program.timeZone, program.expiry?.afterMonths), 'event');
    acc = c.account;
    if (c.entry) entries.push({ ...c.entry, budgets: Object.fromEntries(draws.map((d) => [d.key, d.draw])) });
  }
  return { points, rules, notApplied, draws, entries, accountAfter: acc };
}
