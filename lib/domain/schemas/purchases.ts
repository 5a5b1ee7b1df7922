/** `purchaseSummary` in the program document (purchases.ts keeps the summary). */
import * as z from 'zod';
import { MAX_SUMMARY } from '../purchases.ts';

export const purchaseSummarySchema = z.strictObject({
  categories: z.int().min(0).max(MAX_SUMMARY.categories).default(20),
  skus: z.int().min(0).max(MAX_SUMMARY.skus).default(0),
  stores: z.int().min(0).max(MAX_SUMMARY.stores).default(5),
  /** Line attributes (`brand=acme`), where tills send them. */
  attributes: z.int().min(0).max(MAX_SUMMARY.attributes).default(0),
});
