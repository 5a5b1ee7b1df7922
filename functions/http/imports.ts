/** Staff: migration imports — an upload slot for a member file, and an import's progress and refused rows. */
import { importStatus, LINK_SECONDS, startImport, type ImportRequestDeps } from '#lib/app/import-requests.ts';
import { db } from '#lib/storage/client.ts';
import { auditRepository } from '#lib/storage/audit.ts';
import { importRepository } from '#lib/storage/imports.ts';
import { sharedProgramRepository } from '#lib/storage/programs.ts';
import { httpFunction, ok } from '#lib/http/function.ts';
import { jsonBody, pathParam, validate } from '#lib/http/request.ts';
import { importQuery, startImportBody } from '#lib/http/schemas/imports.ts';
import { deploymentImportLinks } from '#lib/storage/deployment-import-links.ts';

// Only the repositories the import routes use: deps() would build every repository at a cold start.
let shared: ImportRequestDeps | undefined;
const deps = (): ImportRequestDeps =>
  (shared ??= { db: db(), imports: importRepository(db()), audit: auditRepository(db()), programs: sharedProgramRepository(db()), clock: () => new Date() });

export const handler = httpFunction('imports', {
  'POST /v1/imports': async (event, p) => ok(await startImport(deps(), p, validate(startImportBody, jsonBody(event)), deploymentImportLinks()), 201),
  'GET /v1/imports/{importId}': async (event, p) => {
    const bucket = deploymentImportLinks();
    const link = bucket ? (key: string) => bucket.downloadUrl(key, LINK_SECONDS) : undefined;
    return ok(await importStatus(deps(), p, pathParam(event, 'importId'), validate(importQuery, event.queryStringParameters ?? {}), link));
  },
});
