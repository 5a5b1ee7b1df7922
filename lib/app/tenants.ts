/**
 * A tenant: its creation (the one provisioning use case: the operator's `npm run admin -- tenant
 * create`, the local seed, the tests and the benchmarks all go through `createTenant`), its
 * settings, and what is live for it.
 *
 * Creating a tenant is safe to repeat: the settings, program and stores it finds already in
 * place, exactly as asked, are kept (so an interrupted run is finished by running it again);
 * anything in place that differs is refused before anything is written, naming the field.
 */
import type * as z from 'zod';
import { loadProgramParser } from '#domain/program-parser.ts';
import { tenantPatchSchema, tenantSettingsSchema, type StoreInput } from '#domain/tenant.ts';
import { id } from '#domain/ids.ts';
import { channels } from '#domain/notifications.ts';
import { liveChannels } from '../notify/live-channels.ts';
import { ConflictError, InvalidRequestError, NotFoundError } from './errors.ts';
import { canonicalJson } from './idempotency.ts';
import { parseInput } from './parse.ts';
import { createKey } from './keys.ts';
import { checkStoresFree, parseStores, registerStores } from './stores.ts';
import type { Principal } from '../storage/api-keys.ts';
import type { TenantSettings } from '../storage/tenants.ts';
import { ProgramVersionConflictError } from '../storage/programs.ts';
import type { Deps } from './deps.ts';
import type { Acting } from '../storage/audit.ts';

export interface CreateTenantInput {
  readonly tenantId: string;
  /** Shown to staff; the tenant id when not given. */
  readonly name?: string | undefined;
  /** Language of messages when neither the customer's nor the program's has a template; `en` when not given. */
  readonly defaultLocale?: string | undefined;
  readonly program: unknown;
  /** Each as `POST /v1/stores` takes it; checked with the same schema. */
  readonly stores: readonly unknown[];
}

export interface CreatedTenant<A> {
  readonly tenantId: string;
  readonly settings: ReturnType<typeof settingsView>;
  readonly programVersion: number;
  /** True when this run published it; false when the same document was already in force. */
  readonly programPublished: boolean;
  readonly stores: { readonly registered: number; readonly alreadyThere: number };
  readonly admin: A;
}

const settingsView = (s: TenantSettings) => ({ tenantId: s.tenantId, name: s.name, defaultLocale: s.defaultLocale, createdAt: s.createdAt, updatedAt: s.updatedAt });

/**
 * Creates a tenant: its settings, its program (version 1), its stores (through `createStore`,
 * as `POST /v1/stores` does) and, last, its first administrator through `issueAdmin` — an admin
 * key locally and in tests, a Cognito user in AWS (scripts/admin.ts). Every write is audited
 * under `actor`.
 */
export async function createTenant<A>(deps: Deps, input: CreateTenantInput, actor: string, issueAdmin: (tenantId: string) => Promise<A>): Promise<CreatedTenant<A>> {
  // Everything is checked before anything is written.
  const tenantId = parseInput(id, input.tenantId, 'tenantId');
  const wanted = parseInput(tenantSettingsSchema, { name: input.name ?? tenantId, defaultLocale: input.defaultLocale ?? 'en' }, '');
  const { parseProgram } = await loadProgramParser();
  const program = parseProgram(input.program);
  if (!program.ok) {
    const first = program.issues[0]!;
    throw new InvalidRequestError(`program.${first.path}: ${first.message}`, `program.${first.path}`, 'invalid_program');
  }
  const stores = parseStores(input.stores);

  const existing = await deps.tenants.settings(tenantId);
  if (existing && (existing.name !== wanted.name || existing.defaultLocale !== wanted.defaultLocale)) {
    const field = existing.name !== wanted.name ? 'name' : 'defaultLocale';
    throw new ConflictError('tenant_exists', `${field}: tenant "${tenantId}" already exists with ${field} "${existing[field]}"; change it with PATCH /v1/tenant`, field);
  }
  const current = await deps.programs.currentStored(tenantId);
  if (current && canonicalJson(current.document) !== canonicalJson(input.program)) {
    throw new ConflictError('tenant_exists', `program: tenant "${tenantId}" already has another program (version ${current.version}); publish changes with POST /v1/program`, 'program');
  }

  await checkStoresFree(deps, tenantId, stores);

  const at = deps.clock().toISOString();
  const asOperator = operatorActing(tenantId, actor);
  let settings = existing;
  if (!settings) {
    const s: TenantSettings = { tenantId, ...wanted, createdAt: at, updatedAt: at, version: 1 };
    const audit = deps.audit.item(asOperator, { at, action: 'tenant.create', target: 'tenant', after: settingsView(s) });
    if (!(await deps.tenants.save(s, [audit]))) throw new ConflictError('tenant_exists', `tenantId: "${tenantId}" was created by someone else just now`, 'tenantId');
    settings = s;
  }
  let programVersion = current?.version ?? 0;
  if (!current) {
    try {
      programVersion = (
        await deps.programs.publish(tenantId, input.program, actor, at, 0, (v) => [
          deps.audit.item(asOperator, { at, action: 'program.publish', target: 'program', before: { version: v - 1 }, after: { version: v } }),
        ])
      ).version;
    } catch (e) {
      if (e instanceof ProgramVersionConflictError) throw new ConflictError('tenant_exists', `program: someone published a program for "${tenantId}" just now (version ${e.current})`, 'program');
      throw e;
    }
  }
  const registered = await registerStores(deps, asOperator, stores);
  const admin = await issueAdmin(tenantId);
  return { tenantId, settings: settingsView(settings), programVersion, programPublished: !current, stores: registered, admin };
}

/** The platform operator's command (or the seed), acting with no API key: its audit records say so. */
export const operatorActing = (tenantId: string, actor: string): Acting => ({ tenantId, actor, keyId: 'operator', role: 'operator' });

/** The operator, as the principal the staff use cases expect, for what `createTenant` does through them. */
export const operator = (tenantId: string, actor: string): Principal => ({ tenantId, storeId: undefined, role: 'admin', actor, keyId: 'operator' });

/** The first administrator as an admin key (locally, in tests and benchmarks): shown once, audited. */
export const adminKey =
  (deps: Deps, name: string, actor: string, rateLimit?: number) =>
  async (tenantId: string): Promise<{ keyId: string; key: string; actor: string }> => {
    const k = await createKey(deps, operator(tenantId, actor), { role: 'admin', name, rateLimit });
    return { keyId: k.keyId, key: k.key, actor: k.actor };
  };

export async function getTenant(deps: Deps, p: Principal) {
  const s = await deps.tenants.settings(p.tenantId);
  if (!s) throw new NotFoundError('tenant settings');
  return settingsView(s);
}

export async function updateTenant(deps: Deps, p: Principal, patch: z.output<typeof tenantPatchSchema>) {
  const before = await deps.tenants.settings(p.tenantId);
  if (!before) throw new NotFoundError('tenant settings');
  const at = deps.clock().toISOString();
  const after: TenantSettings = { ...before, ...(patch.name !== undefined ? { name: patch.name } : {}), ...(patch.defaultLocale !== undefined ? { defaultLocale: patch.defaultLocale } : {}), updatedAt: at, version: before.version + 1 };
  const audit = deps.audit.item(p, { at, action: 'tenant.update', target: 'tenant', before: settingsView(before), after: settingsView(after) });
  if (!(await deps.tenants.save(after, [audit]))) throw new ConflictError('tenant_changed', 'tenant: the settings were changed by someone else just now; read them again and repeat the change');
  return settingsView(after);
}

/** What is in force and what is live: the program version, and the channels messages can go out on. */
export async function health(deps: Deps, p: Principal) {
  const program = await deps.programs.currentStored(p.tenantId);
  return {
    tenantId: p.tenantId,
    program: program ? { version: program.version, publishedAt: program.publishedAt } : null,
    channels: channels.filter((c) => liveChannels()?.has(c) ?? true),
    checkedAt: deps.clock().toISOString(),
  };
}

// ---- provisionTenant: createTenant plus keys for every store and staff member (tests, benchmarks, the demo) ----

export interface ProvisionInput {
  readonly tenantId: string;
  readonly program: unknown;
  readonly stores: ReadonlyArray<{ storeId: string; name: string } & Partial<StoreInput>>;
  readonly staff: ReadonlyArray<{ name: string }>;
  readonly name?: string;
  readonly defaultLocale?: string;
  /** Requests per second for the keys made here (load tests and benchmarks drive one key hard). */
  readonly rateLimit?: number;
}

export interface Provisioned {
  readonly tenantId: string;
  readonly programVersion: number;
  /** Shown once; only their hashes are stored. */
  readonly posKeys: Record<string, string>;
  readonly staffKeys: Record<string, string>;
}

export async function provisionTenant(deps: Deps, input: ProvisionInput, by = 'system'): Promise<Provisioned> {
  const staffKeys: Record<string, string> = {};
  const created = await createTenant(deps, { tenantId: input.tenantId, name: input.name, defaultLocale: input.defaultLocale, program: input.program, stores: input.stores }, by, async (tenantId) => {
    for (const s of input.staff) staffKeys[s.name] = (await adminKey(deps, s.name, by, input.rateLimit)(tenantId)).key;
  });
  const posKeys: Record<string, string> = {};
  for (const s of input.stores) {
    posKeys[s.storeId] = (await createKey(deps, operator(input.tenantId, by), { role: 'pos', storeId: s.storeId, name: `till at ${s.storeId}`, rateLimit: input.rateLimit })).key;
  }
  return { tenantId: input.tenantId, programVersion: created.programVersion, posKeys, staffKeys };
}
