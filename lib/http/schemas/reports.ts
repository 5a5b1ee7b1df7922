/** Report periods (group `reports`). */
import * as z from 'zod';
import { MAX_ATTRIBUTION_DAYS, MAX_TOP_SKUS } from '#domain/day-insight.ts';

const isoDay = z.iso.date('must be YYYY-MM-DD');
const isoMonth = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be YYYY-MM');
/** A report over a period of days (at most reports.maxDays, checked by the use case). */
export const salesReportQuery = z.strictObject({ from: isoDay, to: isoDay, by: z.enum(['total', 'store', 'tier']).default('total') });
export const pointsReportQuery = z.strictObject({ from: isoDay, to: isoDay, by: z.enum(['total', 'store']).default('total') });
export const membersReportQuery = z.strictObject({ from: isoMonth, to: isoMonth });
export const liabilityReportQuery = z.strictObject({ asOf: isoDay.optional(), by: z.enum(['expiry', 'tier', 'store']).default('expiry') });
export const liabilityExportQuery = z.strictObject({ month: isoMonth });
export const breakageReportQuery = membersReportQuery;
export const couponsReportQuery = z.strictObject({ from: isoDay, to: isoDay });
/** Top SKUs and categories over UTC days the nightly insight job has summed. */
export const productsReportQuery = z.strictObject({ from: isoDay, to: isoDay, limit: z.coerce.number().int().min(1).max(MAX_TOP_SKUS).default(20) });
/** Coupon and journey results: sends on from..to, receipts within `days` days of each. */
export const campaignsReportQuery = z.strictObject({ from: isoDay, to: isoDay, days: z.coerce.number().int().min(1).max(MAX_ATTRIBUTION_DAYS).default(30) });
