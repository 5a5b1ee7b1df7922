/**
 * What each route function's bundle holds (README, "Cold start"): a function builds its own
 * routes' request schemas only (lib/http/schemas/<group>.ts beside the shared lib/http/schemas.ts),
 * and modules its routes never call stay out of it. Checked on esbuild's metafile, not by timing:
 * every module in a bundle is evaluated at import, so what is not bundled costs no cold start.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allFunctionEntries, esbuildOptions, functionEntry, writeLazyFiles } from '../../infra/bundling.ts';
import { scenario5Program } from '../domain/fixtures-scenarios.ts';
import { routeGroups, type RouteGroup } from '#lib/http/routes.ts';

const root = join(import.meta.dirname, '..', '..');
const groups = Object.keys(routeGroups) as RouteGroup[];

/** Source modules (project-relative, as esbuild names them) of each group's bundle, and the authorizer's. */
let inputs: Record<RouteGroup | 'authorizer', string[]>;
/** The same for every function by name (routes, workers, jobs, streams). */
let bundled: Record<string, string[]>;
/**
 * Of every function (routes, workers, jobs, streams), the modules its entry reaches through static
 * imports alone: those whose top level runs at import. A module reached only through `import()`
 * is bundled too, but esbuild wraps it to run when first awaited.
 */
let evaluatedAtImport: Record<string, Set<string>>;
/** Where a function gets the program schema from, if at all (any module of it counts). */
const programSchemaModules = (m: string) => m === 'lib/domain/program.ts' || m === 'lib/domain/program-schema.ts' || m.startsWith('lib/domain/schemas/');

beforeAll(async () => {
  // One build for every function: esbuild parses each shared module once.
  const entries = allFunctionEntries(groups);
  const r = await build({ ...esbuildOptions(entries), absWorkingDir: root, outdir: 'out', write: false, metafile: true, minify: false, sourcemap: false, logLevel: 'silent' });
  const byEntry = new Map(Object.values(r.metafile.outputs).filter((o) => o.entryPoint).map((o) => [o.entryPoint!, o] as const));
  inputs = Object.fromEntries(
    [...groups, 'authorizer'].map((g) => {
      const out = byEntry.get(`functions/http/${g}.ts`) as Metafile['outputs'][string];
      return [g, Object.keys(out.inputs)];
    }),
  ) as Record<RouteGroup | 'authorizer', string[]>;
  bundled = Object.fromEntries(
    Object.entries(entries).map(([name, entry]) => [name, Object.keys([...byEntry.entries()].find(([e]) => entry.endsWith(e))![1].inputs)]),
  );
  const graph = r.metafile.inputs;
  evaluatedAtImport = Object.fromEntries(
    Object.entries(entries).map(([name, entry]) => {
      const seen = new Set<string>();
      const todo = [Object.keys(graph).find((k) => entry.endsWith(k))!];
      while (todo.length > 0) {
        const m = todo.pop()!;
        if (seen.has(m)) continue;
        seen.add(m);
        for (const i of graph[m]?.imports ?? []) if (i.kind === 'import-statement' && !i.external) todo.push(i.path);
      }
      return [name, seen];
    }),
  );
}, 180_000);

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

  it('should build the program schema in no function at import: the till reads the form stored at publish, and the routes that parse a document load the parser then', () => {
    expect(Object.keys(evaluatedAtImport).length).toBeGreaterThan(groups.length);
    for (const [name, modules] of Object.entries(evaluatedAtImport)) {
      // The authorizer and the export's catalog function build no deps(): each reaches its own storage module.
      const own = { authorizer: 'lib/storage/api-keys.ts', 'export-catalog': 'lib/storage/table-export.ts' }[name] ?? 'lib/config.ts';
      expect(modules.has(own), `${name} reaches its modules`).toBe(true);
      expect([...modules].filter(programSchemaModules), name).toEqual([]);
    }
    expect(evaluatedAtImport.pos!.has('lib/domain/pricing.ts')).toBe(true);
    // Nor bundles it: the parser and the JSON Schema are files of their own beside the bundles that
    // load them (the lazy files below).
    expect(Object.keys(bundled)).toEqual(Object.keys(evaluatedAtImport));
    for (const [name, modules] of Object.entries(bundled)) expect(modules.filter(programSchemaModules), name).toEqual([]);
  });

  it("should run no classic zod at import, nor bundle it, in any route function: their schemas use zod's mini build, classic comes with the program parser's file when awaited", () => {
    const classic = (m: string) => /node_modules\/zod\/(index\.js|v4\/index\.js|v4\/classic\/)/.test(m);
    for (const g of ['pos', 'me', 'programs', 'coupons', 'reports', 'links', 'imports', 'tenant', 'simulations', 'segments'] as const) expect([...evaluatedAtImport[g]!].filter(classic), g).toEqual([]);
    expect([...evaluatedAtImport.pos!].some((m) => m.includes('node_modules/zod/v4/mini/'))).toBe(true);
    // Nor bundle it: the program parser that brings it is a file of its own. No function, route,
    // worker, job or stream, bundles classic zod at all.
    for (const [name, modules] of Object.entries(bundled)) expect(modules.filter(classic), name).toEqual([]);
  });

  it("should keep the imports route function to the routes' use cases: the worker's file readers, member rules and S3 client are not run at import", () => {
    const workerOnly = [...evaluatedAtImport.imports!].filter(
      (m) => ['lib/app/imports.ts', 'lib/app/import-source.ts', 'lib/domain/imports.ts', 'lib/domain/members.ts'].includes(m) || m.includes('node_modules/csv-parse/') || m.includes('node_modules/@aws-sdk/client-s3/'),
    );
    expect(workerOnly).toEqual([]);
    expect(evaluatedAtImport.imports!.has('lib/app/import-requests.ts')).toBe(true);
    // The worker has them all.
    const worker = [...evaluatedAtImport['import-worker']!];
    expect(worker).toContain('lib/app/import-source.ts');
    expect(worker.some((m) => m.includes('node_modules/@aws-sdk/client-s3/'))).toBe(true);
  });
});

describe('What the route functions run at import (issue #14: cold start)', () => {
  it("should load libphonenumber-js's metadata in no route function at import: the parser is awaited when a request carries a phone", () => {
    for (const g of groups) expect([...evaluatedAtImport[g]!].filter((m) => m.includes('node_modules/libphonenumber-js/') || m === 'lib/domain/phone-parser.ts'), g).toEqual([]);
    // Nor bundled: the parser is a file of its own beside the bundles that load it (the lazy files
    // below). The import worker parses every row's phone and loads it eagerly.
    for (const g of groups) expect(inputs[g].filter((m) => m.includes('node_modules/libphonenumber-js/') || m === 'lib/domain/phone-parser.ts'), g).toEqual([]);
    expect(evaluatedAtImport['import-worker']!.has('lib/domain/phone-parser.ts')).toBe(true);
  });

  it("should fill the till's lines from the catalog without the catalog's product schemas: pos bundles the pure fill alone", () => {
    expect(inputs.pos).toContain('lib/domain/catalog-fill.ts');
    expect(inputs.pos).not.toContain('lib/domain/catalog.ts');
  });

  it("should build the customers function's request schemas and member rules (zod's mini build) on the first request that validates, not at import", () => {
    const atImport = [...evaluatedAtImport.customers!].filter((m) => m === 'lib/http/schemas/customers.ts' || m === 'lib/domain/members.ts');
    expect(atImport).toEqual([]);
    expect(inputs.customers).toContain('lib/http/schemas/customers.ts');
  });

  it("should build only the import routes' repositories in the imports function, not deps()", () => {
    expect(inputs.imports.filter((m) => m === 'lib/app/deps.ts' || m === 'lib/storage/insight.ts' || m === 'lib/storage/webhooks.ts')).toEqual([]);
  });
});

describe('Staff route functions build only what their routes use', () => {
  const staffGroups = ['journeys', 'webhooks', 'segments', 'simulations', 'coupons', 'reports'] as const;

  it("should bundle no deps() in the journeys, webhooks, segments, simulations, coupons or reports function: each builds only its routes' repositories", () => {
    for (const g of staffGroups) expect(inputs[g].filter((i) => i === 'lib/app/deps.ts'), g).toEqual([]);
    // A repository none of these routes reads stays out of all of them.
    for (const g of staffGroups) expect(inputs[g].filter((i) => i === 'lib/storage/imports.ts' || i === 'lib/storage/receipts.ts'), g).toEqual([]);
  });

  it('should run no classic zod at import in the journeys or webhooks function: journey definitions, webhook bodies and the event catalog use the mini build', () => {
    const classic = (m: string) => /node_modules\/zod\/(index\.js|v4\/index\.js|v4\/classic\/)/.test(m);
    for (const g of ['journeys', 'webhooks'] as const) expect([...evaluatedAtImport[g]!].filter(classic), g).toEqual([]);
    expect(evaluatedAtImport.webhooks!.has('lib/events/catalog.ts')).toBe(true);
  });
});

describe('The customers function builds only what its routes use', () => {
  it("should bundle no deps() in the customers function: it builds only the customer routes' repositories (CustomerDeps)", () => {
    expect(inputs.customers.filter((i) => i === 'lib/app/deps.ts')).toEqual([]);
    // Repositories no customer route reads stay out of it.
    expect(inputs.customers.filter((i) => i === 'lib/storage/insight.ts' || i === 'lib/storage/day-insight.ts' || i === 'lib/storage/webhooks.ts' || i === 'lib/storage/journeys.ts')).toEqual([]);
    expect(inputs.customers).toContain('lib/storage/customers.ts');
  });
});

describe('What the shared account chain runs at import (issue #14: cold start)', () => {
  it("should build no line-attribute schema at import in the functions that load accounts but take no till line: the rules match attributes with the pure attribute-match.ts", () => {
    for (const g of ['tenant', 'journeys', 'me', 'customers', 'coupons'] as const) {
      expect(evaluatedAtImport[g]!.has('lib/domain/rules.ts'), g).toBe(true);
      expect(evaluatedAtImport[g]!.has('lib/domain/attributes.ts'), g).toBe(false);
    }
    // The till validates a line's attributes, so it builds them; the rules' matching is the same module everywhere.
    expect(evaluatedAtImport.pos!.has('lib/domain/attributes.ts')).toBe(true);
    expect(evaluatedAtImport.pos!.has('lib/domain/attribute-match.ts')).toBe(true);
  });
});

describe("The till's and the customer's app functions build only what their routes read", () => {
  it("should bundle no deps() in the pos or me function, nor a repository none of their routes reads", () => {
    const unread = ['lib/app/deps.ts', 'lib/storage/insight.ts', 'lib/storage/day-insight.ts', 'lib/storage/webhooks.ts', 'lib/storage/journeys.ts', 'lib/storage/segments.ts', 'lib/storage/imports.ts', 'lib/storage/jobs.ts'];
    for (const g of ['pos', 'me'] as const) expect(inputs[g].filter((i) => unread.includes(i)), g).toEqual([]);
    // The app's routes read no receipt and draw on no budget.
    expect(inputs.me.filter((i) => i === 'lib/storage/receipts.ts' || i === 'lib/storage/budgets.ts')).toEqual([]);
    expect(inputs.pos).toContain('lib/storage/receipts.ts');
  });
});

describe('Lazy files: modules a function loads on first use, built beside its bundle (infra/bundling.ts)', () => {
  let dir: string;
  /** Each lazy file's esbuild metafile, asked of the same command the CDK runs. */
  const metafiles = new Map<string, Metafile>();
  /** Per function, the lazy files built beside its bundle. */
  const built: Record<string, string[]> = {};

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tally-lazy-'));
    // Three handlers as deployed, and the two loaders alone, each in a directory of its own with its lazy files.
    const entries = {
      pos: functionEntry('pos'),
      keys: functionEntry('keys'),
      simulations: functionEntry('simulations'),
      programs: functionEntry('programs'),
      imports: functionEntry('imports'),
      'program-loader': join(root, 'lib/domain/program-parser.ts'),
      'phone-loader': join(root, 'lib/app/phones.ts'),
    };
    for (const [name, entry] of Object.entries(entries)) {
      const out = join(dir, name);
      mkdirSync(out);
      await build({ ...esbuildOptions(entry), absWorkingDir: root, outfile: join(out, 'index.mjs'), write: true, sourcemap: false, logLevel: 'silent' });
      const files = writeLazyFiles(out, readFileSync(join(out, 'index.mjs'), 'utf8'), (f) => [`--metafile=${join(out, `${f.file}.meta.json`)}`]);
      built[name] = files.map((f) => f.file);
      for (const f of files) metafiles.set(f.file, JSON.parse(readFileSync(join(out, `${f.file}.meta.json`), 'utf8')) as Metafile);
    }
  }, 180_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('should build beside each bundle exactly the lazy files it names: the parsers where a route loads one, none where no route does', () => {
    expect(built.pos).toEqual(['program-parser.mjs', 'phone-parser.mjs']);
    expect(built.simulations).toEqual(['program-parser.mjs']);
    expect(built.programs).toEqual(['program-parser.mjs', 'program-schema.mjs']);
    expect(built.imports).toEqual(['program-parser.mjs', 'import-links.mjs']);
    expect(built.keys).toEqual([]);
    expect(readdirSync(join(dir, 'keys'))).toEqual(['index.mjs']);
  });

  it("should leave the module itself out of the bundle that loads it: the loader's branch that imports it from source is dropped", () => {
    const loader = readFileSync(join(dir, 'program-loader/index.mjs'), 'utf8');
    expect(loader).toContain('./program-parser.mjs');
    expect(loader.length).toBeLessThan(2_000);
    expect(readFileSync(join(dir, 'phone-loader/index.mjs'), 'utf8').length).toBeLessThan(2_000);
  });

  it('should load the program parser from its file through the bundled loader, and parse a scenario program with it', async () => {
    const { loadProgramParser } = (await import(pathToFileURL(join(dir, 'program-loader/index.mjs')).href)) as typeof import('#domain/program-parser.ts');
    const parsed = (await loadProgramParser()).parseProgram(scenario5Program);
    expect(parsed.ok).toBe(true);
    expect((await loadProgramParser()).parseProgram({ ...scenario5Program, currency: 'dram' }).ok).toBe(false);
  });

  it("should give the program's JSON Schema from its file, as the source module gives it", async () => {
    const fromFile = (await import(pathToFileURL(join(dir, 'programs/program-schema.mjs')).href)) as typeof import('#domain/program-schema.ts');
    const fromSource = await import('#domain/program-schema.ts');
    expect(fromFile.programJsonSchema()).toEqual(fromSource.programJsonSchema());
  });

  it('should load the phone parser from its file through the bundled loader and normalise a number to E.164', async () => {
    const { normalizePhone } = (await import(pathToFileURL(join(dir, 'phone-loader/index.mjs')).href)) as typeof import('#lib/app/phones.ts');
    expect(await normalizePhone('+1 (415) 555-2671')).toBe('+14155552671');
    expect(await normalizePhone('12')).toBeNull();
  });

  it("should sign an import link from the imports function's S3 file, and leave S3's client out of the function's bundle", async () => {
    expect(inputs.imports.filter((i) => i.includes('node_modules/@aws-sdk/client-s3/') || i.includes('s3-request-presigner'))).toEqual([]);
    const { signedImportLinks } = (await import(pathToFileURL(join(dir, 'imports/import-links.mjs')).href)) as typeof import('#lib/storage/import-links.ts');
    const url = new URL(await signedImportLinks('tally-imports').uploadUrl('imports/t_1/members.csv', 300));
    expect(url.pathname).toContain('imports/t_1/members.csv');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('300');
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
  });

  it("should carry no AWS SDK client in the parsers' files, and libphonenumber-js's metadata as a JSON string, not the object literal V8 scans at load", () => {
    expect([...metafiles.keys()].sort()).toEqual(['import-links.mjs', 'phone-parser.mjs', 'program-parser.mjs', 'program-schema.mjs']);
    for (const [file, meta] of metafiles) if (file !== 'import-links.mjs') expect(Object.keys(meta.inputs).filter((i) => i.includes('node_modules/@aws-sdk/')), file).toEqual([]);
    const phone = Object.keys(metafiles.get('phone-parser.mjs')!.inputs);
    expect(phone.filter((i) => i.includes('node_modules/libphonenumber-js/metadata.'))).toEqual([]);
    expect(phone).toContain('lib/domain/phone-metadata.ts');
  });
});
