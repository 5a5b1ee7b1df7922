/**
 * A program document is stored as one item (twice: the current one and its version), so one the
 * schema accepts can still be too large for DynamoDB's 400 KB. `validate` must refuse what
 * `publish` cannot store, naming the limit, and publish must refuse it as a 4xx writing nothing.
 */
import { describe, expect, it } from 'vitest';
import { programJsonSchema } from '#domain/program-schema.ts';
import { newTenant, scenarioProgram } from './harness.ts';

const withExcludedSkus = (n: number, length = 64) => ({
  ...scenarioProgram,
  name: `Excludes ${n}`,
  exclusions: { categories: [], skus: Array.from({ length: n }, (_, i) => String(i).padStart(length, 'S')) },
});

describe('program documents too large to store', () => {
  it('should refuse in validate, naming the 400 KB limit, a document with 10,000 excluded SKUs that the schema allows', async () => {
    const t = await newTenant();
    const v = await t.staff('POST', '/v1/program/validate', { document: withExcludedSkus(10_000) });
    expect(v.status).toBe(200);
    expect(v.body.valid).toBe(false);
    expect(v.body.issues).toEqual([expect.objectContaining({ path: '', message: expect.stringMatching(/400 KB/) })]);
  });

  it('should refuse to publish it with a 4xx naming the limit, and publish nothing', async () => {
    const t = await newTenant();
    const before = (await t.items()).length;
    const p = await t.staff('POST', '/v1/program', { document: withExcludedSkus(10_000) });
    expect(p.status).toBe(422);
    expect(p.body.error).toMatchObject({ code: 'limit_exceeded', field: 'document' });
    expect(p.body.error.message).toMatch(/400 KB/);
    expect((await t.items()).length).toBe(before);
    expect((await t.staff('GET', '/v1/program')).body.version).toBe(1);
  });

  it('should accept and publish a document just under the limit', async () => {
    const t = await newTenant();
    // 5,500 SKUs of 64 characters: about 380 KB stored.
    const doc = withExcludedSkus(5_500);
    const v = await t.staff('POST', '/v1/program/validate', { document: doc });
    expect(v.body).toEqual({ valid: true, issues: [] });
    const p = await t.staff('POST', '/v1/program', { document: doc });
    expect(p.status).toBe(201);
  });

  it('should tell editors the most items of every list and the longest text, in the JSON Schema', () => {
    const unbounded: string[] = [];
    const walk = (n: unknown, path: string): void => {
      if (!n || typeof n !== 'object') return;
      if (Array.isArray(n)) return n.forEach((x, i) => walk(x, `${path}[${i}]`));
      const node = n as Record<string, unknown>;
      if (node.type === 'array' && node.maxItems === undefined) unbounded.push(`${path}: array without maxItems`);
      if (node.type === 'string' && node.maxLength === undefined && !node.enum && node.const === undefined && !node.pattern) unbounded.push(`${path}: string without maxLength`);
      if (node.type === 'object' && typeof node.additionalProperties === 'object' && node.maxProperties === undefined && !(node.propertyNames as { enum?: unknown } | undefined)?.enum) {
        unbounded.push(`${path}: map without maxProperties`);
      }
      for (const [k, v] of Object.entries(node)) walk(v, `${path}.${k}`);
    };
    walk(programJsonSchema(), '');
    expect(unbounded).toEqual([]);
  });
});
