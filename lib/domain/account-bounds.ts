/**
 * What a customer's account keeps between receipts, bounded: the item holding it may not pass
 * DynamoDB's 400 KB, so nothing on it may grow with every campaign, rule or year that passes.
 * Refill dates are bounded where they are kept (refills.ts, MAX_REFILLS) and unused rewards in
 * rewards.ts (MAX_HELD_REWARDS); this prunes what only the program can say is still needed.
 */
import type { Account } from './account.ts';
import type { Program } from './program.ts';
import { localTime } from './time.ts';
import { programBudgets, pruneCustomerUses } from './budgets.ts';

/**
 * Years a per-year once-only grant is kept for: last year's, this year's and next year's (a
 * receipt may be minutes ahead of the clock at New Year). Older ones cannot matter any more.
 */
export const MAX_GRANT_YEARS = 3;

/**
 * Most segments a customer is in. Replacing them all with as many others writes the customer,
 * one membership item per segment added and per segment removed, the audit record and the profile
 * item (which keeps the defined ones) in one transaction: 3 + 40 + 40 = 83 (93 from a customer with
 * 50, the former limit), under DynamoDB's 100.
 * Defined segments (segments.ts, at most MAX_SEGMENT_DEFINITIONS) come on top and are never
 * replaced by hand; their evaluation writes the customer and at most 20 + 20 membership items.
 */
export const MAX_SEGMENTS = 40;

/**
 * The account with what can no longer matter dropped: coupon uses of campaigns the program no
 * longer has (at most its 200 campaigns remain), once-only grants of rules it no longer has or of
 * years gone by (at most one per lifetime rule and MAX_GRANT_YEARS per per-year rule), and
 * progress and stamps of one-time rewards it no longer offers.
 */
export function boundAccount(program: Program, account: Account, now: Date): Account {
  const b = boundsOf(program);
  const couponUses = Object.fromEntries(Object.entries(account.couponUses).filter(([id, n]) => b.campaigns.has(id) && n > 0));
  const grants = b.grants(localTime(now, program.timeZone).year);
  const grantedOnce = account.grantedOnce.filter((g) => grants.has(g));
  // Progress towards rewards the program no longer offers cannot be finished; a stamp counts
  // only for a SKU its card still lists (the program bounds those, MAX_STAMP_CARD_SKUS).
  const progress = Object.fromEntries(Object.entries(account.rewards.progress).filter(([id]) => b.milestones.has(id)));
  const stampCards = Object.fromEntries(
    Object.entries(account.rewards.stampCards).flatMap(([id, card]) => {
      const listed = b.cards.get(id);
      return listed ? [[id, { ...card, skus: card.skus.filter((sku) => listed.has(sku)) }]] : [];
    }),
  );
  // Uses of budgets the program no longer limits per customer (at most MAX_CUSTOMER_BUDGETS remain).
  return pruneCustomerUses({ ...account, couponUses, grantedOnce, rewards: { ...account.rewards, progress, stampCards } }, b.limited);
}

/** What boundAccount keeps, as the program says: worked out once per program, not per receipt. */
interface Bounds {
  readonly campaigns: ReadonlySet<string>;
  /** Once-only grants that can still matter in a year (program time). */
  readonly grants: (year: number) => ReadonlySet<string>;
  readonly milestones: ReadonlySet<string>;
  readonly cards: ReadonlyMap<string, ReadonlySet<string>>;
  readonly limited: ReadonlySet<string>;
}

const bounds = new WeakMap<Program, Bounds>();

function boundsOf(program: Program): Bounds {
  let b = bounds.get(program);
  if (b) return b;
  const byYear = new Map<number, Set<string>>();
  b = {
    campaigns: new Set(program.coupons.map((c) => c.id)),
    grants: (year) => {
      let grants = byYear.get(year);
      if (grants) return grants;
      grants = new Set<string>();
      for (const r of program.earning.rules) {
        if (r.type !== 'lifetimeSpend') continue;
        if (r.period === 'lifetime') grants.add(r.id);
        else for (let y = year - 1; y <= year + 1; y++) grants.add(`${r.id}@${y}`);
      }
      if (byYear.size >= 16) byYear.clear();
      byYear.set(year, grants);
      return grants;
    },
    milestones: new Set(program.rewards.filter((r) => r.type === 'itemMilestone').map((r) => r.id)),
    cards: new Map(program.rewards.flatMap((r) => (r.type === 'stampCard' ? [[r.id, new Set(r.skus)] as const] : []))),
    limited: new Set(programBudgets(program).flatMap((b) => (b.budget.perCustomer ? [b.key] : []))),
  };
  bounds.set(program, b);
  return b;
}

/**
 * Most SKUs the program's stamp cards list, all cards together: a customer's item keeps the SKUs
 * stamped on each card, and SKUs may be 64 characters of any script.
 */
export const MAX_STAMP_CARD_SKUS = 200;

/** Most once-only (`lifetimeSpend`) earning rules a program has: each leaves a grant on the customer's item. */
export const MAX_ONCE_RULES = 50;
