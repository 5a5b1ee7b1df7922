/**
 * The program document's parser, loaded on first use. Building its schema (about 860 zod schemas)
 * was most of a route function's cold start, and only validating, publishing and simulating a
 * document need it: every other read takes the normalized form stored at publish
 * (lib/storage/programs.ts). esbuild inlines the module but runs its top level only when this is
 * first awaited; test/architecture/bundles.test.ts checks no function imports it statically.
 */
export const loadProgramParser = (): Promise<typeof import('./program.ts')> => import('./program.ts');
