/** Staff use cases for API keys: create (shown once), list, rotate with an overlap, revoke — each audited in its own transaction. */
import { ConflictError, InvalidRequestError, NotFoundError } from './errors.ts';
import { KeyAlreadyRotatedError, KeyNotFoundError, type KeyInfo, type Principal, type Role } from '../storage/api-keys.ts';
import type { TransactItem } from '../storage/transact.ts';
import type { Deps } from './deps.ts';

/** What the key use cases reach: functions/http/keys.ts builds just these, not every repository. */
export type KeyDeps = Pick<Deps, 'apiKeys' | 'stores' | 'audit' | 'clock'>;
import { decodeCursor, encodeCursor } from './cursor.ts';

export async function createKey(deps: KeyDeps, p: Principal, body: { role: Exclude<Role, 'customer'>; storeId?: string | undefined; name: string; rateLimit?: number | undefined }) {
  if (body.role === 'pos') {
    if (!body.storeId) throw new InvalidRequestError('storeId: is required for a POS key', 'storeId');
    const store = await deps.stores.get(p.tenantId, body.storeId, true);
    if (!store) throw new NotFoundError('store', 'storeId');
    // Its keys would not work (lib/storage/api-keys.ts), so none is made.
    if (!store.active) throw new ConflictError('store_inactive', `storeId: store "${body.storeId}" is deactivated; reactivate it (PATCH /v1/stores/${body.storeId} with active: true) first`, 'storeId');
  }
  const at = deps.clock().toISOString();
  const actor = body.role === 'pos' ? `pos:${body.storeId}` : `staff:${body.name}`;
  const created = await deps.apiKeys.create(
    { tenantId: p.tenantId, storeId: body.role === 'pos' ? body.storeId : undefined, role: body.role, actor, rateLimit: body.rateLimit },
    at,
    p.actor,
    (info) => [audit(deps, p, at, 'key.create', info.keyId, undefined, info)],
  );
  return { ...created.info, key: created.key };
}

export async function listKeys(deps: KeyDeps, p: Principal, q: { limit: number; cursor?: string | undefined }) {
  const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor, (sk) => sk.startsWith('APIKEY#'));
  const page = await deps.apiKeys.list(p.tenantId, q.limit, after);
  return { keys: page.keys, nextCursor: page.nextSk ? encodeCursor(page.nextSk) : null };
}

/**
 * A new key for the same store or person; the old one keeps working for `overlapSeconds`. The
 * old key's end, the new key and the audit record are one transaction.
 */
export async function rotateKey(deps: KeyDeps, p: Principal, keyId: string, overlapSeconds: number) {
  const now = deps.clock();
  const oldExpiresAt = new Date(now.getTime() + overlapSeconds * 1000).toISOString();
  // The replacement's secret is made first, so that its items can join the old key's transaction.
  let created: { key: string; info: KeyInfo } | undefined;
  await end(deps, keyId, 'expiresAt', oldExpiresAt, now.toISOString(), p, (old) => {
    const next = deps.apiKeys.prepare({ tenantId: p.tenantId, storeId: old.storeId, role: old.role, actor: old.actor, customerId: old.customerId, rateLimit: old.rateLimit }, now.toISOString(), p.actor);
    created = next;
    return [...next.items, audit(deps, p, now.toISOString(), 'key.rotate', keyId, old, { replacedBy: next.info.keyId, oldExpiresAt })];
  });
  return { ...created!.info, key: created!.key, replaces: { keyId, expiresAt: oldExpiresAt } };
}

export async function revokeKey(deps: KeyDeps, p: Principal, keyId: string) {
  const at = deps.clock().toISOString();
  const old = await end(deps, keyId, 'revokedAt', at, at, p, (before) => [audit(deps, p, at, 'key.revoke', keyId, before, { revokedAt: at })]);
  return { ...old, revokedAt: at };
}

async function end(deps: KeyDeps, keyId: string, field: 'revokedAt' | 'expiresAt', at: string, now: string, p: Principal, others: (old: KeyInfo) => TransactItem[]) {
  try {
    return await deps.apiKeys.end(p.tenantId, keyId, field, at, now, others);
  } catch (e) {
    if (e instanceof KeyNotFoundError) throw new NotFoundError('key', 'keyId');
    if (e instanceof KeyAlreadyRotatedError) {
      throw new ConflictError('key_rotated', `keyId: this key was already rotated (it stops at ${e.expiresAt}); rotate its replacement instead`, 'keyId');
    }
    throw e;
  }
}

const audit = (deps: KeyDeps, p: Principal, at: string, action: string, keyId: string, before: unknown, after: unknown): TransactItem =>
  deps.audit.item(p, { at, action, target: `key:${keyId}`, before, after });
