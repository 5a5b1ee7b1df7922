/**
 * `npm run token -- --role admin [--tenant demo] [--name anna]`: prints a staff token from the
 * local development issuer (the one `npm start` trusts), valid 12 hours.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { staffRoles } from '../lib/http/routes.ts';
import { signStaffToken, useDevIssuer } from './dev-issuer.ts';

const { values } = parseArgs({ options: { role: { type: 'string', default: 'admin' }, tenant: { type: 'string', default: 'demo' }, name: { type: 'string' }, 'state-dir': { type: 'string' } } });
if (!(staffRoles as readonly string[]).includes(values.role!)) {
  console.error(`--role must be one of ${staffRoles.join(', ')}`);
  process.exit(2);
}
const stateDir = values['state-dir'] ?? join(fileURLToPath(new URL('.', import.meta.url)), '..', '.local');
const keys = await useDevIssuer(stateDir);
console.log(await signStaffToken(keys, { role: values.role!, tenantId: values.tenant!, username: values.name ?? `${values.role}-dev` }));
