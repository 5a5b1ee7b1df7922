/**
 * A tenant's settings (its display name and the language its customers hear from it when their
 * own has no template), one item on the tenant's partition. Read by the notify path through a
 * short in-memory cache; written by the admin use cases with a version check.
 * Adapter: use cases → this → DynamoDB.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from './client.ts';
import { keys } from './keys.ts';
import { transactWrite, type TransactItem } from './transact.ts';

export interface TenantSettings {
  readonly tenantId: string;
  readonly name: string;
  readonly defaultLocale: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly version: number;
}

const settingsOf = (item: Record<string, unknown>): TenantSettings => ({
  tenantId: item.tenantId as string,
  name: item.name as string,
  defaultLocale: item.defaultLocale as string,
  createdAt: item.createdAt as string,
  updatedAt: item.updatedAt as string,
  version: item.version as number,
});

export function tenantRepository(db: Db, opts: { ttlMs?: number; clock?: () => number } = {}) {
  const ttlMs = opts.ttlMs ?? 60_000;
  const clock = opts.clock ?? Date.now;
  const cache = new Map<string, { value: TenantSettings | null; until: number }>();

  return {
    async settings(tenantId: string, consistent = true): Promise<TenantSettings | null> {
      const r = await db.doc.send(new GetCommand({ TableName: db.table, Key: keys.tenantSettings(tenantId), ConsistentRead: consistent }));
      return r.Item ? settingsOf(r.Item) : null;
    },

    /** The settings as a message renderer needs them: cached a minute, a change reaches messages within it. */
    async cachedSettings(tenantId: string): Promise<TenantSettings | null> {
      const hit = cache.get(tenantId);
      if (hit && hit.until > clock()) return hit.value;
      const value = await this.settings(tenantId, false);
      cache.set(tenantId, { value, until: clock() + ttlMs });
      if (cache.size > 1_000) cache.clear();
      return value;
    },

    /**
     * Writes the settings if they are still at `version - 1` (0: not there yet), with `extra` (the
     * audit record) in the same transaction; false if someone else wrote them since.
     */
    async save(s: TenantSettings, extra: TransactItem[] = []): Promise<boolean> {
      const r = await transactWrite(db, [
        {
          Put: {
            TableName: db.table,
            Item: { ...keys.tenantSettings(s.tenantId), type: 'tenantSettings', ...s },
            ConditionExpression: s.version === 1 ? 'attribute_not_exists(pk)' : 'version = :prev',
            ...(s.version === 1 ? {} : { ExpressionAttributeValues: { ':prev': s.version - 1 } }),
          },
        },
        ...extra,
      ]);
      if (r.ok) cache.delete(s.tenantId);
      return r.ok;
    },
  };
}

export type TenantRepository = ReturnType<typeof tenantRepository>;
