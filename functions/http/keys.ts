/** Staff: API keys for tills and staff — create (shown once), list, rotate with overlap, revoke. */
import { createKey, listKeys, revokeKey, rotateKey, type KeyDeps } from '#lib/app/keys.ts';
import { db } from '#lib/storage/client.ts';
import { sharedApiKeyRepository } from '#lib/storage/api-keys.ts';
import { auditRepository } from '#lib/storage/audit.ts';
import { storeRepository } from '#lib/storage/stores.ts';
import { httpFunction, ok } from '#lib/http/function.ts';
import { jsonBody, pathParam, validate } from '#lib/http/request.ts';
import { pageQuery } from '#lib/http/schemas.ts';
import { createKeyBody, rotateKeyBody } from '#lib/http/schemas/keys.ts';

// Only the repositories the key routes use: deps() would bundle (and build at a cold start) every
// repository and, through them, the program's schemas, which no key route reads.
let shared: KeyDeps | undefined;
const deps = (): KeyDeps => (shared ??= { apiKeys: sharedApiKeyRepository(db()), stores: storeRepository(db()), audit: auditRepository(db()), clock: () => new Date() });

export const handler = httpFunction('keys', {
  'POST /v1/keys': async (event, p) => ok(await createKey(deps(), p, validate(createKeyBody, jsonBody(event))), 201),
  'GET /v1/keys': async (event, p) => ok(await listKeys(deps(), p, validate(pageQuery, event.queryStringParameters ?? {}))),
  'POST /v1/keys/{keyId}/rotate': async (event, p) =>
    ok(await rotateKey(deps(), p, pathParam(event, 'keyId'), validate(rotateKeyBody, event.body ? jsonBody(event) : {}).overlapSeconds), 201),
  'DELETE /v1/keys/{keyId}': async (event, p) => ok(await revokeKey(deps(), p, pathParam(event, 'keyId'))),
});
