/**
 * esbuild options for every Lambda, in one place: used by the CDK functions and by
 * `npm run bundle` (which reports bundle sizes), so what we measure is what we deploy.
 */
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

export const bundlingOptions = {
  target: 'node22',
  minify: true,
  sourceMap: true,
  /** The AWS SDK is bundled, so the deployed version is the one the tests ran against. */
  externalModules: [] as string[],
  banner: esmRequireBanner,
  mainFields: ['module', 'main'],
} as const;

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
    logLevel: 'warning',
  };
}
