/**
 * esbuild options for every Lambda, in one place: used by the CDK functions and by
 * `npm run bundle` (which reports bundle sizes), so what we measure is what we deploy.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';

export const projectRoot = fileURLToPath(new URL('..', import.meta.url));

export const functionEntry = (group: string): string => `${projectRoot}functions/http/${group}.ts`;
export const jobEntry = (name: string): string => `${projectRoot}functions/jobs/${name}.ts`;
export const workerEntry = (name: string): string => `${projectRoot}functions/workers/${name}.ts`;
export const streamEntry = (name: string): string => `${projectRoot}functions/stream/${name}.ts`;
export const authorizerEntry = `${projectRoot}functions/http/authorizer.ts`;

/** Every Lambda by name: the HTTP route groups, the authorizer, the jobs and the workers. */
export function allFunctionEntries(groups: readonly string[]): Record<string, string> {
  return {
    ...Object.fromEntries(groups.map((g) => [g, functionEntry(g)])),
    authorizer: authorizerEntry,
    jobs: jobEntry('run'),
    'account-worker': workerEntry('accounts'),
    'notify-worker': workerEntry('notify'),
    'journey-worker': workerEntry('journeys'),
    'webhook-worker': workerEntry('webhooks'),
    'import-worker': workerEntry('imports'),
    'simulation-worker': workerEntry('simulations'),
    'export-catalog': workerEntry('export-catalog'),
    outbox: streamEntry('outbox'),
    'report-counters': streamEntry('report-counters'),
  };
}

/** ESM output needs `require` for the few CommonJS dependencies bundled into it. */
export const esmRequireBanner = "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

/**
 * Modules a function loads only when it first needs them, each built as a file of its own beside
 * the handler's `index.mjs` instead of inlined in it: V8 compiles every byte of a bundle at import,
 * even code that only an `import()` would run, so the handler's cold start pays for none of these.
 * The loader names its file through the `define` key (undefined when run from source, as tests and
 * `npm start` do: it then imports the module itself); a file is built only beside a bundle that
 * names it (README, "Cold start").
 */
export const lazyFiles = [
  /** The program document's parser (~100 KB of classic zod): to validate or publish a document, or to read one stored under an older schema. */
  { define: 'process.env.TALLY_PROGRAM_PARSER_FILE', entry: 'lib/domain/program.ts', file: 'program-parser.mjs' },
  /** The program document's JSON Schema (the same parser and zod's converter), for `GET /v1/program/schema`. */
  { define: 'process.env.TALLY_PROGRAM_SCHEMA_FILE', entry: 'lib/domain/program-schema.ts', file: 'program-schema.mjs' },
  /** libphonenumber-js with its metadata (~75 KB): on the first phone number a request carries. */
  { define: 'process.env.TALLY_PHONE_PARSER_FILE', entry: 'lib/domain/phone-parser.ts', file: 'phone-parser.mjs' },
  /** S3's client and signer (~150 KB), for the imports route function's first signed link. The permissions test reads its commands too. */
  { define: 'process.env.TALLY_IMPORT_LINKS_FILE', entry: 'lib/storage/import-links.ts', file: 'import-links.mjs' },
] as const;

export type LazyFile = (typeof lazyFiles)[number];

/** How a bundle names a lazy file: the `define` key's value, which its loader imports beside the bundle. */
export const lazyFileSpecifier = (f: LazyFile): string => `./${f.file}`;

export const bundlingOptions = {
  target: 'node22',
  minify: true,
  sourceMap: true,
  /** The AWS SDK is bundled, so the deployed version is the one the tests ran against. */
  externalModules: [] as string[],
  banner: esmRequireBanner,
  mainFields: ['module', 'main'],
  define: Object.fromEntries(lazyFiles.map((f) => [f.define, JSON.stringify(lazyFileSpecifier(f))])),
} as const;

/** esbuild's command line that builds `lazy` into `outputDir` with the handlers' own options (the CDK's bundling runs it after the handler's bundle). */
export function lazyFileArgs(lazy: LazyFile, inputDir: string, outputDir: string): string[] {
  return [
    '--bundle',
    `${inputDir}/${lazy.entry}`,
    '--platform=node',
    '--format=esm',
    `--target=${bundlingOptions.target}`,
    ...(bundlingOptions.minify ? ['--minify'] : []),
    ...(bundlingOptions.sourceMap ? ['--sourcemap'] : []),
    `--main-fields=${bundlingOptions.mainFields.join(',')}`,
    `--banner:js=${bundlingOptions.banner}`,
    '--log-level=warning',
    `--outfile=${outputDir}/${lazy.file}`,
  ];
}

/** The lazy files a handler's bundle names, so the ones to build beside it. */
export const lazyFilesNamedIn = (bundle: string): LazyFile[] => lazyFiles.filter((f) => bundle.includes(lazyFileSpecifier(f)));

/**
 * Beside a handler's bundle in `outdir`, the lazy files it names, built by the same esbuild command
 * the CDK runs after bundling (infra/constructs/tally-function.ts); stale ones are removed. Returns
 * the files built. `extraArgs` lets a test ask esbuild for a metafile too.
 */
export function writeLazyFiles(outdir: string, bundle: string, extraArgs: (lazy: LazyFile) => string[] = () => []): LazyFile[] {
  const root = projectRoot.replace(/\/$/, '');
  for (const f of lazyFiles) rmSync(`${outdir}/${f.file}`, { force: true });
  const named = lazyFilesNamedIn(bundle);
  for (const f of named) execFileSync(`${root}/node_modules/.bin/esbuild`, [...lazyFileArgs(f, root, outdir), ...extraArgs(f)], { stdio: 'inherit' });
  return named;
}

/**
 * `bundlingOptions` as esbuild's own build options, for what bundles a function outside the CDK:
 * `npm run bundle` (sizes, cold starts) and the permissions test (the commands a bundle can send).
 */
export function esbuildOptions(entry: string | Record<string, string>): BuildOptions {
  return {
    entryPoints: typeof entry === 'string' ? [entry] : entry,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: bundlingOptions.target,
    minify: bundlingOptions.minify,
    sourcemap: bundlingOptions.sourceMap,
    mainFields: [...bundlingOptions.mainFields],
    external: [...bundlingOptions.externalModules],
    banner: { js: bundlingOptions.banner },
    define: { ...bundlingOptions.define },
    logLevel: 'warning',
  };
}
