/**
 * Bearer keys. Only a SHA-256 of the key is stored: the keys are 32 random bytes, so a fast hash
 * is enough (nothing to brute-force) and lets the lookup be a single GetItem. Cached briefly in
 * memory so a till's steady stream of requests costs no extra read.
 */
import { createHash, randomBytes } from 'node:crypto';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { transactWrite, type TransactItem } from './transact.ts';
import type { Db } from './client.ts';
import { perProcess } from './per-process.ts';
import { queryPage } from './page.ts';
import { keys } from './keys.ts';

import type { Role } from '../http/routes.ts';
export type { Role };

export interface Principal {
  readonly tenantId: string;
  /** The store a POS key belongs to; staff keys have none. */
  readonly storeId: string | undefined;
  /** That store's tags (region, format, …), which rules may target; read with the key. */
  readonly storeTags?: Readonly<Record<string, string>> | undefined;
  readonly role: Role;
  /** Who acts, for the ledger and audit ("pos:S-01", "staff:anna", "customer:c_…"). */
  readonly actor: string;
  readonly keyId: string;
  /** The one customer a customer's app key may read and change. */
  readonly customerId?: string | undefined;
  /** Requests per second (lib/http/rate-limit.ts), when the key has its own. */
  readonly rateLimit?: number | undefined;
}

export const hashKey = (key: string): string => createHash('sha256').update(key, 'utf8').digest('hex');

export const generateKey = (role: Role): string => `tly_${role}_${randomBytes(32).toString('base64url')}`;

export interface KeyInfo {
  readonly keyId: string;
  readonly role: Role;
  readonly storeId?: string | undefined;
  readonly customerId?: string | undefined;
  readonly rateLimit?: number | undefined;
  readonly actor: string;
  readonly createdAt: string;
  readonly createdBy: string;
  /** Set by a rotation: the key keeps working until then, so tills can switch over. */
  readonly expiresAt?: string | undefined;
  readonly revokedAt?: string | undefined;
}

/** The key is unknown to this tenant, or already revoked. */
export class KeyNotFoundError extends Error {
  constructor() {
    super('no such key');
    this.name = 'KeyNotFoundError';
  }
}

/** The key was already rotated (it is in its overlap or past it): rotate its replacement instead. */
export class KeyAlreadyRotatedError extends Error {
  readonly expiresAt: string;
  constructor(expiresAt: string) {
    super('the key was already rotated');
    this.name = 'KeyAlreadyRotatedError';
    this.expiresAt = expiresAt;
  }
}

/** Other items that must be written in the same transaction as a key change (its audit record). */
export type WithKey = (info: KeyInfo) => TransactItem[];

/**
 * Revocation and expiry reach warm functions within this time: the cache is short on purpose,
 * trading a read every few seconds per till for a revoked key that stops working promptly.
 */
export const KEY_CACHE_MS = 5_000;

export function apiKeyRepository(db: Db, opts: { ttlMs?: number; clock?: () => number } = {}) {
  const ttlMs = opts.ttlMs ?? KEY_CACHE_MS;
  const clock = opts.clock ?? Date.now;
  const cache = new Map<string, { item: Record<string, unknown> | null; until: number }>();

  const principalOf = (item: Record<string, unknown> | null, hash: string): Principal | null => {
    if (!item || item.revokedAt) return null;
    if (typeof item.expiresAt === 'string' && Date.parse(item.expiresAt) <= clock()) return null;
    return {
      tenantId: item.tenantId as string,
      storeId: item.storeId as string | undefined,
      role: item.role as Role,
      actor: item.actor as string,
      keyId: (item.keyId as string | undefined) ?? hash.slice(0, 12),
      ...(item.customerId ? { customerId: item.customerId as string } : {}),
      ...(typeof item.rateLimit === 'number' ? { rateLimit: item.rateLimit } : {}),
      ...(item.storeTags ? { storeTags: item.storeTags as Record<string, string> } : {}),
    };
  };

  /**
   * The items of a key: the secret-free lookup by hash, its listing under the tenant, and for a
   * customer's app key the customer's own record of it (so erasure finds it with one Query).
   */
  const putItems = (hash: string, info: KeyInfo, tenantId: string): TransactItem[] => [
    {
      Put: {
        TableName: db.table,
        Item: { ...keys.apiKey(hash), type: 'apiKey', tenantId, ...info },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    { Put: { TableName: db.table, Item: { ...keys.tenantKey(tenantId, info.keyId), type: 'apiKeyInfo', tenantId, hash, ...info } } },
    ...(info.customerId
      ? [{ Put: { TableName: db.table, Item: { ...keys.appKey(tenantId, info.customerId, info.keyId), type: 'appKey', keyId: info.keyId, hash, createdAt: info.createdAt, ...(info.expiresAt ? { expiresAt: info.expiresAt } : {}) } } }]
      : []),
  ];

  /** A new key and the items that store it (its SHA-256, never the key), for a caller's transaction. */
  const prepare = (p: Omit<Principal, 'keyId'>, at: string, createdBy = 'system', expiresAt?: string): { key: string; info: KeyInfo; items: TransactItem[] } => {
    const key = generateKey(p.role);
    const hash = hashKey(key);
    const info: KeyInfo = { keyId: `k_${hash.slice(0, 12)}`, role: p.role, storeId: p.storeId, customerId: p.customerId, rateLimit: p.rateLimit, actor: p.actor, createdAt: at, createdBy, ...(expiresAt ? { expiresAt } : {}) };
    return { key, info, items: putItems(hash, info, p.tenantId) };
  };

  return {
    async resolve(key: string): Promise<Principal | null> {
      const hash = hashKey(key);
      const hit = cache.get(hash);
      // The expiry of a rotated key is checked on every call, cached or not.
      if (hit && hit.until > clock()) return principalOf(hit.item, hash);
      const r = await db.doc.send(new GetCommand({ TableName: db.table, Key: keys.apiKey(hash) }));
      let item = r.Item ?? null;
      // A till's key works only while its store is active. The store is read with the key, on a
      // cache miss only: one more 0.5-unit GetItem per key every few seconds (behind API Gateway's
      // 10 s cache of the authorizer's answer), never one per receipt. A key whose store is gone
      // or deactivated resolves to nothing, as a revoked one does.
      if (item && item.role === 'pos' && typeof item.storeId === 'string' && !item.revokedAt) {
        const s = await db.doc.send(new GetCommand({ TableName: db.table, Key: keys.store(item.tenantId as string, item.storeId) }));
        if (!s.Item || s.Item.active === false) item = null;
        else if (s.Item.tags && Object.keys(s.Item.tags as object).length) item = { ...item, storeTags: s.Item.tags };
      }
      cache.set(hash, { item, until: clock() + ttlMs });
      if (cache.size > 10_000) cache.clear();
      return principalOf(item, hash);
    },

    prepare,

    /** Creates a key and returns it once; only its SHA-256 is stored. */
    async create(p: Omit<Principal, 'keyId'>, at: string, createdBy = 'system', withKey: WithKey = () => [], expiresAt?: string): Promise<{ key: string; keyId: string; info: KeyInfo }> {
      const { key, info, items } = prepare(p, at, createdBy, expiresAt);
      const r = await transactWrite(db, [...items, ...withKey(info)]);
      if (!r.ok) throw new Error('key collision');
      return { key, keyId: info.keyId, info };
    },

    /** One page of the tenant's keys (no secrets), by key id. */
    async list(tenantId: string, limit: number, afterSk?: string): Promise<{ keys: KeyInfo[]; nextSk: string | undefined }> {
      const k = keys.tenantKey(tenantId, '');
      const page = await queryPage(db, { pk: k.pk, prefix: k.sk, limit, afterSk });
      return { keys: page.items.map(({ pk: _pk, sk: _sk, type: _t, tenantId: _tenant, hash: _h, ...info }) => info as unknown as KeyInfo), nextSk: page.nextSk };
    },

    /**
     * Ends a key at `at` (revoke: now; rotate: after the overlap) on both of its items, with
     * `others` (the replacement key, the audit record) in the same transaction. A revoked or
     * expired key cannot be ended again, and a rotated one cannot be rotated again: otherwise a
     * key rotated out could be brought back to life, and each call would make one more live key.
     * Returns the key's info as it was.
     */
    async end(tenantId: string, keyId: string, field: 'revokedAt' | 'expiresAt', at: string, now: string, others: WithKey = () => []): Promise<KeyInfo> {
      const listing = await db.doc.send(new GetCommand({ TableName: db.table, Key: keys.tenantKey(tenantId, keyId), ConsistentRead: true }));
      const item = listing.Item;
      if (!item || item.revokedAt || (typeof item.expiresAt === 'string' && item.expiresAt <= now)) throw new KeyNotFoundError();
      if (field === 'expiresAt' && typeof item.expiresAt === 'string') throw new KeyAlreadyRotatedError(item.expiresAt);
      const update = (Key: { pk: string; sk: string }) => ({
        Update: {
          TableName: db.table,
          Key,
          UpdateExpression: 'SET #f = :at',
          ConditionExpression:
            field === 'expiresAt'
              ? 'attribute_exists(pk) AND attribute_not_exists(revokedAt) AND attribute_not_exists(expiresAt)'
              : 'attribute_exists(pk) AND attribute_not_exists(revokedAt) AND (attribute_not_exists(expiresAt) OR expiresAt > :now)',
          ExpressionAttributeNames: { '#f': field },
          ExpressionAttributeValues: field === 'expiresAt' ? { ':at': at } : { ':at': at, ':now': now },
        },
      });
      const { pk: _pk, sk: _sk, type: _t, tenantId: _tenant, hash: _h, ...before } = item;
      const owned = typeof item.customerId === 'string' ? [update(keys.appKey(tenantId, item.customerId, keyId))] : [];
      const r = await transactWrite(db, [update(keys.apiKey(item.hash as string)), update(keys.tenantKey(tenantId, keyId)), ...owned, ...others(before as KeyInfo)]);
      if (!r.ok) throw new KeyNotFoundError();
      cache.delete(item.hash as string);
      return before as KeyInfo;
    },

    /**
     * Items that revoke one of a customer's app keys (its lookup, its listing and the customer's
     * own record of it), for the erasure's transaction. Warm functions may accept it for up to
     * KEY_CACHE_MS more, like any revocation.
     */
    revokeItems(tenantId: string, customerId: string, k: { keyId: string; hash: string }, at: string): TransactItem[] {
      const set = (Key: { pk: string; sk: string }): TransactItem => ({
        Update: { TableName: db.table, Key, UpdateExpression: 'SET revokedAt = if_not_exists(revokedAt, :at)', ConditionExpression: 'attribute_exists(pk)', ExpressionAttributeValues: { ':at': at } },
      });
      return [set(keys.apiKey(k.hash)), set(keys.tenantKey(tenantId, k.keyId)), set(keys.appKey(tenantId, customerId, k.keyId))];
    },

    /**
     * Drops this process's cached answers for a store's keys, so a deactivation takes effect at
     * once here; other processes see it when their cache entries expire (KEY_CACHE_MS).
     */
    forgetStore(tenantId: string, storeId: string): void {
      for (const [hash, hit] of cache) {
        if (hit.item === null || (hit.item.tenantId === tenantId && hit.item.storeId === storeId)) cache.delete(hash);
      }
    },

    /** Stores the hash of a key chosen elsewhere (the local runtime keeps its demo keys stable). */
    async register(key: string, p: Omit<Principal, 'keyId'>, at: string): Promise<void> {
      await db.doc.send(
        new PutCommand({ TableName: db.table, Item: { ...keys.apiKey(hashKey(key)), type: 'apiKey', ...p, createdAt: at } }),
      );
    },
  };
}

export type ApiKeyRepository = ReturnType<typeof apiKeyRepository>;

/** The key repository deps(), the authorizer and the keys function share: a revocation or a store's deactivation here clears the authorizer's cache (other processes: within KEY_CACHE_MS). */
export const sharedApiKeyRepository = perProcess(apiKeyRepository);
