/**
 * The program simulator: a customer's receipts and returns replayed, in the order the till took
 * them, through the till's own engine (`priceReceipt`, `priceReturn`) under two programs side by
 * side — the one in force and a draft — each with its own simulated account, so tiers, the nth
 * receipt, lifetime spend, caps and expiry evolve as they would have. Pure: events in, figures out.
 *
 * A period is warmed up (`countFrom`): the customer's events committed before it are replayed
 * first and only build the accounts (balances, tiers, counters, the receipts later returns undo);
 * figures count from `countFrom` on. Each side warms up under its own program, or the draft's
 * side starts the period with the account the program in force built (`draftWarmup`).
 *
 * What a replay cannot know is left as the till left it: which coupon codes were still unused,
 * friends' referral rewards (another customer's account) and staff actions between receipts are
 * not replayed. A burn the draft's account cannot cover is cut to what it can (a till would have
 * offered less); a receipt the engine still refuses is counted under `refused` with its code.
 */
import { emptyAccount, type Account } from './account.ts';
import { BurnLimitError, DomainError, InsufficientPointsError } from './errors.ts';
import { priceReceipt, type Pricing, type ReceiptDraft, type ReceiptLine } from './pricing.ts';
import type { Program } from './program.ts';
import { priceReturn, type CommittedReceipt } from './returns.ts';
import { currentTier } from './tiers.ts';
import { usedEntries } from './rewards.ts';

export interface ReplayReceipt {
  readonly type: 'receipt';
  readonly customerId: string;
  readonly storeId: string;
  readonly receiptId: string;
  readonly occurredAt: Date;
  /** When the till committed it: the engine's `now` (expiry catch-up, tier periods); order within a customer. */
  readonly at: Date;
  readonly lines: readonly ReceiptLine[];
  readonly burnPoints: number;
  readonly coupons: readonly string[];
}

export interface ReplayReturn {
  readonly type: 'return';
  readonly customerId: string;
  readonly storeId: string;
  readonly returnId: string;
  readonly receiptStoreId: string;
  readonly receiptId: string;
  readonly at: Date;
  /** When the returned receipt was made (history lines of returns from before it was kept have none). */
  readonly receiptOccurredAt?: Date | undefined;
  readonly lines: readonly ReplayReturnLine[];
}

/**
 * A returned line: units back (`quantityMilli`), or money back by amount (`amount`, units 0).
 * The history adds what the nightly insight job needs: the line's SKU, category and the share of
 * its amount returned (`amountBack`).
 */
export interface ReplayReturnLine {
  readonly lineId: string;
  readonly quantityMilli: number;
  readonly amount?: number | undefined;
  readonly sku?: string | undefined;
  readonly category?: string | undefined;
  readonly amountBack?: number | undefined;
}

export type ReplayEvent = ReplayReceipt | ReplayReturn;

/** Money in minor units, points as integers; all sums over the receipts (and returns) replayed. */
export interface Figures {
  receipts: number;
  returns: number;
  /** Line amounts before any loyalty discount (what the shop charged). */
  revenue: number;
  /** Money given back by returns. */
  refunds: number;
  paid: number;
  tierDiscount: number;
  rewardDiscount: number;
  couponDiscount: number;
  pointsDiscount: number;
  /** Earned on receipts plus tier-upgrade bonuses. */
  pointsIssued: number;
  pointsBurned: number;
  pointsReversed: number;
  pointsRefunded: number;
  /** Burns the simulated account could not cover in full (cut to what it could). */
  burnsCut: number;
  refused: number;
}

const zero = (): Figures => ({
  receipts: 0,
  returns: 0,
  revenue: 0,
  refunds: 0,
  paid: 0,
  tierDiscount: 0,
  rewardDiscount: 0,
  couponDiscount: 0,
  pointsDiscount: 0,
  pointsIssued: 0,
  pointsBurned: 0,
  pointsReversed: 0,
  pointsRefunded: 0,
  burnsCut: 0,
  refused: 0,
});

/** Field by field: a replay adds figures three times per receipt and side, and a loop over the keys was a tenth of its own time. */
function add(into: Figures, from: Figures): void {
  into.receipts += from.receipts;
  into.returns += from.returns;
  into.revenue += from.revenue;
  into.refunds += from.refunds;
  into.paid += from.paid;
  into.tierDiscount += from.tierDiscount;
  into.rewardDiscount += from.rewardDiscount;
  into.couponDiscount += from.couponDiscount;
  into.pointsDiscount += from.pointsDiscount;
  into.pointsIssued += from.pointsIssued;
  into.pointsBurned += from.pointsBurned;
  into.pointsReversed += from.pointsReversed;
  into.pointsRefunded += from.pointsRefunded;
  into.burnsCut += from.burnsCut;
  into.refused += from.refused;
}

/** The loyalty cost of figures: money discounts plus the value of the points issued net of reversals. */
export function costOf(f: Figures, pointValue: number): number {
  return f.tierDiscount + f.rewardDiscount + f.couponDiscount + (f.pointsIssued - f.pointsReversed) * pointValue;
}

export interface SideFigures {
  readonly totals: Figures;
  /** By the tier the receipt was priced at (`none` without tiers). */
  readonly byTier: Record<string, Figures>;
  readonly byStore: Record<string, Figures>;
  /** Earning rules: receipts they changed and the points those receipts earned. */
  readonly byRule: Record<string, { receipts: number; points: number }>;
  /** Refused receipts and returns by the engine's code. */
  readonly refusals: Record<string, number>;
  /** Customers by the tier they end the replay on. */
  readonly finalTiers: Record<string, number>;
}

const emptySide = (): SideFigures => ({ totals: zero(), byTier: {}, byStore: {}, byRule: {}, refusals: {}, finalTiers: {} });

export interface CustomerDelta {
  readonly customerId: string;
  /** Draft value minus value in force: discounts plus points issued at each program's point value. */
  readonly gain: number;
  readonly current: number;
  readonly draft: number;
}

export interface SimulationState {
  customers: number;
  current: SideFigures;
  draft: SideFigures;
  /** From tier → to tier (final tiers), for customers whose tier differs. */
  tierChanges: Record<string, number>;
  topGainers: CustomerDelta[];
  topLosers: CustomerDelta[];
}

export const emptySimulation = (): SimulationState => ({
  customers: 0,
  current: emptySide(),
  draft: emptySide(),
  tierChanges: {},
  topGainers: [],
  topLosers: [],
});

/** The most customers each of the top lists keeps (and the most rules, stores and tiers reported stay bounded by the program and the stores). */
export const MAX_TOP = 100;

const tierKey = (t: { id: string } | null | undefined) => t?.id ?? 'none';

/** One side's replay of one customer: its account, its receipts as it priced them. */
class SideReplay {
  account: Account;
  /** This side's receipts as priced (kept as the pricing; made into what a return needs on the first return). */
  readonly receipts = new Map<string, Pricing | CommittedReceipt>();
  value = 0;
  readonly program: Program;
  readonly out: SideFigures;
  /** False while warming up: the account moves, nothing is counted. */
  counting: boolean;
  constructor(program: Program, out: SideFigures, start: Account, counting: boolean) {
    this.program = program;
    this.out = out;
    this.account = start;
    this.counting = counting;
  }

  private bucket(map: Record<string, Figures>, key: string): Figures {
    return (map[key] ??= zero());
  }

  private refuse(code: string): void {
    if (!this.counting) return;
    this.out.totals.refused++;
    this.out.refusals[code] = (this.out.refusals[code] ?? 0) + 1;
  }

  receipt(e: ReplayReceipt, storeTags: Readonly<Record<string, string>> | undefined): void {
    const draft: ReceiptDraft = { occurredAt: e.occurredAt, storeId: e.storeId, storeTags, lines: e.lines, burnPoints: e.burnPoints, coupons: e.coupons };
    let p: Pricing;
    // Cut up front what the balance cannot cover, so the common case needs no refusal.
    // (Pending points released before the receipt may add to the balance: count them as usable.)
    let usable = this.account.available;
    for (const k in this.account.pendingLots) usable += this.account.pendingLots[k]!;
    const fits = e.burnPoints <= Math.max(0, usable);
    let cut = !fits;
    try {
      p = this.price(fits ? draft : { ...draft, burnPoints: Math.max(0, usable) }, e.at);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      // The till offered what the account held then; here the account may hold less.
      if (e.burnPoints > 0 && (err instanceof InsufficientPointsError || err.code === 'burn_exceeds_receipt_limit')) {
        // Over the receipt's limit: cut to it. Where the balance covers that, it is what the
        // pricing at 0 below would have found (the limit, under the balance), one pricing fewer.
        let atLimit: Pricing | null = null;
        if (err instanceof BurnLimitError) {
          try {
            atLimit = this.price({ ...draft, burnPoints: Math.min(e.burnPoints, err.limit) }, e.at);
          } catch (again) {
            if (!(again instanceof DomainError)) throw again;
          }
        }
        try {
          p = atLimit ?? this.price({ ...draft, burnPoints: Math.min(e.burnPoints, this.price({ ...draft, burnPoints: 0 }, e.at).burn.maxPoints) }, e.at);
          cut = true;
        } catch (again) {
          if (!(again instanceof DomainError)) throw again;
          return this.refuse(again.code);
        }
      } else return this.refuse(err.code);
    }
    this.account = p.accountAfter;
    this.receipts.set(`${e.storeId}\u0000${e.receiptId}`, p);
    if (!this.counting) return;
    const t = p.totals;
    const issued = t.pointsEarned + (p.tierUpgrade?.bonusPoints ?? 0);
    // Set on a fresh zero rather than spread over one (once per receipt and side).
    const f = zero();
    f.receipts = 1;
    f.revenue = t.amount;
    f.paid = t.paid;
    f.tierDiscount = t.tierDiscount;
    f.rewardDiscount = t.rewardDiscount;
    f.couponDiscount = t.couponDiscount;
    f.pointsDiscount = t.pointsDiscount;
    f.pointsIssued = issued;
    f.pointsBurned = t.pointsBurned;
    f.burnsCut = cut ? 1 : 0;
    add(this.out.totals, f);
    add(this.bucket(this.out.byTier, tierKey(p.tier)), f);
    add(this.bucket(this.out.byStore, e.storeId), f);
    for (const id of p.earn.rules) {
      const r = (this.out.byRule[id] ??= { receipts: 0, points: 0 });
      r.receipts++;
      r.points += t.pointsEarned;
    }
    this.value += t.tierDiscount + t.rewardDiscount + t.couponDiscount + issued * (this.program.redemption?.pointValue ?? 0);
  }

  private price(draft: ReceiptDraft, now: Date): Pricing {
    return priceReceipt(this.program, this.account, draft, now);
  }

  return(e: ReplayReturn): void {
    const key = `${e.receiptStoreId}\u0000${e.receiptId}`;
    const kept = this.receipts.get(key);
    // A receipt from before the replay (period and warm-up), or one this side refused.
    if (!kept) return this.refuse('receipt_not_replayed');
    const receipt = 'totals' in kept ? committed(kept) : kept;
    try {
      const lines = e.lines.map((l) => (l.amount !== undefined ? { lineId: l.lineId, amount: l.amount } : { lineId: l.lineId, quantityMilli: l.quantityMilli }));
      const r = priceReturn(this.program, this.account, receipt, lines, e.at);
      this.account = r.accountAfter;
      this.receipts.set(key, r.receiptAfter);
      if (!this.counting) return;
      const f: Figures = {
        ...zero(),
        returns: 1,
        refunds: r.totals.refund,
        pointsReversed: r.totals.pointsReversed,
        pointsRefunded: r.totals.pointsRefunded,
      };
      add(this.out.totals, f);
      add(this.bucket(this.out.byStore, e.receiptStoreId), f);
      this.value -= r.totals.pointsReversed * (this.program.redemption?.pointValue ?? 0);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      this.refuse(err.code);
    }
  }

  finish(): string {
    const tier = tierKey(currentTier(this.program, this.account));
    this.out.finalTiers[tier] = (this.out.finalTiers[tier] ?? 0) + 1;
    return tier;
  }
}

/** What the commit keeps of a priced receipt for its returns (as lib/app/receipts.ts stores it). */
function committed(p: Pricing): CommittedReceipt {
  return {
    lines: p.lines.map((l) => ({ ...l, returnedMilli: 0 })),
    earnLot: p.earn.lot,
    pendingKey: p.earn.pendingKey,
    burnLotsRemaining: p.burnLots,
    month: p.month,
    rewardsUsed: usedEntries(p.rewards.used),
    coupons: p.coupons.map((c) => ({ code: c.code, campaignId: c.campaignId })),
    progressEffects: p.rewards.effects,
  };
}

/** A customer's shard (FNV-1a), so a long replay can be cut into independent parts and merged. */
export function customerShard(customerId: string, shards: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < customerId.length; i++) h = Math.imul(h ^ customerId.charCodeAt(i), 0x01000193);
  return (h >>> 0) % shards;
}

export const draftWarmups = ['draft', 'inForce'] as const;
export type DraftWarmup = (typeof draftWarmups)[number];

export interface SimulationOptions {
  readonly current: Program;
  readonly draft: Program;
  /** The store's tags, for rules limited by tag (the store's tags now: history does not keep them). */
  readonly storeTags?: (storeId: string) => Readonly<Record<string, string>> | undefined;
  /** The account a customer starts the replay with (staff tier, segments); empty by default. */
  readonly startAccount?: (customerId: string) => Account;
  /**
   * Where the period starts: events committed before it are the warm-up (replayed, not counted).
   * A customer with no event from it on is not in the report. Unset: everything counts.
   */
  readonly countFrom?: Date | undefined;
  /**
   * Which program builds the draft's accounts in the warm-up: its own (default; the draft as if in
   * force all along) or the one in force (the draft as if published at `countFrom`: customers
   * carry in the balances, levels and receipts the program in force gave them).
   */
  readonly draftWarmup?: DraftWarmup | undefined;
  /** How many gainers and losers to keep (at most MAX_TOP). */
  readonly topN?: number;
}

/**
 * Replays one customer's events (in till order) under both programs and adds the outcome to
 * `state`. Customers are independent, so shards of customers can be replayed apart and merged.
 */
export function simulateCustomer(state: SimulationState, opts: SimulationOptions, customerId: string, events: readonly ReplayEvent[]): void {
  // Events are in till order: the period starts at the first one committed from countFrom on.
  const countFrom = opts.countFrom?.getTime();
  let first = 0;
  if (countFrom !== undefined) {
    while (first < events.length && events[first]!.at.getTime() < countFrom) first++;
    if (first === events.length) return;
  }
  const start = opts.startAccount?.(customerId) ?? emptyAccount();
  const cur = new SideReplay(opts.current, state.current, start, first === 0);
  const dra = new SideReplay(opts.draft, state.draft, start, first === 0);
  const carried = opts.draftWarmup === 'inForce';
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    if (i === first) {
      cur.counting = dra.counting = true;
      if (carried) {
        // Priced receipts are never changed in place (a return replaces its entry), so both sides may hold them.
        dra.account = cur.account;
        for (const [k, r] of cur.receipts) dra.receipts.set(k, r);
      }
    }
    const both = i >= first || !carried;
    if (e.type === 'receipt') {
      const tags = opts.storeTags?.(e.storeId);
      cur.receipt(e, tags);
      if (both) dra.receipt(e, tags);
    } else {
      cur.return(e);
      if (both) dra.return(e);
    }
  }
  state.customers++;
  const from = cur.finish();
  const to = dra.finish();
  if (from !== to) state.tierChanges[`${from}→${to}`] = (state.tierChanges[`${from}→${to}`] ?? 0) + 1;
  const delta: CustomerDelta = { customerId, gain: dra.value - cur.value, current: cur.value, draft: dra.value };
  const n = Math.min(opts.topN ?? 20, MAX_TOP);
  if (delta.gain > 0) keepTop(state.topGainers, delta, n, (a, b) => b.gain - a.gain || cmp(a.customerId, b.customerId));
  if (delta.gain < 0) keepTop(state.topLosers, delta, n, (a, b) => a.gain - b.gain || cmp(a.customerId, b.customerId));
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function keepTop(list: CustomerDelta[], d: CustomerDelta, n: number, order: (a: CustomerDelta, b: CustomerDelta) => number): void {
  if (list.length >= n && order(d, list[list.length - 1]!) >= 0) return;
  let i = list.length;
  while (i > 0 && order(d, list[i - 1]!) < 0) i--;
  list.splice(i, 0, d);
  if (list.length > n) list.pop();
}

/** Adds a shard's state into another (customers are in one shard only, so tops merge exactly). */
export function mergeSimulation(into: SimulationState, from: SimulationState, topN = 20): void {
  into.customers += from.customers;
  for (const side of ['current', 'draft'] as const) {
    const a = into[side];
    const b = from[side];
    add(a.totals, b.totals);
    for (const k of ['byTier', 'byStore'] as const) for (const [key, f] of Object.entries(b[k])) add((a[k][key] ??= zero()), f);
    for (const [id, r] of Object.entries(b.byRule)) {
      const t = (a.byRule[id] ??= { receipts: 0, points: 0 });
      t.receipts += r.receipts;
      t.points += r.points;
    }
    for (const k of ['refusals', 'finalTiers'] as const) for (const [key, n] of Object.entries(b[k])) a[k][key] = (a[k][key] ?? 0) + n;
  }
  for (const [k, n] of Object.entries(from.tierChanges)) into.tierChanges[k] = (into.tierChanges[k] ?? 0) + n;
  const n = Math.min(topN, MAX_TOP);
  for (const d of from.topGainers) keepTop(into.topGainers, d, n, (a, b) => b.gain - a.gain || cmp(a.customerId, b.customerId));
  for (const d of from.topLosers) keepTop(into.topLosers, d, n, (a, b) => a.gain - b.gain || cmp(a.customerId, b.customerId));
}

export interface SideReport extends SideFigures {
  /** Cost (money discounts + points issued net of reversals × point value) in basis points of revenue. */
  readonly costBps: number;
  readonly cost: number;
}

export interface SimulationReport {
  readonly customers: number;
  readonly current: SideReport;
  readonly draft: SideReport;
  readonly tierChanges: readonly { from: string; to: string; customers: number }[];
  readonly topGainers: readonly CustomerDelta[];
  readonly topLosers: readonly CustomerDelta[];
}

const bps = (part: number, whole: number) => (whole === 0 ? 0 : Math.round((part * 10_000) / whole));

export function simulationReport(state: SimulationState, programs: { current: Program; draft: Program }): SimulationReport {
  const side = (s: SideFigures, p: Program): SideReport => {
    const cost = costOf(s.totals, p.redemption?.pointValue ?? 0);
    return { ...s, cost, costBps: bps(cost, s.totals.revenue) };
  };
  return {
    customers: state.customers,
    current: side(state.current, programs.current),
    draft: side(state.draft, programs.draft),
    tierChanges: Object.entries(state.tierChanges)
      .map(([k, customers]) => {
        const [from, to] = k.split('→') as [string, string];
        return { from, to, customers };
      })
      .sort((a, b) => b.customers - a.customers || cmp(a.from, b.from) || cmp(a.to, b.to)),
    topGainers: state.topGainers,
    topLosers: state.topLosers,
  };
}

/** Orders one customer's events as the till took them (ties: receipts before the returns of them). */
export function tillOrder(events: ReplayEvent[]): ReplayEvent[] {
  return events.sort((a, b) => a.at.getTime() - b.at.getTime() || (a.type === b.type ? 0 : a.type === 'receipt' ? -1 : 1));
}
