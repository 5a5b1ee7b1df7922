/** Staff use cases for API keys: create (shown once), list, rotate with an overlap, revoke. */
import { ConflictError, InvalidRequestError, NotFoundError } from './errors.ts';
import { KeyNotFoundError, type Principal, type Role } from '../storage/api-keys.ts';
import { transactWrite } from '../storage/transact.ts';
import type { Deps } from './deps.ts';

export async function createKey(deps: Deps, p: Principal, body: { role: Role; storeId?: string | undefined; name: string; rateLimit?: number | undefined }) {
  if (body.role === 'pos') {
    if (!body.storeId) throw new InvalidRequestError('storeId: is required for a POS key', 'storeId');
    const store = await deps.stores.get(p.tenantId, body.storeId, true);
    if (!store) throw new NotFoundError('store', 'storeId');
    // Its keys would not work (lib/storage/api-keys.ts), so none is made.
    if (!store.active) throw new ConflictError('store_inactive', `storeId: store "${body.storeId}" is deactivated; reactivate it (PATCH /v1/stores/${body.storeId} with active: true) first`, 'storeId');
  }
  const at = deps.clock().toISOString();
  const actor = body.role === 'pos' ? `pos:${body.storeId}` : `staff:${body.name}`;
  const created = await deps.apiKeys.create({ tenantId: p.tenantId, storeId: body.role === 'pos' ? body.storeId : undefined, role: body.role, actor, rateLimit: body.rateLimit }, at, p.actor);
  await audit(deps, p, at, 'key.create', created.keyId, undefined, created.info);
  return { ...created.info, key: created.key };
}

export async function listKeys(deps: Deps, p: Principal) {
  return { keys: await deps.apiKeys.list(p.tenantId) };
}

/** A new key for the same store or person; the old one keeps working for `overlapSeconds`. */
export async function rotateKey(deps: Deps, p: Principal, keyId: string, overlapSeconds: number) {
  const now = deps.clock();
  const old = await end(deps, p, keyId, 'expiresAt', new Date(now.getTime() + overlapSeconds * 1000).toISOString());
  const created = await deps.apiKeys.create({ tenantId: p.tenantId, storeId: old.storeId, role: old.role, actor: old.actor, customerId: old.customerId, rateLimit: old.rateLimit }, now.toISOString(), p.actor);
  await audit(deps, p, now.toISOString(), 'key.rotate', keyId, old, { replacedBy: created.keyId, oldExpiresAt: new Date(now.getTime() + overlapSeconds * 1000).toISOString() });
  return { ...created.info, key: created.key, replaces: { keyId, expiresAt: new Date(now.getTime() + overlapSeconds * 1000).toISOString() } };
}

export async function revokeKey(deps: Deps, p: Principal, keyId: string) {
  const at = deps.clock().toISOString();
  const old = await end(deps, p, keyId, 'revokedAt', at);
  await audit(deps, p, at, 'key.revoke', keyId, old, { revokedAt: at });
  return { ...old, revokedAt: at };
}

async function end(deps: Deps, p: Principal, keyId: string, field: 'revokedAt' | 'expiresAt', at: string) {
  try {
    return await deps.apiKeys.end(p.tenantId, keyId, field, at);
  } catch (e) {
    if (e instanceof KeyNotFoundError) throw new NotFoundError('key', 'keyId');
    throw e;
  }
}

async function audit(deps: Deps, p: Principal, at: string, action: string, keyId: string, before: unknown, after: unknown): Promise<void> {
  await transactWrite(deps.db, [deps.audit.item(p.tenantId, { at, actor: p.actor, action, target: `key:${keyId}`, before, after })]);
}
