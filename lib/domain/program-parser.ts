/**
 * The program document's parser, loaded on first use. Building its schema (about 860 zod schemas)
 * was most of a route function's cold start, and only validating, publishing and simulating a
 * document need it: every other read takes the normalized form stored at publish
 * (lib/storage/programs.ts). In a Lambda it is a file of its own beside the handler's bundle
 * (infra/bundling.ts, `lazyFiles`), so the handler's import does not even compile it; run from
 * source, the module itself is imported. test/architecture/bundles.test.ts checks no function
 * bundles it.
 */
export const loadProgramParser = (): Promise<typeof import('./program.ts')> =>
  process.env.TALLY_PROGRAM_PARSER_FILE ? import(new URL(process.env.TALLY_PROGRAM_PARSER_FILE, import.meta.url).href) : import('./program.ts');

/** The program document's JSON Schema, built from the same schema: loaded the same way, by its route alone. */
export const loadProgramJsonSchema = (): Promise<typeof import('./program-schema.ts')> =>
  process.env.TALLY_PROGRAM_SCHEMA_FILE ? import(new URL(process.env.TALLY_PROGRAM_SCHEMA_FILE, import.meta.url).href) : import('./program-schema.ts');
