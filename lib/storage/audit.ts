/**
 * The audit trail: one immutable item per staff action (who, when, what, before and after),
 * written in the same transaction as the action itself, so an action without its record — or
 * a record without its action — cannot exist. Items are never updated or deleted by the code.
 * Adapter: use cases → this → DynamoDB.
 */
import { randomBytes } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from './client.ts';
import { keys } from './keys.ts';
import type { TransactItem } from './transact.ts';

export interface AuditRecord {
  readonly at: string;
  /** Who acted (`staff:anna`), and with which credential and role, so a shared or leaked key can be traced. */
  readonly actor: string;
  readonly keyId: string;
  readonly role: string;
  readonly action: string;
  /** What the action was on: `customer:c_…`, `program`, `coupon-campaign:…`. */
  readonly target: string;
  readonly before?: unknown;
  readonly after?: unknown;
}

/** The credential behind an action (a Principal has all of these). */
export interface Acting {
  readonly tenantId: string;
  readonly actor: string;
  readonly keyId: string;
  readonly role: string;
}

export function auditRepository(db: Db) {
  return {
    /** The audit item for an action, to go into the action's own transaction. */
    item(by: Acting, record: Omit<AuditRecord, 'actor' | 'keyId' | 'role'>): TransactItem {
      const full: AuditRecord = { ...record, actor: by.actor, keyId: by.keyId, role: by.role };
      return {
        Put: {
          TableName: db.table,
          Item: { ...keys.audit(by.tenantId, record.at, randomBytes(6).toString('hex')), type: 'audit', ...full },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      };
    },

    /** One month of records, newest first, paginated. */
    async month(tenantId: string, month: string, limit: number, afterSk?: string): Promise<{ records: AuditRecord[]; nextSk: string | undefined }> {
      const pk = keys.audit(tenantId, `${month}-01T00:00:00.000Z`, '').pk;
      const r = await db.doc.send(
        new QueryCommand({
          TableName: db.table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk },
          ScanIndexForward: false,
          Limit: limit,
          ...(afterSk ? { ExclusiveStartKey: { pk, sk: afterSk } } : {}),
        }),
      );
      const records = (r.Items ?? []).map((i) => {
        const { pk: _pk, sk: _sk, type: _t, ...rest } = i;
        return rest as AuditRecord;
      });
      return { records, nextSk: r.LastEvaluatedKey?.sk as string | undefined };
    },
  };
}

export type AuditRepository = ReturnType<typeof auditRepository>;
