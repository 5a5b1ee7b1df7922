/**
 * Bearer keys. Only a SHA-256 of the key is stored: the keys are 32 random bytes, so a fast hash
 * is enough (nothing to brute-force) and lets the lookup be a single GetItem. Cached briefly in
 * memory so a till's steady stream of requests costs no extra read.
 */
import { createHash, randomBytes } from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { transactWrite } from './transact.ts';
import type { Db } from './client.ts';
import { keys } from './keys.ts';

import type { Role } from '../http/routes.ts';
export type { Role };

export interface Principal {
  readonly tenantId: string;
  /** The store a POS key belongs to; staff keys have none. */
  readonly storeId: string | undefined;
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
    };
  };

  /** Both items of a key: the secret-free lookup by hash, and its listing under the tenant. */
  const putItems = (hash: string, info: KeyInfo, tenantId: string) => [
    {
      Put: {
        TableName: db.table,
        Item: { ...keys.apiKey(hash), type: 'apiKey', tenantId, ...info },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    { Put: { TableName: db.table, Item: { ...keys.tenantKey(tenantId, info.keyId), type: 'apiKeyInfo', tenantId, hash, ...info } } },
  ];

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
      }
      cache.set(hash, { item, until: clock() + ttlMs });
      if (cache.size > 10_000) cache.clear();
      return principalOf(item, hash);
    },

    /** Creates a key and returns it once; only its SHA-256 is stored. */
    async create(p: Omit<Principal, 'keyId'>, at: string, createdBy = 'system'): Promise<{ key: string; keyId: string; info: KeyInfo }> {
      const key = generateKey(p.role);
      const hash = hashKey(key);
      const info: KeyInfo = { keyId: `k_${hash.slice(0, 12)}`, role: p.role, storeId: p.storeId, customerId: p.customerId, rateLimit: p.rateLimit, actor: p.actor, createdAt: at, createdBy };
      const r = await transactWrite(db, putItems(hash, info, p.tenantId));
      if (!r.ok) throw new Error('key collision');
      return { key, keyId: info.keyId, info };
    },

    async list(tenantId: string): Promise<KeyInfo[]> {
      const k = keys.tenantKey(tenantId, '');
      const r = await db.doc.send(
        new QueryCommand({
          TableName: db.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
          ExpressionAttributeValues: { ':pk': k.pk, ':p': k.sk },
        }),
      );
      return (r.Items ?? []).map(({ pk: _pk, sk: _sk, type: _t, tenantId: _tenant, hash: _h, ...info }) => info as KeyInfo);
    },

    /**
     * Ends a key at `at` (revoke: now; rotate: after the overlap) on both of its items.
     * Returns the key's info as it was.
     */
    async end(tenantId: string, keyId: string, field: 'revokedAt' | 'expiresAt', at: string): Promise<KeyInfo> {
      const listing = await db.doc.send(new GetCommand({ TableName: db.table, Key: keys.tenantKey(tenantId, keyId), ConsistentRead: true }));
      const item = listing.Item;
      if (!item || item.revokedAt) throw new KeyNotFoundError();
      const update = (Key: { pk: string; sk: string }) => ({
        Update: {
          TableName: db.table,
          Key,
          UpdateExpression: 'SET #f = :at',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(revokedAt)',
          ExpressionAttributeNames: { '#f': field },
          ExpressionAttributeValues: { ':at': at },
        },
      });
      const r = await transactWrite(db, [update(keys.apiKey(item.hash as string)), update(keys.tenantKey(tenantId, keyId))]);
      if (!r.ok) throw new KeyNotFoundError();
      cache.delete(item.hash as string);
      const { pk: _pk, sk: _sk, type: _t, tenantId: _tenant, hash: _h, ...info } = item;
      return info as KeyInfo;
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
