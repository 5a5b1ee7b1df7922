/**
 * The product catalog in the table: one item per SKU in the tenant's catalog partition, and a
 * marker item that says the tenant has a catalog at all (so tills without one look nothing up).
 * Staff read, upsert, delete and page through it; imports put rows. The till's cached lookup is
 * ./catalog-lookup.ts (only the POS function bundles BatchGetItem).
 * Adapter: lib/app/catalog.ts, lib/app/imports.ts → this → DynamoDB.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Product } from '#domain/catalog.ts';
import type { Db } from './client.ts';
import { CATALOG_PRODUCT_PREFIX, keys } from './keys.ts';
import { queryPage } from './page.ts';
import type { TransactItem } from './transact.ts';

/** A product as stored: the product, its content hash (an unchanged row changes nothing) and where it came from. */
export interface ProductRecord extends Product {
  readonly hash: string;
  readonly updatedAt: string;
  /** The import (and row) that last wrote it, or the staff actor. */
  readonly source: { readonly importId: string; readonly row: number } | { readonly actor: string };
}

export type ProductWrite =
  | { readonly outcome: 'written' }
  /** The stored product has the same content; `source` wrote it. */
  | { readonly outcome: 'unchanged'; readonly source: ProductRecord['source'] };

export const toProduct = (item: Record<string, unknown>): ProductRecord => {
  const { pk: _pk, sk: _sk, type: _t, ...rest } = item;
  return rest as unknown as ProductRecord;
};

export function catalogRepository(db: Db) {
  return {
    async get(tenantId: string, sku: string): Promise<ProductRecord | null> {
      const r = await db.doc.send(new GetCommand({ TableName: db.table, Key: keys.product(tenantId, sku), ConsistentRead: true }));
      return r.Item ? toProduct(r.Item) : null;
    },

    putItem(tenantId: string, p: ProductRecord): TransactItem {
      return { Put: { TableName: db.table, Item: { ...keys.product(tenantId, p.sku), type: 'product', ...p } } };
    },

    deleteItem(tenantId: string, sku: string, hash: string): TransactItem {
      return {
        Delete: {
          TableName: db.table,
          Key: keys.product(tenantId, sku),
          // Deleted as read: a change in between is not deleted unseen.
          ConditionExpression: '#h = :h',
          ExpressionAttributeNames: { '#h': 'hash' },
          ExpressionAttributeValues: { ':h': hash },
        },
      };
    },

    /** The marker that makes tills look SKUs up; written with the first product, never removed. */
    markerItem(tenantId: string, at: string): TransactItem {
      return { Put: { TableName: db.table, Item: { ...keys.catalogMarker(tenantId), type: 'catalog', since: at }, ConditionExpression: 'attribute_not_exists(pk)' } };
    },

    async hasMarker(tenantId: string): Promise<boolean> {
      const r = await db.doc.send(new GetCommand({ TableName: db.table, Key: keys.catalogMarker(tenantId), ConsistentRead: true }));
      return Boolean(r.Item);
    },

    async putMarker(tenantId: string, at: string): Promise<void> {
      try {
        await db.doc.send(new PutCommand(this.markerItem(tenantId, at).Put!));
      } catch (e) {
        if (!(e instanceof ConditionalCheckFailedException)) throw e;
      }
    },

    /**
     * Writes a product unless the stored one has the same content (a file imported again, a
     * resumed import): then nothing is written and the writer of the stored one is returned.
     */
    async putIfChanged(tenantId: string, p: ProductRecord): Promise<ProductWrite> {
      try {
        await db.doc.send(
          new PutCommand({
            TableName: db.table,
            Item: { ...keys.product(tenantId, p.sku), type: 'product', ...p },
            ConditionExpression: 'attribute_not_exists(pk) OR #h <> :h',
            ExpressionAttributeNames: { '#h': 'hash' },
            ExpressionAttributeValues: { ':h': p.hash },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return { outcome: 'written' };
      } catch (e) {
        if (!(e instanceof ConditionalCheckFailedException)) throw e;
        // The SDK hands the old item back in DynamoDB's own JSON, even through the document client.
        const old = e.Item ? unmarshall(e.Item as Parameters<typeof unmarshall>[0]) : undefined;
        return { outcome: 'unchanged', source: (old?.source as ProductRecord['source'] | undefined) ?? { actor: 'unknown' } };
      }
    },

    /** A page of the catalog in SKU order. */
    async list(tenantId: string, limit: number, afterSk?: string): Promise<{ products: ProductRecord[]; nextSk: string | undefined }> {
      const page = await queryPage(db, { pk: keys.product(tenantId, '').pk, prefix: CATALOG_PRODUCT_PREFIX, limit, afterSk });
      return { products: page.items.map(toProduct), nextSk: page.nextSk };
    },
  };
}

export type CatalogRepository = ReturnType<typeof catalogRepository>;
