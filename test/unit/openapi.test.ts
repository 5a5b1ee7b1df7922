import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildOpenApi } from '#lib/http/openapi.ts';
import { programJsonSchema } from '#domain/program-schema.ts';
import { routeGroups } from '#lib/http/routes.ts';

describe('openapi.json', () => {
  it('should be what `npm run openapi` generates from the routes and schemas (run it after changing them)', () => {
    const onDisk = readFileSync(new URL('../../openapi.json', import.meta.url), 'utf8');
    expect(onDisk).toBe(`${JSON.stringify(buildOpenApi(), null, 2)}\n`);
    const schema = readFileSync(new URL('../../program.schema.json', import.meta.url), 'utf8');
    expect(schema).toBe(`${JSON.stringify(programJsonSchema(), null, 2)}\n`);
  });

  it('should keep events/schemas/ what `npm run openapi` generates from the event catalog', async () => {
    const { readdirSync } = await import('node:fs');
    const { eventJsonSchemas } = await import('#lib/events/catalog.ts');
    const dir = new URL('../../events/schemas/', import.meta.url);
    const expected = eventJsonSchemas();
    expect(readdirSync(dir).sort()).toEqual(Object.keys(expected).sort());
    for (const [file, schema] of Object.entries(expected)) expect(readFileSync(new URL(file, dir), 'utf8')).toBe(`${JSON.stringify(schema, null, 2)}\n`);
  });

  it('should give every response a description, as OpenAPI requires', () => {
    const doc = buildOpenApi() as { paths: Record<string, Record<string, { responses: Record<string, { description?: unknown }> }>> };
    const missing = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).flatMap(([method, op]) => Object.entries(op.responses).filter(([, r]) => typeof r.description !== 'string').map(([status]) => `${method} ${path} ${status}`)),
    );
    expect(missing).toEqual([]);
  });

  it('should document every route with its roles', () => {
    const doc = buildOpenApi() as { paths: Record<string, Record<string, { 'x-tally-roles': string[] }>> };
    for (const r of Object.values(routeGroups).flat()) {
      expect(doc.paths[r.path]?.[r.method.toLowerCase()]?.['x-tally-roles']).toEqual(r.roles);
    }
  });
});

describe('Function: assertMatchesOpenApi', () => {
  it('should reject a body the document does not allow', async () => {
    const { assertMatchesOpenApi } = await import('../support/openapi.ts');
    expect(() => assertMatchesOpenApi('POST /v1/receipts', 200, { receiptId: 'R-1' })).toThrow(/does not match/);
    expect(() => assertMatchesOpenApi('POST /v1/receipts', 409, { error: { code: 'x', message: 'y', extra: 1 } })).toThrow(/does not match/);
    expect(() => assertMatchesOpenApi('POST /v1/receipts', 409, { error: { code: 'x', message: 'y', field: 'burn.points' } })).not.toThrow();
  });
});
