/** Staff: migration imports — an upload slot for a member file, and an import's progress and refused rows. */
import { deps } from '#lib/app/deps.ts';
import { importStatus, LINK_SECONDS, startImport } from '#lib/app/import-requests.ts';
import { httpFunction, ok } from '#lib/http/function.ts';
import { jsonBody, pathParam, validate } from '#lib/http/request.ts';
import { importQuery, startImportBody } from '#lib/http/schemas/imports.ts';
import { deploymentImportLinks } from '#lib/storage/deployment-import-links.ts';

export const handler = httpFunction('imports', {
  'POST /v1/imports': async (event, p) => ok(await startImport(deps(), p, validate(startImportBody, jsonBody(event)), deploymentImportLinks()), 201),
  'GET /v1/imports/{importId}': async (event, p) => {
    const bucket = deploymentImportLinks();
    const link = bucket ? (key: string) => bucket.downloadUrl(key, LINK_SECONDS) : undefined;
    return ok(await importStatus(deps(), p, pathParam(event, 'importId'), validate(importQuery, event.queryStringParameters ?? {}), link));
  },
});
