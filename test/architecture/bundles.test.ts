/**
 * What each route function's bundle holds (README, "Cold start"): a function builds its own
 * routes' request schemas only (lib/http/schemas/<group>.ts beside the shared lib/http/schemas.ts),
 * and modules its routes never call stay out of it. Checked on esbuild's metafile, not by timing:
 * every module in a bundle is evaluated at import, so what is not bundled costs no cold start.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { authorizerEntry, esbuildOptions, functionEntry } from '../../infra/bundling.ts';
import { routeGroups, type RouteGroup } from '#lib/http/routes.ts';

const root = join(import.meta.dirname, '..', '..');
const groups = Object.keys(routeGroups) as RouteGroup[];

/** Source modules (project-relative, as esbuild names them) of each group's bundle, and the authorizer's. */
let inputs: Record<RouteGroup | 'authorizer', string[]>;

beforeAll(async () => {
  // One build for all groups: esbuild parses each shared module once.
  const r = await build({
    ...esbuildOptions({ ...Object.fromEntries(groups.map((g) => [g, functionEntry(g)])), authorizer: authorizerEntry }),
    absWorkingDir: root,
    outdir: 'out',
    write: false,
    metafile: true,
    minify: false,
    sourcemap: false,
    logLevel: 'silent',
  });
  const byEntry = new Map(Object.values(r.metafile.outputs).filter((o) => o.entryPoint).map((o) => [o.entryPoint!, o] as const));
  inputs = Object.fromEntries(
    [...groups, 'authorizer'].map((g) => {
      const out = byEntry.get(`functions/http/${g}.ts`) as Metafile['outputs'][string];
      return [g, Object.keys(out.inputs)];
    }),
  ) as Record<RouteGroup | 'authorizer', string[]>;
}, 120_000);

describe('Route function bundles', () => {
  it('should have one schema module per route group, each named after its group', () => {
    const modules = readdirSync(join(root, 'lib/http/schemas')).filter((f) => f.endsWith('.ts') && f !== 'all.ts').map((f) => f.replace(/\.ts$/, ''));
    expect(modules.filter((m) => !groups.includes(m as RouteGroup))).toEqual([]);
  });

  it("should bundle only the function's own group's request schemas, never another group's or the OpenAPI gathering", () => {
    for (const g of groups) {
      const foreign = inputs[g].filter((i) => i.startsWith('lib/http/schemas/') && i !== `lib/http/schemas/${g}.ts`);
      expect(foreign, g).toEqual([]);
      expect(inputs[g].filter((i) => i === 'lib/http/openapi.ts' || i === 'lib/http/responses.ts'), g).toEqual([]);
    }
  });

  it("should keep the till's function free of what only staff routes use: the event catalog, journeys, members, imports, tenant settings", () => {
    const unused = ['lib/events/catalog.ts', 'lib/domain/journeys.ts', 'lib/domain/members.ts', 'lib/domain/imports.ts', 'lib/domain/tenant.ts'];
    expect(inputs.pos.filter((i) => unused.includes(i))).toEqual([]);
  });

  it("should keep the authorizer to the key repository: no zod, no domain, no use cases, no middy (it runs before most of the till's requests)", () => {
    const heavy = inputs.authorizer.filter((i) => i.includes('node_modules/zod/') || i.includes('@middy/') || i.startsWith('lib/domain/') || i.startsWith('lib/app/'));
    expect(heavy).toEqual([]);
  });

  it('should keep the program schema (and every repository) out of functions whose routes never read the program', () => {
    for (const g of ['keys', 'catalog', 'webhooks'] as const) {
      expect(inputs[g].filter((i) => i === 'lib/domain/program.ts' || i === 'lib/app/deps.ts'), g).toEqual([]);
    }
  });
});
