/**
 * Writes the documents generated from code (`npm run openapi`): `openapi.json`,
 * `program.schema.json`, and one JSON Schema per domain event in events/schemas/.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { eventJsonSchemas } from '../lib/events/catalog.ts';
import { programJsonSchema } from '../lib/domain/program-schema.ts';
import { buildOpenApi } from '../lib/http/openapi.ts';

const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;
writeFileSync(new URL('../openapi.json', import.meta.url), json(buildOpenApi()));
writeFileSync(new URL('../program.schema.json', import.meta.url), json(programJsonSchema()));
const dir = new URL('../events/schemas/', import.meta.url);
mkdirSync(dir, { recursive: true });
for (const f of readdirSync(dir)) rmSync(new URL(f, dir));
const schemas = eventJsonSchemas();
for (const [file, schema] of Object.entries(schemas)) writeFileSync(new URL(file, dir), json(schema));
console.log(`wrote openapi.json, program.schema.json and ${Object.keys(schemas).length} event schemas in events/schemas/`);
