/**
 * A tenant's stores: register (idempotent on storeId, like every create with a client-chosen id),
 * list, read, change and deactivate. Every change is audited in its own transaction. The
 * operator's `tenant create` registers its stores through `createStore` too.
 */
import { storeSchema, type StoreInput, type StorePatch } from '#domain/tenant.ts';
import { ConflictError, IdempotencyConflictError, InvalidRequestError, LimitExceededError, NotFoundError } from './errors.ts';
import { requestHash, type Answer } from './idempotency.ts';
import { parseInput } from './parse.ts';
import type { Principal } from '../storage/api-keys.ts';
import type { StoreRecord } from '../storage/stores.ts';
import type { Acting } from '../storage/audit.ts';
import type { Deps } from './deps.ts';

/** Who registers or changes a store: a staff member, or the operator's command. */
/** Who registers or changes a store: a staff principal, or the operator's command (lib/app/tenants.ts). */
export type Actor = Acting;

export const storeView = (s: StoreRecord) => ({
  storeId: s.storeId,
  name: s.name,
  ...(s.address !== undefined ? { address: s.address } : {}),
  ...(s.timeZone !== undefined ? { timeZone: s.timeZone } : {}),
  tags: s.tags,
  active: s.active,
  createdAt: s.createdAt,
  updatedAt: s.updatedAt,
  ...(s.deactivatedAt !== undefined ? { deactivatedAt: s.deactivatedAt } : {}),
});

/**
 * Registers a store. A retry with the same body gets the first answer; the same storeId with
 * other details is refused (422 naming storeId) — changes go through `updateStore`.
 */
export async function createStore(deps: Deps, p: Actor, body: StoreInput): Promise<Answer> {
  const hash = requestHash(body);
  const replay = (earlier: { requestHash: string; answer: string; store: StoreRecord }): Answer => {
    // A store registered before creates were idempotent kept no request: it stays as it is.
    if (!earlier.requestHash) return { body: JSON.stringify(storeView(earlier.store)), replayed: true };
    if (earlier.requestHash !== hash) {
      throw new IdempotencyConflictError(`storeId: "${body.storeId}" is already registered with other details; change it with PATCH /v1/stores/${body.storeId}`, 'storeId');
    }
    return { body: earlier.answer, replayed: true };
  };
  const earlier = await deps.stores.creation(p.tenantId, body.storeId);
  if (earlier) return replay(earlier);
  const at = deps.clock().toISOString();
  const store: StoreRecord = { ...body, active: true, createdAt: at, updatedAt: at, version: 1 };
  const answer = JSON.stringify(storeView(store));
  const audit = deps.audit.item(p, { at, action: 'store.create', target: `store:${body.storeId}`, after: storeView(store) });
  if (await deps.stores.create(p.tenantId, store, { requestHash: hash, answer }, [audit])) return { body: answer, replayed: false };
  // A racing create of the same id won: replay it, or refuse if it was another store.
  const winner = await deps.stores.creation(p.tenantId, body.storeId);
  if (!winner) throw new ConflictError('store_conflict', `storeId: "${body.storeId}" could not be registered; retry the same request`, 'storeId');
  return replay(winner);
}

/** Stores one run of the operator's command registers; more go in through `POST /v1/stores` or another run. */
export const MAX_STORES_PER_RUN = 5_000;

/** Checks a list of stores (a file's rows) with the rules of `POST /v1/stores`, naming `stores.<i>.<field>`. */
export function parseStores(raw: readonly unknown[]): StoreInput[] {
  if (raw.length > MAX_STORES_PER_RUN) {
    throw new LimitExceededError('stores.maxPerRun', `stores: at most ${MAX_STORES_PER_RUN} stores at a time (register more in another run or with POST /v1/stores)`, 'stores');
  }
  const stores = raw.map((s, i) => parseInput(storeSchema, s, `stores.${i}`));
  const seen = new Map<string, number>();
  stores.forEach((s, i) => {
    if (seen.has(s.storeId)) throw new InvalidRequestError(`stores.${i}.storeId: "${s.storeId}" is also stores.${seen.get(s.storeId)}`, `stores.${i}.storeId`);
    seen.set(s.storeId, i);
  });
  return stores;
}

/** Refuses, before anything is written, a list whose stores are already registered with other details. */
export async function checkStoresFree(deps: Deps, tenantId: string, stores: readonly StoreInput[]): Promise<void> {
  for (const [i, s] of stores.entries()) {
    const earlier = await deps.stores.creation(tenantId, s.storeId);
    if (earlier?.requestHash && earlier.requestHash !== requestHash(s)) {
      throw new IdempotencyConflictError(`stores.${i}.storeId: "${s.storeId}" is already registered with other details; change it with PATCH /v1/stores/${s.storeId}`, `stores.${i}.storeId`);
    }
  }
}

/** Registers checked stores one by one (each idempotent); counts the new ones and those already there. */
export async function registerStores(deps: Deps, by: Actor, stores: readonly StoreInput[]): Promise<{ registered: number; alreadyThere: number }> {
  let registered = 0;
  for (const [i, s] of stores.entries()) {
    try {
      if (!(await createStore(deps, by, s)).replayed) registered++;
    } catch (e) {
      // Another writer got in between the check and the write: name the row, not just the id.
      if (e instanceof IdempotencyConflictError) throw new IdempotencyConflictError(`stores.${i}.${e.message}`, `stores.${i}.storeId`);
      throw e;
    }
  }
  return { registered, alreadyThere: stores.length - registered };
}

export async function getStore(deps: Deps, p: Principal, storeId: string) {
  const s = await deps.stores.get(p.tenantId, storeId, true);
  if (!s) throw new NotFoundError('store', 'storeId');
  return storeView(s);
}

const encodeCursor = (storeId: string) => Buffer.from(JSON.stringify({ storeId }), 'utf8').toString('base64url');
function decodeCursor(cursor: string): string {
  try {
    const { storeId } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { storeId?: unknown };
    if (typeof storeId === 'string' && /^[A-Za-z0-9._:-]{1,64}$/.test(storeId)) return storeId;
  } catch {
    // fall through to the 400 below
  }
  throw new InvalidRequestError('cursor: is not a cursor this API returned', 'cursor');
}

/** One page of stores in id order; `nextCursor` is null on the last page. */
export async function listStores(deps: Deps, p: Principal, q: { limit: number; cursor?: string | undefined }) {
  const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
  const page = await deps.stores.list(p.tenantId, q.limit, after);
  return { stores: page.stores.map(storeView), nextCursor: page.last ? encodeCursor(page.last) : null };
}

/**
 * Changes a store's details; `active: false` deactivates it: its POS keys stop resolving (in this
 * process at once, elsewhere when the key caches expire), its receipts stay and can be returned
 * at another store. `active: true` brings the same keys back.
 */
export async function updateStore(deps: Deps, p: Principal, storeId: string, patch: StorePatch) {
  const before = await deps.stores.get(p.tenantId, storeId, true);
  if (!before) throw new NotFoundError('store', 'storeId');
  const at = deps.clock().toISOString();
  const after: StoreRecord = {
    ...before,
    ...(patch.name !== undefined ? { name: patch.name } : {}),
    ...(patch.address !== undefined ? { address: patch.address ?? undefined } : {}),
    ...(patch.timeZone !== undefined ? { timeZone: patch.timeZone ?? undefined } : {}),
    ...(patch.tags !== undefined ? { tags: patch.tags } : {}),
    ...(patch.active !== undefined ? { active: patch.active, deactivatedAt: patch.active ? undefined : before.active ? at : before.deactivatedAt } : {}),
    updatedAt: at,
    version: before.version + 1,
  };
  const action = patch.active === false && before.active ? 'store.deactivate' : patch.active === true && !before.active ? 'store.reactivate' : 'store.update';
  const audit = deps.audit.item(p, { at, action, target: `store:${storeId}`, before: storeView(before), after: storeView(after) });
  if (!(await deps.stores.update(p.tenantId, after, before.version, [audit]))) {
    throw new ConflictError('store_changed', `storeId: "${storeId}" was changed by someone else just now; read it again and repeat the change`, 'storeId');
  }
  // Its keys carry its active flag and its tags (rules target stores by tag): this process forgets them at once, others within the key cache time.
  if (patch.active !== undefined || patch.tags !== undefined) deps.apiKeys.forgetStore(p.tenantId, storeId);
  return storeView(after);
}
