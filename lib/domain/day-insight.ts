/**
 * A day of members' receipts, summed once by the nightly insight job (never on the till's path):
 * revenue by SKU (the day's top N) and by category (all of them, up to a maximum), and the
 * revenue that followed coupon and journey sends — per send, the receipts its customer made in
 * the days after it, by how many days after. Pure: receipts and sends in, one bounded summary out.
 *
 * Members' revenue is what the shop charged on the lines (line `amount`, after the shop's own
 * discounts, before loyalty discounts), on the receipts committed that day (returns are not
 * taken off: a return names only lines of a receipt that may be from another day).
 */
import type { ReplayReceipt } from './simulation.ts';
import { dayOf } from './insight.ts';

/** SKUs a day keeps (the top ones by revenue). */
export const MAX_TOP_SKUS = 100;
/** Categories a day keeps; the rest are added up under `other`. */
export const MAX_CATEGORIES = 500;
/** How long after a send a receipt still counts towards it, at most. */
export const MAX_ATTRIBUTION_DAYS = 90;
/** Send results a day keeps (send × day of send × days after); the smallest beyond are added up under `dropped`. */
export const MAX_TOUCH_CELLS = 4_000;

const DAY_MS = 86_400_000;

export interface Figures {
  revenue: number;
  quantityMilli: number;
  /** Receipts with at least one line of it. */
  receipts: number;
}

export interface DaySales {
  readonly receipts: number;
  readonly revenue: number;
  /** The day's top SKUs by revenue, at most MAX_TOP_SKUS. */
  readonly skus: ReadonlyArray<Figures & { readonly sku: string }>;
  /** Every category (up to MAX_CATEGORIES, by revenue). */
  readonly categories: ReadonlyArray<Figures & { readonly category: string }>;
  /** What the SKUs and categories beyond the kept ones add up to. */
  readonly otherSkus: { readonly revenue: number; readonly count: number };
  readonly otherCategories: { readonly revenue: number; readonly count: number };
}

const byRevenue = <T extends { revenue: number }>(key: (x: T) => string) => (a: T, b: T) => b.revenue - a.revenue || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

/** Revenue by SKU and by category of a day's receipts (each receipt once: the caller dedupes). */
export function daySales(receipts: readonly ReplayReceipt[], topSkus = MAX_TOP_SKUS, maxCategories = MAX_CATEGORIES): DaySales {
  const skus = new Map<string, Figures>();
  const categories = new Map<string, Figures>();
  let revenue = 0;
  const add = (m: Map<string, Figures>, key: string, amount: number, quantityMilli: number, seen: Set<string>) => {
    const f = m.get(key) ?? { revenue: 0, quantityMilli: 0, receipts: 0 };
    f.revenue += amount;
    f.quantityMilli += quantityMilli;
    if (!seen.has(key)) f.receipts += 1;
    seen.add(key);
    m.set(key, f);
  };
  for (const r of receipts) {
    const [s, c] = [new Set<string>(), new Set<string>()];
    for (const l of r.lines) {
      revenue += l.amount;
      add(skus, l.sku, l.amount, l.quantityMilli, s);
      add(categories, l.category, l.amount, l.quantityMilli, c);
    }
  }
  const sku = [...skus].map(([k, f]) => ({ sku: k, ...f })).sort(byRevenue((x) => x.sku));
  const cat = [...categories].map(([k, f]) => ({ category: k, ...f })).sort(byRevenue((x) => x.category));
  const rest = <T extends Figures>(xs: T[], n: number) => ({ revenue: xs.slice(n).reduce((s, x) => s + x.revenue, 0), count: Math.max(0, xs.length - n) });
  return {
    receipts: receipts.length,
    revenue,
    skus: sku.slice(0, topSkus),
    categories: cat.slice(0, maxCategories),
    otherSkus: rest(sku, topSkus),
    otherCategories: rest(cat, maxCategories),
  };
}

/** A message or coupon that reached a customer: a coupon code issued to them, or a journey step's message. */
export interface Touch {
  readonly kind: 'coupon' | 'journey';
  /** The campaign; for a journey `{journeyId}#{step}`. */
  readonly id: string;
  /** When it was sent (ISO). */
  readonly at: string;
  /** The coupon's code: a receipt that used it counts as a use. */
  readonly code?: string | undefined;
}

/** Receipts after sends of one `id` on one day (program time), by days after the send (0 = within 24 h). */
export interface TouchCell {
  readonly kind: Touch['kind'];
  readonly id: string;
  readonly sentOn: string;
  readonly after: number;
  readonly receipts: number;
  readonly revenue: number;
  /** Receipts that used the very code sent (coupons). */
  readonly used: number;
}

export interface DayTouches {
  readonly cells: readonly TouchCell[];
  /** Cells beyond MAX_TOUCH_CELLS (the smallest by revenue), and what they held. */
  readonly dropped: { readonly cells: number; readonly revenue: number };
}

const revenueOf = (r: ReplayReceipt) => r.lines.reduce((s, l) => s + l.amount, 0);

/**
 * Each receipt counted towards every send its customer had in the MAX_ATTRIBUTION_DAYS before
 * it (by `occurredAt`: a receipt made before the send, posted late, does not count), under the day
 * of the send (program time) and the whole days between them. `sendsOf` gives a customer's sends.
 */
export function dayTouches(receipts: readonly ReplayReceipt[], sendsOf: (customerId: string) => readonly Touch[], timeZone: string, maxCells = MAX_TOUCH_CELLS): DayTouches {
  const cells = new Map<string, { kind: Touch['kind']; id: string; sentOn: string; after: number; receipts: number; revenue: number; used: number }>();
  for (const r of receipts) {
    const t = r.occurredAt.getTime();
    for (const s of sendsOf(r.customerId)) {
      const after = Math.floor((t - Date.parse(s.at)) / DAY_MS);
      if (after < 0 || after >= MAX_ATTRIBUTION_DAYS) continue;
      const sentOn = dayOf(s.at, timeZone);
      const key = `${s.kind}|${s.id}|${sentOn}|${after}`;
      const c = cells.get(key) ?? { kind: s.kind, id: s.id, sentOn, after, receipts: 0, revenue: 0, used: 0 };
      c.receipts += 1;
      c.revenue += revenueOf(r);
      if (s.code && r.coupons.includes(s.code)) c.used += 1;
      cells.set(key, c);
    }
  }
  const all = [...cells.values()].sort(byRevenue((c) => `${c.kind}|${c.id}|${c.sentOn}|${String(c.after).padStart(2, '0')}`));
  const dropped = all.slice(maxCells);
  return { cells: all.slice(0, maxCells), dropped: { cells: dropped.length, revenue: dropped.reduce((s, c) => s + c.revenue, 0) } };
}

/** The UTC day after `day`. */
export const nextDay = (day: string): string => new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
/** `n` UTC days before (negative: after) `day`. */
export const daysBefore = (day: string, n: number): string => new Date(Date.parse(`${day}T00:00:00Z`) - n * DAY_MS).toISOString().slice(0, 10);
