/** Reports for staff: sales, points and members, read from the report counters (lib/app/reports.ts). */
import { deps } from '#lib/app/deps.ts';
import { membersReport, pointsReport, salesReport } from '#lib/app/reports.ts';
import { httpFunction, ok } from '#lib/http/function.ts';
import { validate } from '#lib/http/request.ts';
import { membersReportQuery, pointsReportQuery, salesReportQuery } from '#lib/http/schemas.ts';

export const handler = httpFunction('reports', {
  'GET /v1/reports/sales': async (event, p) => ok(await salesReport(deps(), p, validate(salesReportQuery, event.queryStringParameters ?? {}))),
  'GET /v1/reports/points': async (event, p) => ok(await pointsReport(deps(), p, validate(pointsReportQuery, event.queryStringParameters ?? {}))),
  'GET /v1/reports/members': async (event, p) => ok(await membersReport(deps(), p, validate(membersReportQuery, event.queryStringParameters ?? {}))),
});
