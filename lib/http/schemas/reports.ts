/** Report periods (group `reports`). */
import * as z from '#domain/zod-mini.ts';
import { MAX_ATTRIBUTION_DAYS, MAX_TOP_SKUS } from '#domain/day-insight.ts';

const isoDay = z.iso.date('must be YYYY-MM-DD');
const isoMonth = z.string().check(z.regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be YYYY-MM'));
/** A report over a period of days (at most reports.maxDays, checked by the use case). */
export const salesReportQuery = z.strictObject({ from: isoDay, to: isoDay, by: z._default(z.enum(['total', 'store', 'tier']), 'total') });
export const pointsReportQuery = z.strictObject({ from: isoDay, to: isoDay, by: z._default(z.enum(['total', 'store']), 'total') });
export const membersReportQuery = z.strictObject({ from: isoMonth, to: isoMonth });
export const liabilityReportQuery = z.strictObject({ asOf: z.optional(isoDay), by: z._default(z.enum(['expiry', 'tier', 'store']), 'expiry') });
export const liabilityExportQuery = z.strictObject({ month: isoMonth });
export const breakageReportQuery = membersReportQuery;
export const couponsReportQuery = z.strictObject({ from: isoDay, to: isoDay });
/** Top SKUs and categories over UTC days the nightly insight job has summed. */
export const productsReportQuery = z.strictObject({ from: isoDay, to: isoDay, limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(MAX_TOP_SKUS)), 20) });
/** Coupon and journey results: sends on from..to, receipts within `days` days of each. */
export const campaignsReportQuery = z.strictObject({ from: isoDay, to: isoDay, days: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(MAX_ATTRIBUTION_DAYS)), 30) });
