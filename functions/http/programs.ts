/** Staff: the program document — read, validate (dry run), publish, versions, JSON Schema — and the audit trail. */
import { deps } from '#lib/app/deps.ts';
import { auditMonth, currentProgram, programVersion, programVersions, publishProgram, validateProgram } from '#lib/app/programs.ts';
import { loadProgramJsonSchema } from '#domain/program-parser.ts';
import { httpFunction, ok } from '#lib/http/function.ts';
import { jsonBody, pathParam, validate } from '#lib/http/request.ts';
import { listBudgets } from '#lib/app/budgets.ts';
import { auditQuery, publishProgramBody, validateProgramBody } from '#lib/http/schemas/programs.ts';

export const handler = httpFunction('programs', {
  'GET /v1/program': async (_event, p) => ok(await currentProgram(deps(), p)),
  'POST /v1/program': async (event, p) => ok(await publishProgram(deps(), p, validate(publishProgramBody, jsonBody(event))), 201),
  'POST /v1/program/validate': async (event, p) => ok(await validateProgram(p, validate(validateProgramBody, jsonBody(event)).document)),
  'GET /v1/program/versions': async (_event, p) => ok(await programVersions(deps(), p)),
  'GET /v1/program/versions/{version}': async (event, p) => ok(await programVersion(deps(), p, pathParam(event, 'version'))),
  // Loaded on its route only: it builds the whole program schema (README, "Cold start").
  'GET /v1/program/schema': async () => ok((await loadProgramJsonSchema()).programJsonSchema()),
  'GET /v1/audit': async (event, p) => ok(await auditMonth(deps(), p, validate(auditQuery, event.queryStringParameters ?? {}))),
  'GET /v1/budgets': async (_event, p) => ok(await listBudgets(deps(), p)),
});
