/** The program document's JSON Schema, generated from the same zod schema the engine validates with. */
import * as z from 'zod';
import { programSchema } from './program.ts';

let cached: Record<string, unknown> | undefined;

export function programJsonSchema(): Record<string, unknown> {
  cached ??= {
    ...(z.toJSONSchema(programSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>),
    $id: 'https://tally.dev/schemas/program.json',
    title: 'Tally program document',
  };
  return cached;
}
