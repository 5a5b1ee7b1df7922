/**
 * The bounded purchase summary a customer's item carries for segments ("bought category X in the
 * last 3 months", "bought at store S this year"): the latest month (program time) each category,
 * SKU and store appeared on the customer's receipts. Kept by the receipt commit in the item it
 * writes anyway, only if the program asks for it (`purchaseSummary`), and only as many of each as
 * it says: the most recently bought are kept, the oldest dropped, so the item cannot grow with a
 * customer's history. A program without the section keeps nothing (and pays nothing for it).
 */
import type * as z from 'zod';
import type { purchaseSummarySchema } from './schemas/purchases.ts';
import type { MonthKey } from './time.ts';

/** The most entries of each kind a program may ask to keep (each is up to ~75 bytes on the item). */
export const MAX_SUMMARY = { categories: 50, skus: 50, stores: 20, attributes: 50 } as const;

export type PurchaseSummarySettings = z.output<typeof purchaseSummarySchema>;

export type SummaryKind = keyof PurchaseSummarySettings;

/** Per kind: key → the latest month it was bought in. */
export type PurchaseSummary = Readonly<Record<SummaryKind, Readonly<Record<string, MonthKey>>>>;

export const emptySummary = (): PurchaseSummary => ({ categories: {}, skus: {}, stores: {}, attributes: {} });

/** A line attribute as a summary key: `name=value` (names never hold `=`). */
export const attributeKey = (name: string, value: string): string => `${name}=${value}`;

/** The newest `max` entries (latest month first; equal months in key order, so the result is stable). */
function newest(entries: Record<string, MonthKey>, max: number): Record<string, MonthKey> {
  const keys = Object.keys(entries);
  if (keys.length <= max) return entries;
  keys.sort((a, b) => (entries[a]! === entries[b]! ? (a < b ? -1 : 1) : entries[a]! > entries[b]! ? -1 : 1));
  return Object.fromEntries(keys.slice(0, max).map((k) => [k, entries[k]!]));
}

/**
 * The summary after a receipt of `month`: each category, SKU and store on it marked as bought that
 * month (a receipt posted late never moves a mark back), then cut to the program's bounds. Without
 * settings the summary is dropped.
 */
export function notePurchases(
  summary: PurchaseSummary | undefined,
  settings: PurchaseSummarySettings | undefined,
  month: MonthKey,
  bought: { readonly categories: readonly string[]; readonly skus: readonly string[]; readonly storeId?: string | undefined; readonly attributes?: readonly string[] | undefined },
): PurchaseSummary | undefined {
  if (!settings) return undefined;
  const before = summary ?? emptySummary();
  const mark = (kind: SummaryKind, keys: readonly string[]) => {
    if (settings[kind] === 0) return {};
    const out: Record<string, MonthKey> = { ...before[kind] };
    for (const k of keys) if (!out[k] || out[k]! < month) out[k] = month;
    return newest(out, settings[kind]);
  };
  return {
    categories: mark('categories', bought.categories),
    skus: mark('skus', bought.skus),
    stores: mark('stores', bought.storeId ? [bought.storeId] : []),
    attributes: mark('attributes', bought.attributes ?? []),
  };
}

/** Whether any of `keys` of `kind` was bought in `from` (a month) or later. */
export function boughtSince(summary: PurchaseSummary | undefined, kind: SummaryKind, keys: readonly string[], from: MonthKey): boolean {
  const marks = summary?.[kind];
  return marks ? keys.some((k) => (marks[k] ?? '') >= from) : false;
}
