/**
 * One-time sign-in links: only the token's SHA-256 is stored (the token is 32 random bytes, so a
 * fast hash is enough, as for keys), with the customer it opens, when it expires and, once
 * exchanged, when it was used. Adapter: lib/app/links → this → DynamoDB.
 */
import { createHash, randomBytes } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from './client.ts';
import { keys } from './keys.ts';
import { ttlAfter } from './table.ts';
import type { TransactItem } from './transact.ts';

export interface LinkRecord {
  readonly tenantId: string;
  readonly customerId: string;
  readonly createdAt: string;
  readonly expiresAt: string;
  /** Who asked: `staff:anna`, or `customer` (by phone or e-mail). */
  readonly requestedBy: string;
  readonly usedAt?: string | undefined;
}

export const newLinkToken = (): string => `lnk_${randomBytes(32).toString('base64url')}`;
export const hashLinkToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

export function linkRepository(db: Db) {
  return {
    /** The link's item (its token's hash, never the token), for the transaction that records who asked. */
    createItem(token: string, link: LinkRecord): TransactItem {
      return {
        Put: {
          TableName: db.table,
          Item: { ...keys.link(hashLinkToken(token)), type: 'link', ...link, ttl: ttlAfter(link.expiresAt, 1) },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      };
    },

    async get(token: string): Promise<LinkRecord | null> {
      const r = await db.doc.send(new GetCommand({ TableName: db.table, Key: keys.link(hashLinkToken(token)), ConsistentRead: true }));
      if (!r.Item) return null;
      const { pk: _pk, sk: _sk, type: _t, ttl: _ttl, ...link } = r.Item;
      return link as LinkRecord;
    },

    /** Marks the link used, for the transaction that creates the session: only once, only before it expires. */
    useItem(token: string, now: string): TransactItem {
      return {
        Update: {
          TableName: db.table,
          Key: keys.link(hashLinkToken(token)),
          UpdateExpression: 'SET usedAt = :now',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(usedAt) AND expiresAt > :now',
          ExpressionAttributeValues: { ':now': now },
        },
      };
    },

    /** Counts one more link asked for a destination this hour; false once `max` were. */
    async countRequest(tenantId: string, destinationHash: string, now: Date, max: number): Promise<boolean> {
      const hour = now.toISOString().slice(0, 13);
      try {
        await db.doc.send(
          new UpdateCommand({
            TableName: db.table,
            Key: keys.linkRequests(tenantId, destinationHash, hour),
            UpdateExpression: 'ADD n :one SET #ttl = :ttl',
            ConditionExpression: 'attribute_not_exists(n) OR n < :max',
            ExpressionAttributeNames: { '#ttl': 'ttl' },
            ExpressionAttributeValues: { ':one': 1, ':max': max, ':ttl': ttlAfter(now, 1) },
          }),
        );
        return true;
      } catch (e) {
        if (e instanceof ConditionalCheckFailedException) return false;
        throw e;
      }
    },
  };
}

export type LinkRepository = ReturnType<typeof linkRepository>;
