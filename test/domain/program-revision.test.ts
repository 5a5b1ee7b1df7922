/**
 * The stored normalized program is trusted only under the schema revision it was made with
 * (lib/domain/program-revision.ts); this pins that revision to the schema itself.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { programJsonSchema } from '#domain/program-schema.ts';
import { PROGRAM_SCHEMA_REVISION } from '#domain/program-revision.ts';

const domain = join(import.meta.dirname, '..', '..', 'lib', 'domain');

/**
 * The JSON Schema (shape, bounds, defaults) and the source of the modules that define the schema
 * (transforms and refinements do not show in the JSON Schema). A comment edit there changes it
 * too: a new revision costs only a parse per cache miss until the next publish.
 */
function schemaHash(): string {
  const h = createHash('sha256').update(JSON.stringify(programJsonSchema()));
  const files = ['program.ts', ...readdirSync(join(domain, 'schemas')).filter((f) => f.endsWith('.ts')).sort().map((f) => `schemas/${f}`)];
  for (const f of files) h.update(`\n${f}\n`).update(readFileSync(join(domain, f), 'utf8').replace(/\r\n/g, '\n'));
  return h.digest('hex').slice(0, 16);
}

describe('Program schema revision', () => {
  it('should name the hash of the schema it was set for (after changing the schema, set PROGRAM_SCHEMA_REVISION to the hash below)', () => {
    expect(PROGRAM_SCHEMA_REVISION).toBe(schemaHash());
  });
});
