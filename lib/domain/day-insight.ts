/**
 * A day of members' receipts, summed once by the nightly insight job (never on the till's path):
 * revenue by SKU (the day's top N) and by category (all of them, up to a maximum), and the
 * revenue that followed coupon and journey sends — per send, the receipts its customer made in
 * the days after it, by how many days after. Pure: receipts and sends in, one bounded summary out.
 *
 * Members' revenue is what the shop charged on the lines (line `amount`, after the shop's own
 * discounts, before loyalty discounts), on the receipts committed that day, less what the returns
 * committed that day gave back of it (each return line's `amountBack`, and its units). A return
 * counts on its own day, not against its receipt's: the job reads one day's files and writes that
 * day's items only, so a rerun of any day replaces exactly what that day contributed (a return
 * booked against an older day would need that day's item rewritten, and counted once, from another
 * night); and a period's figure is then what was sold in it less what came back in it, as the
 * ledger books a return's points. A day (or SKU) can so be negative.
 */
import type { ReplayReceipt, ReplayReturn } from './simulation.ts';
import { dayOf } from './insight.ts';

/** SKUs a products report lists at most. */
export const MAX_TOP_SKUS = 100;
/**
 * SKUs a day keeps (the top ones by revenue), and the bytes their list may take (a SKU is up to
 * 64 characters, so a count alone does not bound the item): 1,000 typical SKUs are ~45 KB of the
 * stored item, the byte cap holds a day of the longest ones under 400 KB with the categories
 * (test/storage/day-insight-size.test.ts). Ten times the answer's list: a SKU that makes the
 * period's top 100 is rarely out of a day's top 1,000, and where it was the report says by how
 * much it can be short (`unlistedAtMost`).
 */
export const MAX_DAY_SKUS = 1_000;
export const MAX_DAY_SKU_BYTES = 200_000;
/** Categories a day keeps, and the bytes they may take; the rest are added up under `other`. */
export const MAX_CATEGORIES = 500;
export const MAX_DAY_CATEGORY_BYTES = 100_000;
/** How long after a send a receipt still counts towards it, at most. */
export const MAX_ATTRIBUTION_DAYS = 90;
/** Send results a day keeps (send × day of send × days after); the smallest beyond are added up under `dropped`. */
export const MAX_TOUCH_CELLS = 4_000;

const DAY_MS = 86_400_000;

export interface Figures {
  /** Sold less returned. */
  revenue: number;
  quantityMilli: number;
  /** Receipts with at least one line of it (a return takes none away: the visit happened). */
  receipts: number;
  /** What returns gave back (already taken off `revenue`). */
  returned: number;
}

export interface DaySales {
  readonly receipts: number;
  /** Sold less returned. */
  readonly revenue: number;
  /** Returns of the day, what they gave back, and those from before returns kept their SKUs (not taken off). */
  readonly returns?: { readonly count: number; readonly returned: number; readonly unpriced: number };
  /** The day's top SKUs by revenue, at most MAX_DAY_SKUS (and MAX_DAY_SKU_BYTES). */
  readonly skus: ReadonlyArray<Figures & { readonly sku: string }>;
  /** Every category (up to MAX_CATEGORIES, by revenue). */
  readonly categories: ReadonlyArray<Figures & { readonly category: string }>;
  /**
   * What the SKUs and categories beyond the kept ones add up to; `largest`: the most any one of
   * them took (0 if none took anything), which bounds what a SKU not listed that day can miss.
   */
  readonly otherSkus: { readonly revenue: number; readonly count: number; readonly largest?: number };
  readonly otherCategories: { readonly revenue: number; readonly count: number };
}

/** UTF-8 bytes of a string (the item's size is counted in them). */
const utf8Bytes = (s: string): number => {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c < 0xdc00 ? (i++, 4) : 3;
  }
  return n;
};

/** How many of `xs` (in order) to keep: at most `max`, and their JSON at most `bytes`. */
function keep(xs: readonly object[], max: number, bytes: number): number {
  let used = 0;
  for (let i = 0; i < Math.min(max, xs.length); i++) {
    used += utf8Bytes(JSON.stringify(xs[i])) + 1;
    if (used > bytes) return i;
  }
  return Math.min(max, xs.length);
}

const byRevenue = <T extends { revenue: number }>(key: (x: T) => string) => (a: T, b: T) => b.revenue - a.revenue || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

/** A return whose lines say what they gave back (returns from before that was kept do not). */
const priced = (r: ReplayReturn) => r.lines.every((l) => l.sku !== undefined && l.category !== undefined && l.amountBack !== undefined);

type Cell = { kind: Touch['kind']; id: string; sentOn: string; after: number; receipts: number; revenue: number; used: number };

/**
 * A day summed so far, exactly (nothing cut yet): what each part of the nightly job (a share of
 * the day's customers) adds to, and what a checkpoint between parts keeps. The day items are cut
 * from it once every part is in (`salesOf`, `touchesOf`).
 */
export interface DayTally {
  receipts: number;
  revenue: number;
  returns: { count: number; returned: number; unpriced: number };
  readonly skus: Map<string, Figures>;
  readonly categories: Map<string, Figures>;
  /** By `kind|id|sentOn|after`. */
  readonly cells: Map<string, Cell>;
}

export const emptyTally = (): DayTally => ({ receipts: 0, revenue: 0, returns: { count: 0, returned: 0, unpriced: 0 }, skus: new Map(), categories: new Map(), cells: new Map() });

/** Adds receipts (each once: the caller dedupes) and returns of the day to the SKU and category figures. */
export function tallySales(t: DayTally, receipts: readonly ReplayReceipt[], returns: readonly ReplayReturn[]): void {
  const add = (m: Map<string, Figures>, key: string, amount: number, quantityMilli: number, seen: Set<string> | null) => {
    const f = m.get(key) ?? { revenue: 0, quantityMilli: 0, receipts: 0, returned: 0 };
    f.revenue += amount;
    f.quantityMilli += quantityMilli;
    if (!seen) f.returned -= amount;
    if (seen && !seen.has(key)) f.receipts += 1;
    seen?.add(key);
    m.set(key, f);
  };
  for (const r of receipts) {
    t.receipts += 1;
    const [s, c] = [new Set<string>(), new Set<string>()];
    for (const l of r.lines) {
      t.revenue += l.amount;
      add(t.skus, l.sku, l.amount, l.quantityMilli, s);
      add(t.categories, l.category, l.amount, l.quantityMilli, c);
    }
  }
  for (const r of returns) {
    if (!priced(r)) {
      t.returns.unpriced += 1;
      continue;
    }
    t.returns.count += 1;
    for (const l of r.lines) {
      t.revenue -= l.amountBack!;
      t.returns.returned += l.amountBack!;
      add(t.skus, l.sku!, -l.amountBack!, -l.quantityMilli, null);
      add(t.categories, l.category!, -l.amountBack!, -l.quantityMilli, null);
    }
  }
}

/** The day's sales item: the top SKUs and categories of a tally (by count and bytes), the rest added up. */
export function salesOf(t: DayTally, topSkus = MAX_DAY_SKUS, maxCategories = MAX_CATEGORIES): DaySales {
  const sku = [...t.skus].map(([k, f]) => ({ sku: k, ...f })).sort(byRevenue((x) => x.sku));
  const cat = [...t.categories].map(([k, f]) => ({ category: k, ...f })).sort(byRevenue((x) => x.category));
  const rest = <T extends Figures>(xs: T[], n: number) => ({ revenue: xs.slice(n).reduce((s, x) => s + x.revenue, 0), count: Math.max(0, xs.length - n) });
  const [ns, nc] = [keep(sku, topSkus, MAX_DAY_SKU_BYTES), keep(cat, maxCategories, MAX_DAY_CATEGORY_BYTES)];
  return {
    receipts: t.receipts,
    revenue: t.revenue,
    returns: { ...t.returns },
    skus: sku.slice(0, ns),
    categories: cat.slice(0, nc),
    otherSkus: { ...rest(sku, ns), largest: Math.max(0, sku[ns]?.revenue ?? 0) },
    otherCategories: rest(cat, nc),
  };
}

/**
 * Revenue by SKU and by category of a day's receipts, less what the day's returns gave back
 * (each receipt and return once: the caller dedupes).
 */
export function daySales(receipts: readonly ReplayReceipt[], returns: readonly ReplayReturn[] = [], topSkus = MAX_DAY_SKUS, maxCategories = MAX_CATEGORIES): DaySales {
  const t = emptyTally();
  tallySales(t, receipts, returns);
  return salesOf(t, topSkus, maxCategories);
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
 *
 * A return of the day takes what it gave back off every send its receipt was counted towards
 * (the same sends, by the receipt's `occurredAt`), in the cell the receipt went to: so a report
 * that reads the day of the return sees the send's revenue net of it. It takes no receipt and no
 * use away (the visit, and the code's use, happened). Returns from before they kept their
 * receipt's time cannot be placed and change nothing here.
 */
export function tallyTouches(t: DayTally, receipts: readonly ReplayReceipt[], returns: readonly ReplayReturn[], sendsOf: (customerId: string) => readonly Touch[], timeZone: string): void {
  const count = (customerId: string, occurredAt: Date, add: (c: Cell, s: Touch) => void) => {
    const at = occurredAt.getTime();
    for (const s of sendsOf(customerId)) {
      const after = Math.floor((at - Date.parse(s.at)) / DAY_MS);
      if (after < 0 || after >= MAX_ATTRIBUTION_DAYS) continue;
      const sentOn = dayOf(s.at, timeZone);
      const key = `${s.kind}|${s.id}|${sentOn}|${after}`;
      const c = t.cells.get(key) ?? { kind: s.kind, id: s.id, sentOn, after, receipts: 0, revenue: 0, used: 0 };
      add(c, s);
      t.cells.set(key, c);
    }
  };
  for (const r of receipts) {
    count(r.customerId, r.occurredAt, (c, s) => {
      c.receipts += 1;
      c.revenue += revenueOf(r);
      if (s.code && r.coupons.includes(s.code)) c.used += 1;
    });
  }
  for (const r of returns) {
    if (!r.receiptOccurredAt || !priced(r)) continue;
    const back = r.lines.reduce((n, l) => n + l.amountBack!, 0);
    if (back !== 0) count(r.customerId, r.receiptOccurredAt, (c) => (c.revenue -= back));
  }
}

/** The day's touches item: the largest cells of a tally, the rest counted as dropped. */
export function touchesOf(t: DayTally, maxCells = MAX_TOUCH_CELLS): DayTouches {
  const all = [...t.cells.values()].map((c) => ({ ...c })).sort(byRevenue((c) => `${c.kind}|${c.id}|${c.sentOn}|${String(c.after).padStart(2, '0')}`));
  const dropped = all.slice(maxCells);
  return { cells: all.slice(0, maxCells), dropped: { cells: dropped.length, revenue: dropped.reduce((s, c) => s + c.revenue, 0) } };
}

/** The results of sends for one day's receipts and returns (see tallyTouches). */
export function dayTouches(
  receipts: readonly ReplayReceipt[],
  sendsOf: (customerId: string) => readonly Touch[],
  timeZone: string,
  maxCells = MAX_TOUCH_CELLS,
  returns: readonly ReplayReturn[] = [],
): DayTouches {
  const t = emptyTally();
  tallyTouches(t, receipts, returns, sendsOf, timeZone);
  return touchesOf(t, maxCells);
}

/** The UTC day after `day`. */
export const nextDay = (day: string): string => new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
/** `n` UTC days before (negative: after) `day`. */
export const daysBefore = (day: string, n: number): string => new Date(Date.parse(`${day}T00:00:00Z`) - n * DAY_MS).toISOString().slice(0, 10);
