/**
 * Provisioning a tenant: publish its program, register its stores and issue keys. Used by the
 * local seed and the tests today; the admin API of issue "Security, tenancy and privacy" will
 * call the same function.
 */
import { parseProgram } from '#domain/program.ts';
import { InvalidRequestError } from './errors.ts';
import type { Deps } from './deps.ts';

export interface ProvisionInput {
  readonly tenantId: string;
  readonly program: unknown;
  readonly stores: ReadonlyArray<{ storeId: string; name: string }>;
  readonly staff: ReadonlyArray<{ name: string }>;
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
  const parsed = parseProgram(input.program);
  if (!parsed.ok) {
    const first = parsed.issues[0]!;
    throw new InvalidRequestError(`program.${first.path}: ${first.message}`, `program.${first.path}`, 'invalid_program');
  }
  const at = deps.clock().toISOString();
  const { version } = await deps.programs.publish(input.tenantId, input.program, by, at);
  const posKeys: Record<string, string> = {};
  for (const s of input.stores) {
    await deps.stores.put(input.tenantId, { ...s, createdAt: at });
    posKeys[s.storeId] = (await deps.apiKeys.create({ tenantId: input.tenantId, storeId: s.storeId, role: 'pos', actor: `pos:${s.storeId}`, rateLimit: input.rateLimit }, at)).key;
  }
  const staffKeys: Record<string, string> = {};
  for (const s of input.staff) {
    staffKeys[s.name] = (await deps.apiKeys.create({ tenantId: input.tenantId, storeId: undefined, role: 'admin', actor: `staff:${s.name}`, rateLimit: input.rateLimit }, at)).key;
  }
  return { tenantId: input.tenantId, programVersion: version, posKeys, staffKeys };
}
