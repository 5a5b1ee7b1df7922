/** Writes `openapi.json` from the route table and schemas (`npm run openapi`). */
import { writeFileSync } from 'node:fs';
import { buildOpenApi } from '../lib/http/openapi.ts';

writeFileSync(new URL('../openapi.json', import.meta.url), `${JSON.stringify(buildOpenApi(), null, 2)}\n`);
console.log('wrote openapi.json');
