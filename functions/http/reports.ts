/** Reports for staff: sales, points, members, points liability and breakage, read from the report counters (lib/app/reports.ts); products and campaigns, from the nightly day items (lib/app/day-insight.ts). */
import { breakageReport, couponsReport, liabilityExport, liabilityReport, membersReport, pointsReport, salesReport, type ReportDeps } from '#lib/app/reports.ts';
import { campaignsReport, productsReport } from '#lib/app/day-insight.ts';
import { db } from '#lib/storage/client.ts';
import { dayInsightRepository } from '#lib/storage/day-insight.ts';
import { insightRepository } from '#lib/storage/insight.ts';
import { sharedProgramRepository } from '#lib/storage/programs.ts';
import { httpFunction, ok } from '#lib/http/function.ts';
import { validate } from '#lib/http/request.ts';
import { breakageReportQuery, campaignsReportQuery, couponsReportQuery, liabilityExportQuery, liabilityReportQuery, membersReportQuery, pointsReportQuery, productsReportQuery, salesReportQuery } from '#lib/http/schemas/reports.ts';

// Only the repositories the report routes read: deps() would bundle, and build at a cold start, every repository.
let shared: ReportDeps | undefined;
const deps = (): ReportDeps =>
  (shared ??= { insight: insightRepository(db()), dayInsight: dayInsightRepository(db()), programs: sharedProgramRepository(db()), clock: () => new Date() });

export const handler = httpFunction('reports', {
  'GET /v1/reports/sales': async (event, p) => ok(await salesReport(deps(), p, validate(salesReportQuery, event.queryStringParameters ?? {}))),
  'GET /v1/reports/points': async (event, p) => ok(await pointsReport(deps(), p, validate(pointsReportQuery, event.queryStringParameters ?? {}))),
  'GET /v1/reports/members': async (event, p) => ok(await membersReport(deps(), p, validate(membersReportQuery, event.queryStringParameters ?? {}))),
  'GET /v1/reports/liability': async (event, p) => ok(await liabilityReport(deps(), p, validate(liabilityReportQuery, event.queryStringParameters ?? {}))),
  'GET /v1/reports/liability/export': async (event, p) => {
    const q = validate(liabilityExportQuery, event.queryStringParameters ?? {});
    const csv = await liabilityExport(deps(), p, q);
    return { status: 200, body: csv, headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="points-liability-${q.month}.csv"` } };
  },
  'GET /v1/reports/breakage': async (event, p) => ok(await breakageReport(deps(), p, validate(breakageReportQuery, event.queryStringParameters ?? {}))),
  'GET /v1/reports/coupons': async (event, p) => ok(await couponsReport(deps(), p, validate(couponsReportQuery, event.queryStringParameters ?? {}))),
  'GET /v1/reports/products': async (event, p) => ok(await productsReport(deps(), p, validate(productsReportQuery, event.queryStringParameters ?? {}))),
  'GET /v1/reports/campaigns': async (event, p) => ok(await campaignsReport(deps(), p, validate(campaignsReportQuery, event.queryStringParameters ?? {}))),
});
