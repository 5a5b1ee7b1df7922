/** Stores of a tenant (the places POS keys belong to). Adapter: use cases → this → DynamoDB. */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from './client.ts';
import { keys } from './keys.ts';

export interface StoreRecord {
  readonly storeId: string;
  readonly name: string;
  readonly createdAt: string;
}

export function storeRepository(db: Db) {
  return {
    async get(tenantId: string, storeId: string): Promise<StoreRecord | null> {
      const r = await db.doc.send(new GetCommand({ TableName: db.table, Key: keys.store(tenantId, storeId) }));
      return r.Item ? { storeId: r.Item.storeId as string, name: r.Item.name as string, createdAt: r.Item.createdAt as string } : null;
    },
    async put(tenantId: string, store: StoreRecord): Promise<void> {
      await db.doc.send(new PutCommand({ TableName: db.table, Item: { ...keys.store(tenantId, store.storeId), type: 'store', tenantId, ...store } }));
    },
  };
}

export type StoreRepository = ReturnType<typeof storeRepository>;
