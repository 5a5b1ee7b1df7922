/**
 * Segments as definitions: a marketer's conditions as data (tier, RFM class, last purchase,
 * enrolment date, birthday month, consent per channel, balance, what and where the customer bought
 * in a window, the latest custom event of a type), and the pure test of one customer against them. Membership itself is kept in the
 * one place segments always lived — the customer's `segments` list and the `T#{t}#SEG#{s}` items
 * (lib/storage) — so rules (`when.segments`), coupons and journeys use defined segments as they use
 * segments staff set by hand.
 */
import type { Account } from './account.ts';
import { addDays, dayOf, type Day } from './calendar.ts';
import type { Program } from './program.ts';
import { rfmSettings } from './rfm.ts';
import { attributeKey, boughtSince, type SummaryKind } from './purchases.ts';
import { classify, type RfmClass } from './rfm.ts';
import { currentTier } from './tiers.ts';
import { addMonths } from './time.ts';
import type { SegmentCondition, SegmentDefinition } from './segment-schema.ts';

export type { SegmentCondition, SegmentDefinition, SegmentDefinitionInput } from './segment-schema.ts';

/** Defined segments per tenant: a customer may be in all of them besides MAX_SEGMENTS set by hand. */
export const MAX_SEGMENT_DEFINITIONS = 20;
export const MAX_CONDITIONS = 10;
/** The most members one page of a segment (JSON or CSV) holds. */
export const MAX_MEMBERS_PAGE = 1000;
/** The longest window a "bought" condition may look back: what an account's months can tell. */
export const MAX_WINDOW_MONTHS = 36;

/** A definition as the evaluator needs it: its id and its conditions. */
export interface DefinedSegment extends SegmentDefinition {
  readonly segmentId: string;
}

/** What a customer is tested on: the item the commit already writes, nothing else. */
export interface SegmentFacts {
  readonly account: Account;
  readonly profile: {
    readonly birthDate?: string | undefined;
    readonly consents: { readonly sms: boolean; readonly email: boolean; readonly push: boolean };
    readonly createdAt: string;
    readonly erasedAt?: string | undefined;
  };
}

/** Per evaluation of one customer: the day, and what is derived once for all definitions. */
interface Context {
  readonly program: Program;
  readonly today: Day;
  readonly facts: SegmentFacts;
  rfm?: RfmClass;
}

const inRange = (day: Day | null, c: { after?: string | undefined; before?: string | undefined; withinDays?: number | undefined; olderThanDays?: number | undefined }, today: Day): boolean => {
  if (day === null) return false;
  if (c.after !== undefined && !(day > c.after)) return false;
  if (c.before !== undefined && !(day < c.before)) return false;
  if (c.withinDays !== undefined && day < addDays(today, -c.withinDays)) return false;
  if (c.olderThanDays !== undefined && !(day < addDays(today, -c.olderThanDays))) return false;
  return true;
};

function holds(c: SegmentCondition, ctx: Context): boolean {
  const { account, profile } = ctx.facts;
  switch (c.kind) {
    case 'tier': {
      const tier = currentTier(ctx.program, account);
      return tier !== null && c.tiers.includes(tier.id);
    }
    case 'rfm':
      ctx.rfm ??= classify(rfmSettings(ctx.program), account, ctx.today).class;
      return c.classes.includes(ctx.rfm);
    case 'lastPurchase':
      return inRange(account.lastPurchaseOn, c, ctx.today);
    case 'event':
      return inRange(account.lastEventOn?.[c.event] ?? null, c, ctx.today);
    case 'enrolled':
      return inRange(dayOf(new Date(profile.createdAt), ctx.program.timeZone), c, ctx.today);
    case 'birthdayMonth':
      return profile.birthDate !== undefined && c.months.includes(Number(profile.birthDate.slice(5, 7)));
    case 'consent':
      return profile.consents[c.channel];
    case 'balance':
      return (c.min === undefined || account.available >= c.min) && (c.max === undefined || account.available <= c.max);
    case 'bought': {
      const [kind, keys]: [SummaryKind, string[]] = c.categories
        ? ['categories', c.categories]
        : c.skus
          ? ['skus', c.skus]
          : ['attributes', Object.entries(c.attributes!).flatMap(([name, values]) => values.map((v) => attributeKey(name, v)))];
      return boughtSince(account.purchases, kind, keys, addMonths(ctx.today.slice(0, 7), 1 - c.withinMonths));
    }
    case 'store':
      return boughtSince(account.purchases, 'stores', c.stores, addMonths(ctx.today.slice(0, 7), 1 - c.withinMonths));
  }
}


/**
 * The defined segments (ids) this customer belongs to on `today` (program time). An erased
 * customer belongs to none: nothing about them may be marketed to.
 */
export function matchingSegments(program: Program, definitions: readonly DefinedSegment[], facts: SegmentFacts, today: Day): string[] {
  if (facts.profile.erasedAt) return [];
  const ctx: Context = { program, today, facts };
  return definitions
    .filter((d) => {
      const results = d.conditions.map((c) => holds(c, ctx) !== c.not);
      return d.match === 'all' ? results.every(Boolean) : results.some(Boolean);
    })
    .map((d) => d.segmentId)
    .sort();
}

/**
 * The customer's segments after an evaluation: those set by hand (any id that is not a defined
 * segment's) kept as they are, the defined ones replaced by what matches now.
 */
export function nextSegments(current: readonly string[], definedIds: ReadonlySet<string>, matching: readonly string[]): string[] {
  return [...new Set([...current.filter((s) => !definedIds.has(s)), ...matching])].sort();
}

/**
 * Why a definition cannot be evaluated under this program, per condition (path + message): a
 * tier the program does not have, or a purchase condition the program keeps no summary for.
 */
export function definitionIssues(program: Program, d: SegmentDefinition): Array<{ path: string; message: string }> {
  const issues: Array<{ path: string; message: string }> = [];
  const tiers = new Set([...(program.tiers?.levels ?? []), ...(program.tiers?.staffLevels ?? [])].map((l) => l.id));
  d.conditions.forEach((c, i) => {
    if (c.kind === 'tier') {
      const unknown = c.tiers.findIndex((t) => !tiers.has(t));
      if (unknown >= 0) issues.push({ path: `conditions.${i}.tiers.${unknown}`, message: 'is not a tier of the program' });
    }
    const kind: SummaryKind | null = c.kind === 'bought' ? (c.categories ? 'categories' : c.skus ? 'skus' : 'attributes') : c.kind === 'store' ? 'stores' : null;
    if (kind && !(program.purchaseSummary && program.purchaseSummary[kind] > 0)) {
      issues.push({ path: `conditions.${i}.kind`, message: `the program keeps no summary of ${kind} (set purchaseSummary.${kind} in the program)` });
    }
  });
  return issues;
}
