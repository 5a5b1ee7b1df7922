/**
 * Report figures from the table's changes: each committed change (a receipt, a return, a ledger
 * entry, a customer) becomes counter increments keyed by series, day and dimension. Pure: the
 * images in, the increments out; the stream consumer adds them up and stores them (storage/insight.ts),
 * the reports read them back. Nothing here reads the table: everything a figure needs is on
 * the item that changed.
 *
 * Which change gives which figure, so that each is counted once:
 * - receipt (INSERT): receipts, amount, paid and the discounts by source, by store and tier;
 * - return (INSERT): returns and refunds, by store;
 * - ledger entry (INSERT): points by kind (and pending points), by store; the liability by lot
 *   (month of expiry), by store, and each lot's ins and outs (breakage);
 * - coupon (INSERT): codes issued per campaign, and sent (issued to a customer); the receipts
 *   that used them count uses, discount, points and the receipts' money;
 * - customer (INSERT): enrolments (and migrated members), by tier and by the store enrolled at;
 *   (INSERT and MODIFY) the liability by the customer's tier, moved when the tier changes, and
 *   the members per RFM class, moved when the nightly job writes another class; the first receipt
 *   of a month (a new month in the account's activity) makes the customer active in that month;
 * - journey send (INSERT): messages a journey step sent.
 */
import { localTime, monthKey, type MonthKey } from './time.ts';

/** A committed change of one item, as the table's stream gives it (plain images, ISO time). */
export interface ChangeRecord {
  readonly eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  readonly newImage?: Record<string, unknown> | undefined;
  readonly oldImage?: Record<string, unknown> | undefined;
  /** When DynamoDB recorded the change. */
  readonly at: string;
}

/**
 * The counter series. `daily` ones are kept per day (a period reads its days, month by month);
 * `cumulative` ones per day and per month too, because they are read from the beginning (the
 * liability as of a day adds up every month before it); `monthly` ones per month only (`period`
 * is then a month: active members; lots are keyed by their expiry month). The chain's totals are
 * the sums of the store (or tier) rows: no series of their own, so no extra write per change.
 */
export const series = {
  /** Receipts, money, discounts, returns, points by kind, by store (`-` for what no store did: jobs, staff). */
  store: 'daily',
  /** Receipts, money and discounts by the tier the receipt was priced at; enrolments (under no tier). */
  tier: 'daily',
  /** Outstanding points by lot (month of expiry), `debt` and `pending`. */
  liabExpiry: 'cumulative',
  /** Outstanding points by the customer's tier at the time. */
  liabTier: 'cumulative',
  /** Outstanding points by the store their movements happened at. */
  liabStore: 'cumulative',
  /** Coupons by campaign: codes issued (to a customer: sent), used, their discount and the receipts' money. */
  coupons: 'daily',
  /** Members with a receipt in the month, by tier. */
  active: 'monthly',
  /** Per lot (month of expiry): points in and out by ledger kind, for breakage. */
  lots: 'monthly',
  /** Members by the store they enrolled at (`-`: enrolled by staff, or imported), per month. */
  members: 'monthly',
  /** Members by RFM class as the nightly segments job last wrote it on them (`-`: not classified yet). */
  rfm: 'cumulative',
  /** Journey messages sent, by `{journeyId}#{step}`. */
  journeys: 'daily',
} as const;
export type Series = keyof typeof series;

/** The item types whose changes are counted: the stream consumer's filter (infra) says the same. */
export const reportedItemTypes = { inserted: ['receipt', 'return', 'ledger', 'customer', 'coupon', 'journeySend'], modified: ['customer'] } as const;

export const isCounted = (eventName: string | undefined, type: string | undefined): boolean =>
  eventName === 'INSERT' ? (reportedItemTypes.inserted as readonly string[]).includes(type ?? '') : eventName === 'MODIFY' && (reportedItemTypes.modified as readonly string[]).includes(type ?? '');

/** Dimension value for "none": no store, no tier. */
export const NONE = '-';

export interface Increment {
  readonly series: Series;
  /** `YYYY-MM-DD` for daily series, `YYYY-MM` for monthly ones. */
  readonly period: string;
  readonly key: string;
  readonly add: Readonly<Record<string, number>>;
}

/** A source change's identity: the same change, redelivered, has the same id. */
export function changeId(change: ChangeRecord): string | null {
  const item = change.newImage;
  if (!item) return null;
  if (change.eventName === 'INSERT') return `${item.pk}|${item.sk}`;
  if (change.eventName === 'MODIFY') return `${item.pk}|${item.sk}|v${item.version}`;
  return null;
}

export const tenantOf = (change: ChangeRecord): string | null => {
  const pk = String(change.newImage?.pk ?? '');
  const m = /^T#([^#]+)#/.exec(pk);
  return m ? m[1]! : null;
};

export function dayOf(instant: string | Date, timeZone: string): string {
  const t = localTime(new Date(instant), timeZone);
  return `${monthKey(t.year, t.month)}-${String(t.day).padStart(2, '0')}`;
}

type Item = Record<string, any>;

const sum = (r: Record<string, number> | undefined): number => Object.values(r ?? {}).reduce((s, n) => s + n, 0);
const nonZero = (add: Record<string, number>) => Object.fromEntries(Object.entries(add).filter(([, v]) => v !== 0));

/** Money and discounts of a receipt, as its answer's totals give them. */
const receiptMetrics = (totals: Item) => ({
  receipts: 1,
  amount: totals.amount,
  paid: totals.paid,
  tierDiscount: totals.tierDiscount,
  rewardDiscount: totals.rewardDiscount,
  couponDiscount: totals.couponDiscount,
  pointsDiscount: totals.pointsDiscount,
});

/** The tier that decides a customer's discount now: a staff tier overrides the program's level. */
const tierOf = (account: Item | undefined): string => account?.staffTierId ?? account?.tierId ?? NONE;

/** The RFM class the nightly segments job last wrote on the account (rfm.ts); none before its first run. */
const rfmClassOf = (account: Item | undefined): string => account?.rfmClass ?? NONE;

/** Points the customer holds: available (lots less debt) and pending. */
const outstanding = (account: Item | undefined): number => Number(account?.available ?? 0) + sum(account?.pendingLots);

/** Metric names for points of a ledger kind (and its pending part). */
export const pointsMetric = (kind: string) => `pts_${kind}`;
export const pendingMetric = (kind: string) => `pend_${kind}`;

export function incrementsFromChange(change: ChangeRecord, timeZone: string): Increment[] {
  const item: Item | undefined = change.newImage;
  if (!item || change.eventName === 'REMOVE') return [];
  const out: Increment[] = [];
  const push = (s: Series, period: string, key: string, add: Record<string, number>) => {
    const a = nonZero(add);
    if (Object.keys(a).length) out.push({ series: s, period, key, add: a });
  };

  if (change.eventName === 'INSERT') {
    switch (item.type) {
      case 'receipt': {
        const answer = JSON.parse(item.response);
        const day = dayOf(item.occurredAt, timeZone);
        const m = receiptMetrics(answer.totals);
        push('store', day, item.storeId, m);
        push('tier', day, answer.tier?.id ?? NONE, m);
        for (const c of answer.coupons ?? []) {
          push('coupons', day, c.campaignId, { used: 1, discount: c.discount ?? 0, points: c.points ?? 0, revenue: answer.totals.paid });
        }
        break;
      }
      case 'coupon': {
        push('coupons', dayOf(item.issuedAt, timeZone), item.campaignId, item.customerId ? { issued: 1, sent: 1 } : { issued: 1 });
        break;
      }
      case 'return': {
        const answer = JSON.parse(item.response);
        const day = dayOf(item.at, timeZone);
        push('store', day, item.storeId, { returns: 1, refund: answer.totals.refund });
        break;
      }
      case 'ledger': {
        const day = dayOf(item.at, timeZone);
        const pending = sum(item.pending);
        const m = { [pointsMetric(item.kind)]: item.points, [pendingMetric(item.kind)]: pending };
        const storeId = item.source?.storeId ?? NONE;
        push('store', day, storeId, m);
        // available = Σ lots − debt, so the lots, the debt and the pending points add up to what is owed.
        for (const [lot, d] of Object.entries((item.lots ?? {}) as Record<string, number>)) {
          push('liabExpiry', day, lot, { points: d });
          push('lots', lot, NONE, { [`${d > 0 ? 'in' : 'out'}_${item.kind}`]: Math.abs(d) });
        }
        push('liabExpiry', day, 'debt', { points: -Number(item.debt ?? 0) });
        push('liabExpiry', day, 'pending', { points: pending });
        push('liabStore', day, storeId, { points: Number(item.points) + pending });
        break;
      }
      case 'customer': {
        const day = dayOf(item.createdAt, timeZone);
        push('tier', day, tierOf(item.account), item.importId ? { imported: 1 } : { enrolled: 1 });
        push('liabTier', day, tierOf(item.account), { points: outstanding(item.account) });
        push('members', day.slice(0, 7), item.enrolmentStoreId ?? NONE, item.importId ? { imported: 1 } : { enrolled: 1 });
        push('rfm', day, rfmClassOf(item.account), { members: 1 });
        break;
      }
      case 'journeySend': {
        // sk JSENT#{at}#J#{journeyId}#{step} (storage/notifications.ts): the claim names the journey and step.
        const claim = /^JSENT#[^#]+#J#([^#]+)#(\d+)$/.exec(String(item.sk));
        if (claim) push('journeys', dayOf(item.at, timeZone), `${claim[1]}#${claim[2]}`, { sent: 1 });
        break;
      }
    }
    return out;
  }

  // MODIFY: only the customer item's balance, tier and activity matter here.
  if (item.type !== 'customer' || !change.oldImage) return [];
  const before: Item = change.oldImage.account ?? {};
  const after: Item = item.account ?? {};
  const day = dayOf(change.at, timeZone);
  const [from, to] = [tierOf(before), tierOf(after)];
  if (from === to) push('liabTier', day, to, { points: outstanding(after) - outstanding(before) });
  else {
    push('liabTier', day, from, { points: -outstanding(before) });
    push('liabTier', day, to, { points: outstanding(after) });
  }
  const [wasClass, isClass] = [rfmClassOf(before), rfmClassOf(after)];
  if (wasClass !== isClass) {
    push('rfm', day, wasClass, { members: -1 });
    push('rfm', day, isClass, { members: 1 });
  }
  for (const month of Object.keys(after.activity ?? {})) {
    if (!(month in (before.activity ?? {}))) push('active', month, to, { members: 1 });
  }
  return out;
}

/**
 * The till's figures by store, folded later. A chain's stores each see a few receipts per stream
 * batch, so counting `store` and `liabStore` per store on every batch writes one counter item per
 * store touched (most of what the counters cost a chain of hundreds of stores). Instead the stream
 * counts them under UNFOLDED, the chain's till figures not yet attributed to their store, and logs
 * the per-store split beside (storage/insight.ts); the nightly fold moves each store's part from
 * UNFOLDED to the store in one transaction (lib/app/store-fold.ts). Rows always add up to the chain.
 */
export const UNFOLDED = '*';
export const foldedLater = (inc: Increment): boolean => (inc.series === 'store' || inc.series === 'liabStore') && inc.key !== NONE && inc.key !== UNFOLDED;

/** A change's increments split: what the stream counts now (store figures under UNFOLDED), and the per-store split it logs. */
export function deferStores(incs: readonly Increment[]): { counted: Increment[]; logged: Increment[] } {
  const logged = incs.filter(foldedLater);
  if (logged.length === 0) return { counted: [...incs], logged: [] };
  const counted = mergeIncrements(incs.map((i) => (foldedLater(i) ? { ...i, key: UNFOLDED } : i)));
  return { counted, logged };
}

/** The moves that attribute logged store figures: each store's part added to it and taken from UNFOLDED. */
export function foldMoves(logged: readonly Increment[]): Map<string, Increment[]> {
  const byStore = new Map<string, Increment[]>();
  for (const inc of mergeIncrements(logged)) {
    const neg = Object.fromEntries(Object.entries(inc.add).map(([m, v]) => [m, -v]));
    const list = byStore.get(inc.key) ?? [];
    list.push(inc, { ...inc, key: UNFOLDED, add: neg });
    byStore.set(inc.key, list);
  }
  return byStore;
}

/** Increments of several changes, added up per (series, period, key). */
export function mergeIncrements(list: readonly Increment[]): Increment[] {
  const byCell = new Map<string, { series: Series; period: string; key: string; add: Record<string, number> }>();
  for (const i of list) {
    const id = `${i.series}|${i.period}|${i.key}`;
    const cell = byCell.get(id) ?? { series: i.series, period: i.period, key: i.key, add: {} };
    for (const [m, v] of Object.entries(i.add)) cell.add[m] = (cell.add[m] ?? 0) + v;
    byCell.set(id, cell);
  }
  return [...byCell.values()].map((c) => ({ ...c, add: nonZero(c.add) })).filter((c) => Object.keys(c.add).length > 0);
}

export type { MonthKey };
