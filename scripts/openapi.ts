/** Writes `openapi.json` and `program.schema.json` from the route table and schemas (`npm run openapi`). */
import { writeFileSync } from 'node:fs';
import { programJsonSchema } from '../lib/domain/program-schema.ts';
import { buildOpenApi } from '../lib/http/openapi.ts';

writeFileSync(new URL('../openapi.json', import.meta.url), `${JSON.stringify(buildOpenApi(), null, 2)}\n`);
writeFileSync(new URL('../program.schema.json', import.meta.url), `${JSON.stringify(programJsonSchema(), null, 2)}\n`);
console.log('wrote openapi.json and program.schema.json');
