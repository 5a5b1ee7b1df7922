/**
 * The browser's API types (web/src/api/schema.d.ts) are generated from openapi.json by
 * `npm run openapi`; this fails when they are stale, so a changed route or body reaches the
 * console's typecheck instead of the browser.
 */
import { readFileSync } from 'node:fs';
import openapiTS, { astToString } from 'openapi-typescript';
import { describe, expect, it } from 'vitest';

describe('web API client types', () => {
  it('match openapi.json (run `npm run openapi` after changing routes or schemas)', async () => {
    const generated = astToString(await openapiTS(new URL('../../openapi.json', import.meta.url)));
    const file = readFileSync(new URL('../../web/src/api/schema.d.ts', import.meta.url), 'utf8');
    expect(file.endsWith(generated), 'web/src/api/schema.d.ts is stale: npm run openapi').toBe(true);
  });
});
