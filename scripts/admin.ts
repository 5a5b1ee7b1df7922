/**
 * `npm run admin -- <command>`: the platform operator's command.
 *
 *   tenant create --tenant ID --program FILE --stores FILE --admin-email EMAIL [--name NAME] [--locale en|hy|uk|hu|fa] [--with-key]
 *   store add     --tenant ID (--stores FILE | --store-id ID --name NAME [--address A] [--time-zone ZONE] [--tag k=v]...)
 *   store list    --tenant ID [--limit N] [--cursor C]
 *
 * Where: the local runtime (`npm start`) by default; a deployed stage with `--stage prod
 * --region eu-central-1` (the stacks' outputs from CloudFormation, or `--outputs FILE` as written
 * by `cdk deploy --outputs-file`), using the caller's AWS credentials. `--json` prints the result
 * as JSON. Everything goes through the same use cases as the API (lib/app/tenants.ts, stores.ts),
 * audited as `operator:<user>`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { AppError } from '../lib/app/errors.ts';
import { checkStoresFree, listStores, parseStores, registerStores } from '../lib/app/stores.ts';
import { adminKey, createTenant, operator, operatorActing } from '../lib/app/tenants.ts';
import { locales } from '../lib/domain/tenant.ts';
import { createCognitoAdmin, type CognitoAdmin } from './admin/cognito.ts';
import { readStoresFile, StoresFileError, type StoresFile } from './admin/stores-file.ts';
import { awsTarget, localTarget, TargetError, type Target } from './admin/target.ts';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..');

export const usage = `usage: npm run admin -- <command> [--stage STAGE --region REGION [--outputs FILE]] [--json]
  tenant create --tenant ID --program FILE --stores FILE(.csv|.json) --admin-email EMAIL [--name NAME] [--locale ${locales.join('|')}] [--with-key]
  store add     --tenant ID (--stores FILE | --store-id ID --name NAME [--address ADDRESS] [--time-zone ZONE] [--tag name=value]...)
  store list    --tenant ID [--limit N] [--cursor CURSOR]`;

const options = {
  tenant: { type: 'string' },
  program: { type: 'string' },
  stores: { type: 'string' },
  'admin-email': { type: 'string' },
  name: { type: 'string' },
  locale: { type: 'string' },
  'with-key': { type: 'boolean', default: false },
  'store-id': { type: 'string' },
  address: { type: 'string' },
  'time-zone': { type: 'string' },
  tag: { type: 'string', multiple: true },
  limit: { type: 'string' },
  cursor: { type: 'string' },
  stage: { type: 'string' },
  region: { type: 'string' },
  outputs: { type: 'string' },
  'state-dir': { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

type Flags = ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>['values'];

class UsageError extends Error {}

const required = (flags: Flags, name: keyof Flags & string): string => {
  const v = flags[name];
  if (typeof v !== 'string' || v === '') throw new UsageError(`--${name}: is required`);
  return v;
};

/** Request fields the use cases name → the flag or file they came from. */
function located(e: AppError, storesFile: StoresFile | undefined, programFile: string | undefined): string {
  const row = /^stores\.(\d+)\.(.*)$/.exec(e.field ?? '');
  if (row && storesFile) return `${storesFile.where(Number(row[1]))}: ${e.message.replace(/^stores\.\d+\./, '')}`;
  const flag = { tenantId: '--tenant', name: '--name', defaultLocale: '--locale', email: '--admin-email' }[e.field ?? ''];
  if (flag) return `${flag} (${e.message})`;
  if (e.field?.startsWith('program') && programFile) return `${programFile}: ${e.message}`;
  return e.message;
}

/** Who runs the command, for the audit trail (a container may have no passwd entry). */
function operatorName(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}

export interface AdminIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

/** Runs one command; returns the exit code (0 done, 1 refused or failed, 2 usage). */
export async function runAdmin(argv: readonly string[], io: AdminIo = { out: console.log, err: console.error }): Promise<number> {
  let flags: Flags;
  let command: string;
  try {
    const parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
    flags = parsed.values;
    command = parsed.positionals.join(' ');
    if (!['tenant create', 'store add', 'store list'].includes(command)) throw new UsageError(command ? `unknown command "${command}"` : 'no command');
  } catch (e) {
    io.err(`${(e as Error).message}\n${usage}`);
    return 2;
  }

  let target: Target | undefined;
  let storesFile: StoresFile | undefined;
  try {
    const tenantId = required(flags, 'tenant');
    const actor = `operator:${operatorName()}`;
    // Everything that can be checked without the table is checked before connecting to it.
    let run: (t: Target) => Promise<unknown>;
    if (command === 'tenant create') {
      const programFile = required(flags, 'program');
      const email = required(flags, 'admin-email');
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) || email.length > 254) throw new UsageError('--admin-email: must be an e-mail address');
      let program: unknown;
      try {
        program = JSON.parse(readFileSync(programFile, 'utf8'));
      } catch (e) {
        throw new UsageError(`--program: ${programFile} is not a readable JSON file (${(e as Error).message})`);
      }
      const file = (storesFile = readStoresFile(required(flags, 'stores')));
      run = async (t) => {
        const issueAdmin = async (id: string): Promise<FirstAdmin> =>
          t.staffPool ? createCognitoAdmin(t.staffPool.client, t.staffPool.userPoolId, id, email) : { kind: 'key', ...(await adminKey(t.deps, email, actor)(id)) };
        const created = await createTenant(t.deps, { tenantId, name: flags.name, defaultLocale: flags.locale, program, stores: file.stores }, actor, issueAdmin);
        // In AWS the first administrator signs in; a key as well is for scripts (the smoke test).
        const extraKey = t.staffPool && flags['with-key'] ? await adminKey(t.deps, `${email} (key)`, actor)(tenantId) : undefined;
        return { ...created, ...(extraKey ? { adminKey: extraKey } : {}), apiUrl: t.apiUrl };
      };
    } else if (command === 'store add') {
      const file = flags.stores ? (storesFile = readStoresFile(flags.stores)) : undefined;
      const stores = file?.stores ?? [
        {
          storeId: required(flags, 'store-id'),
          name: required(flags, 'name'),
          ...(flags.address ? { address: flags.address } : {}),
          ...(flags['time-zone'] ? { timeZone: flags['time-zone'] } : {}),
          tags: Object.fromEntries(
            (flags.tag ?? []).map((t) => {
              const eq = t.indexOf('=');
              if (eq <= 0) throw new UsageError(`--tag: "${t}" must be name=value`);
              return [t.slice(0, eq), t.slice(eq + 1)];
            }),
          ),
        },
      ];
      const checked = parseStores(stores);
      run = async (t) => {
        if (!(await t.deps.tenants.settings(tenantId))) throw new TargetError(`--tenant: "${tenantId}" does not exist there (create it with tenant create)`);
        await checkStoresFree(t.deps, tenantId, checked);
        return registerStores(t.deps, operatorActing(tenantId, actor), checked);
      };
    } else {
      const limit = flags.limit === undefined ? 50 : Number(flags.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw new UsageError('--limit: must be a whole number from 1 to 200');
      run = (t) => listStores(t.deps, operator(tenantId, actor), { limit, cursor: flags.cursor });
    }

    target = flags.stage
      ? await awsTarget({ stage: flags.stage, region: flags.region, outputsFile: flags.outputs })
      : await localTarget(flags['state-dir'] ?? join(root, '.local'));
    const result = await run(target);
    if (flags.json) io.out(JSON.stringify(result, null, 2));
    else print(command, tenantId, target, result as never, io.out);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`${e.message}\n${usage}`);
      return 2;
    }
    if (e instanceof AppError) io.err(`refused: ${located(e, storesFile, flags.program)}`);
    else if (e instanceof StoresFileError || e instanceof TargetError) io.err(e.message);
    else io.err(`failed: ${(e as Error).message}`);
    return 1;
  } finally {
    await target?.close();
  }
}

/** Locally an admin key; in AWS a Cognito user. */
type FirstAdmin = { kind: 'key'; key: string; keyId: string; actor: string } | CognitoAdmin;

type CreateResult = Awaited<ReturnType<typeof createTenant<FirstAdmin>>> & {
  adminKey?: { key: string; keyId: string };
  apiUrl: string | undefined;
};

function print(command: string, tenantId: string, target: Target, result: never, out: (l: string) => void): void {
  if (command === 'tenant create') {
    const r = result as CreateResult;
    out(`Tenant ${tenantId} ("${r.settings.name}", default language ${r.settings.defaultLocale}) in ${target.where}`);
    out(`  program   version ${r.programVersion}${r.programPublished ? ', published now' : ', already in force'}`);
    out(`  stores    ${r.stores.registered} registered${r.stores.alreadyThere ? `, ${r.stores.alreadyThere} already there` : ''}`);
    if (r.admin.kind === 'key') out(`  admin key ${r.admin.key}\n            (shown once, stored only as a hash; keep it safe)`);
    else out(`  admin     Cognito user ${r.admin.username} <${r.admin.email}> in the admin group${r.admin.created ? ': the invitation with a temporary password is on its way (MFA is set up at the first sign-in)' : ' (already there)'}`);
    if (r.adminKey) out(`  admin key ${r.adminKey.key}\n            (for scripts such as npm run smoke; shown once; revoke it with DELETE /v1/keys/${r.adminKey.keyId})`);
    const key = r.admin.kind === 'key' ? r.admin.key : r.adminKey?.key;
    if (r.apiUrl && key) out(`\nCheck it:\n  curl -s -H 'authorization: Bearer ${key}' ${r.apiUrl}/v1/health`);
  } else if (command === 'store add') {
    const r = result as { registered: number; alreadyThere: number };
    out(`${r.registered} store(s) registered${r.alreadyThere ? `, ${r.alreadyThere} already there` : ''} for ${tenantId} in ${target.where}`);
  } else {
    const r = result as Awaited<ReturnType<typeof listStores>>;
    for (const s of r.stores) {
      out(`${s.storeId}\t${s.active ? 'active' : 'inactive'}\t${s.name}\t${Object.entries(s.tags).map(([k, v]) => `${k}=${v}`).join(';')}`);
    }
    if (r.nextCursor) out(`more: --cursor ${r.nextCursor}`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await runAdmin(process.argv.slice(2));
}
