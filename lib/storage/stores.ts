/**
 * Stores of a tenant (the places POS keys belong to), on the tenant's partition next to its
 * program and keys. Adapter: use cases → this → DynamoDB.
 *
 * A store item also answers a retried create (it keeps the first request's hash and answer) and
 * carries `version`, so an edit never overwrites one it did not see.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from './client.ts';
import { keys } from './keys.ts';
import { transactWrite, type TransactItem } from './transact.ts';

export interface StoreRecord {
  readonly storeId: string;
  readonly name: string;
  readonly address?: string | undefined;
  /** IANA zone of the store, when it differs from the program's. */
  readonly timeZone?: string | undefined;
  /** Labels such as region or format (`{ region: "north", format: "pharmacy" }`). */
  readonly tags: Readonly<Record<string, string>>;
  /** A deactivated store's POS keys stop working; its receipts stay and can still be returned elsewhere. */
  readonly active: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly deactivatedAt?: string | undefined;
  readonly version: number;
}

/** What a create stored for its retries: the request's hash and the answer it got. */
export interface StoreCreation {
  readonly requestHash: string;
  readonly answer: string;
}

const FIELDS = ['storeId', 'name', 'address', 'timeZone', 'tags', 'active', 'createdAt', 'updatedAt', 'deactivatedAt', 'version'] as const;

const record = (item: Record<string, unknown>): StoreRecord => {
  const r = Object.fromEntries(FIELDS.filter((f) => item[f] !== undefined).map((f) => [f, item[f]])) as Partial<StoreRecord>;
  // Stores written before these fields existed: active, untagged, first version.
  return { tags: {}, active: true, version: 1, updatedAt: item.createdAt as string, ...r } as StoreRecord;
};

export function storeRepository(db: Db) {
  return {
    async get(tenantId: string, storeId: string, consistent = false): Promise<StoreRecord | null> {
      const r = await db.doc.send(new GetCommand({ TableName: db.table, Key: keys.store(tenantId, storeId), ConsistentRead: consistent }));
      return r.Item ? record(r.Item) : null;
    },

    /** What the create of this store stored for retries (null for a store that does not exist). */
    async creation(tenantId: string, storeId: string): Promise<(StoreCreation & { store: StoreRecord }) | null> {
      const r = await db.doc.send(new GetCommand({ TableName: db.table, Key: keys.store(tenantId, storeId), ConsistentRead: true }));
      if (!r.Item) return null;
      return { requestHash: (r.Item.requestHash as string | undefined) ?? '', answer: (r.Item.answer as string | undefined) ?? '', store: record(r.Item) };
    },

    /**
     * Creates the store with `extra` (its audit record) in one transaction; false if the id is
     * taken (the caller reads `creation` to replay or refuse).
     */
    async create(tenantId: string, store: StoreRecord, creation: StoreCreation, extra: TransactItem[] = []): Promise<boolean> {
      const r = await transactWrite(db, [
        {
          Put: {
            TableName: db.table,
            Item: { ...keys.store(tenantId, store.storeId), type: 'store', tenantId, ...store, ...creation },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        ...extra,
      ]);
      return r.ok;
    },

    /** Replaces the store's details if it is still at `version`; false if someone changed it since. */
    async update(tenantId: string, store: StoreRecord, version: number, extra: TransactItem[] = []): Promise<boolean> {
      const names: Record<string, string> = {};
      const values: Record<string, unknown> = { ':v': version };
      const set: string[] = [];
      const remove: string[] = [];
      for (const f of FIELDS.filter((f) => f !== 'storeId' && f !== 'createdAt')) {
        names[`#${f}`] = f;
        if (store[f] === undefined) remove.push(`#${f}`);
        else {
          set.push(`#${f} = :${f}`);
          values[`:${f}`] = store[f];
        }
      }
      const r = await transactWrite(db, [
        {
          Update: {
            TableName: db.table,
            Key: keys.store(tenantId, store.storeId),
            UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
            // A store written before versions existed has none: it counts as version 1.
            ConditionExpression: version === 1 ? 'attribute_exists(pk) AND (attribute_not_exists(#version) OR #version = :v)' : '#version = :v',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          },
        },
        ...extra,
      ]);
      return r.ok;
    },

    /** One page of the tenant's stores in id order. */
    async list(tenantId: string, limit: number, afterStoreId?: string): Promise<{ stores: StoreRecord[]; last: string | undefined }> {
      const k = keys.store(tenantId, '');
      const r = await db.doc.send(
        new QueryCommand({
          TableName: db.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
          ExpressionAttributeValues: { ':pk': k.pk, ':p': k.sk },
          Limit: limit,
          ...(afterStoreId !== undefined ? { ExclusiveStartKey: keys.store(tenantId, afterStoreId) } : {}),
        }),
      );
      const stores = (r.Items ?? []).map(record);
      return { stores, last: r.LastEvaluatedKey ? stores.at(-1)?.storeId : undefined };
    },
  };
}

export type StoreRepository = ReturnType<typeof storeRepository>;
