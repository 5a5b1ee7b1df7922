/**
 * Bearer keys. Only a SHA-256 of the key is stored: the keys are 32 random bytes, so a fast hash
 * is enough (nothing to brute-force) and lets the lookup be a single GetItem. Cached briefly in
 * memory so a till's steady stream of requests costs no extra read.
 */
import { createHash, randomBytes } from 'node:crypto';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from './client.ts';
import { keys } from './keys.ts';

export type Role = 'pos' | 'staff';

export interface Principal {
  readonly tenantId: string;
  /** The store a POS key belongs to; staff keys have none. */
  readonly storeId: string | undefined;
  readonly role: Role;
  /** Who acts, for the ledger and audit ("pos:S-01", "staff:anna"). */
  readonly actor: string;
  readonly keyId: string;
}

export const hashKey = (key: string): string => createHash('sha256').update(key, 'utf8').digest('hex');

export const generateKey = (role: Role): string => `tly_${role}_${randomBytes(32).toString('base64url')}`;

export function apiKeyRepository(db: Db, opts: { ttlMs?: number; clock?: () => number } = {}) {
  const ttlMs = opts.ttlMs ?? 60_000;
  const clock = opts.clock ?? Date.now;
  const cache = new Map<string, { value: Principal | null; until: number }>();

  return {
    async resolve(key: string): Promise<Principal | null> {
      const hash = hashKey(key);
      const hit = cache.get(hash);
      if (hit && hit.until > clock()) return hit.value;
      const r = await db.doc.send(new GetCommand({ TableName: db.table, Key: keys.apiKey(hash) }));
      const item = r.Item;
      const value: Principal | null =
        item && !item.revokedAt
          ? {
              tenantId: item.tenantId as string,
              storeId: item.storeId as string | undefined,
              role: item.role as Role,
              actor: item.actor as string,
              keyId: hash.slice(0, 12),
            }
          : null;
      // Unknown keys are cached for less time, so a key created a moment ago works soon.
      cache.set(hash, { value, until: clock() + (value ? ttlMs : 2_000) });
      if (cache.size > 10_000) cache.clear();
      return value;
    },

    /** Stores a new key's hash; the key itself is returned once and never stored. */
    async create(p: Omit<Principal, 'keyId'>, at: string): Promise<{ key: string; keyId: string }> {
      const key = generateKey(p.role);
      const hash = hashKey(key);
      await db.doc.send(
        new PutCommand({
          TableName: db.table,
          Item: { ...keys.apiKey(hash), type: 'apiKey', ...p, createdAt: at },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { key, keyId: hash.slice(0, 12) };
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
