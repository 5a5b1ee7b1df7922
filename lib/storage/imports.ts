/**
 * Migration imports in the table: the progress item (checkpoint, counts, lease), one item per
 * refused row (the error report is written from them, so a resumed import loses none), and the
 * member transaction — customer, identifiers, ledger entry and the row's idempotency record, all
 * or nothing. Adapter: lib/app/imports.ts → this → DynamoDB.
 */
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { ImportFormat, ImportKind, RowIssue } from '#domain/import-kinds.ts';
import type { Db } from './client.ts';
import { customerItem, customerProfileItem, identifierKeyValue, identifierPut, ledgerPut, type CustomerRecord, type LedgerRow } from './customers.ts';
import { IMPORT_ERROR_PREFIX, keys, type IdentifierKind } from './keys.ts';
import { tableDefinition, ttlAfter } from './table.ts';

const TTL = tableDefinition.timeToLiveAttribute;
import { transactWrite, type TransactItem } from './transact.ts';

export type ImportStatus = 'awaitingUpload' | 'running' | 'writingReport' | 'done' | 'failed';

export interface ImportProgress {
  readonly tenantId: string;
  readonly importId: string;
  readonly kind: ImportKind;
  readonly format: ImportFormat;
  /** The file: its name locally, its object key in AWS. */
  readonly source: string;
  readonly status: ImportStatus;
  /** The checkpoint: every row up to this one (file order, 1-based) is done; a resume starts after it. */
  readonly rowsDone: number;
  readonly imported: number;
  /** Rows whose member an earlier import (or an earlier line of this file) already brought in, unchanged. */
  readonly alreadyImported: number;
  readonly refused: number;
  /** Known once the whole file was read. */
  readonly rowsTotal: number | null;
  readonly bytesDone: number;
  readonly bytesTotal: number | null;
  /** Time spent on rows, summed over every run, for the rate. */
  readonly activeMs: number;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly updatedAt: string;
  readonly finishedAt?: string | undefined;
  /** Where the error report is: a path locally, an object key in the import bucket in AWS. */
  readonly report?: string | undefined;
  readonly failure?: { readonly code: string; readonly message: string } | undefined;
  readonly leaseOwner?: string | undefined;
  readonly leaseUntil?: string | undefined;
}

export interface ImportError {
  /** Position of the member in the file (1-based), the key of the checkpoint. */
  readonly seq: number;
  /** Where to look in the file: the spreadsheet row for CSV (the header is row 1), the line for JSON Lines. */
  readonly row: number;
  readonly issues: readonly RowIssue[];
}

/** How long import bookkeeping is kept (progress, errors, idempotency records): long enough to re-run a file. */
export const IMPORT_RETENTION_DAYS = 90;
const ttlOf = (now: Date) => ttlAfter(now, IMPORT_RETENTION_DAYS);

export type MemberWrite =
  | { readonly outcome: 'imported' }
  /** The same member (same normalised row) was imported before, by `importId` at `row`. */
  | { readonly outcome: 'already'; readonly importId: string; readonly row: number }
  /** The card was imported before with different data. */
  | { readonly outcome: 'changed'; readonly importId: string; readonly row: number }
  /** An identifier belongs to a member this import did not bring (or brought from another row). */
  | { readonly outcome: 'taken'; readonly kind: IdentifierKind }
  /** Another writer touched the same items at that moment; the same write may be tried again. */
  | { readonly outcome: 'race' };

export function importRepository(db: Db) {
  const progressKey = keys.import;
  const fromItem = (item: Record<string, unknown>): ImportProgress => {
    const { pk: _pk, sk: _sk, type: _t, [TTL]: _e, ...rest } = item;
    return rest as unknown as ImportProgress;
  };

  return {
    async get(tenantId: string, importId: string): Promise<ImportProgress | null> {
      const r = await db.doc.send(new GetCommand({ TableName: db.table, Key: progressKey(tenantId, importId), ConsistentRead: true }));
      return r.Item ? fromItem(r.Item) : null;
    },

    /** The progress item of a new import, for a transaction (with its audit item). */
    createItem(p: ImportProgress, now: Date): TransactItem {
      return {
        Put: {
          TableName: db.table,
          Item: { ...progressKey(p.tenantId, p.importId), type: 'import', ...p, [TTL]: ttlOf(now) },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      };
    },

    /** Records a new import; if it exists already (a resume, a redelivered event) the stored one is returned. */
    async create(p: ImportProgress, now: Date): Promise<ImportProgress> {
      try {
        await db.doc.send(
          new PutCommand({
            TableName: db.table,
            Item: { ...progressKey(p.tenantId, p.importId), type: 'import', ...p, [TTL]: ttlOf(now) },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return p;
      } catch (e) {
        if (!(e instanceof ConditionalCheckFailedException)) throw e;
        return (await this.get(p.tenantId, p.importId))!;
      }
    },

    /**
     * Takes the import for `owner` until `until`, unless another runner holds an unexpired lease
     * (a duplicate event, a second CLI): then null, and the caller leaves it alone.
     */
    async claim(tenantId: string, importId: string, owner: string, now: Date, until: Date, bytesTotal: number | null, takeover = false): Promise<ImportProgress | null> {
      try {
        const r = await db.doc.send(
          new UpdateCommand({
            TableName: db.table,
            Key: progressKey(tenantId, importId),
            UpdateExpression: 'SET leaseOwner = :o, leaseUntil = :u, #s = :running, updatedAt = :now, startedAt = if_not_exists(startedAt, :now), bytesTotal = :bt, #x = :x',
            ConditionExpression: `attribute_exists(pk) AND #s IN (:running, :awaiting, :report)${takeover ? '' : ' AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now OR leaseOwner = :o)'}`,
            ExpressionAttributeNames: { '#s': 'status', '#x': TTL },
            ExpressionAttributeValues: {
              ':o': owner,
              ':u': until.toISOString(),
              ':now': now.toISOString(),
              ':running': 'running',
              ':awaiting': 'awaitingUpload',
              ':report': 'writingReport',
              ':bt': bytesTotal,
              ':x': ttlOf(now),
            },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return fromItem(r.Attributes!);
      } catch (e) {
        if (e instanceof ConditionalCheckFailedException) return null;
        throw e;
      }
    },

    /**
     * Moves the checkpoint from `from` to `to` and adds the counts of the rows in between, only
     * if this runner still holds the lease and nobody moved the checkpoint: false if it lost it.
     */
    async checkpoint(
      tenantId: string,
      importId: string,
      owner: string,
      step: { from: number; to: number; imported: number; alreadyImported: number; refused: number; bytesDone: number; activeMs: number },
      now: Date,
      leaseUntil: Date,
    ): Promise<boolean> {
      try {
        await db.doc.send(
          new UpdateCommand({
            TableName: db.table,
            Key: progressKey(tenantId, importId),
            UpdateExpression:
              'SET rowsDone = :to, bytesDone = :b, updatedAt = :now, leaseUntil = :u, #x = :x ADD imported :i, alreadyImported :a, refused :r, activeMs :ms',
            ConditionExpression: 'rowsDone = :from AND leaseOwner = :o',
            ExpressionAttributeNames: { '#x': TTL },
            ExpressionAttributeValues: {
              ':to': step.to,
              ':from': step.from,
              ':b': step.bytesDone,
              ':now': now.toISOString(),
              ':u': leaseUntil.toISOString(),
              ':x': ttlOf(now),
              ':i': step.imported,
              ':a': step.alreadyImported,
              ':r': step.refused,
              ':ms': Math.round(step.activeMs),
              ':o': owner,
            },
          }),
        );
        return true;
      } catch (e) {
        if (e instanceof ConditionalCheckFailedException) return false;
        throw e;
      }
    },

    /** Sets the status (and what goes with it), as the lease holder. */
    async setStatus(
      tenantId: string,
      importId: string,
      owner: string,
      status: ImportStatus,
      now: Date,
      extra: { rowsTotal?: number; report?: string; failure?: { code: string; message: string }; finished?: boolean; bytesDone?: number } = {},
    ): Promise<boolean> {
      const sets = ['#s = :s', 'updatedAt = :now'];
      const values: Record<string, unknown> = { ':s': status, ':now': now.toISOString(), ':o': owner };
      if (extra.rowsTotal !== undefined) (sets.push('rowsTotal = :t'), (values[':t'] = extra.rowsTotal));
      if (extra.report !== undefined) (sets.push('#rep = :rep'), (values[':rep'] = extra.report));
      if (extra.failure !== undefined) (sets.push('failure = :f'), (values[':f'] = extra.failure));
      if (extra.bytesDone !== undefined) (sets.push('bytesDone = :b'), (values[':b'] = extra.bytesDone));
      if (extra.finished) (sets.push('finishedAt = :now'), sets.push('leaseUntil = :now'));
      try {
        await db.doc.send(
          new UpdateCommand({
            TableName: db.table,
            Key: progressKey(tenantId, importId),
            UpdateExpression: `SET ${sets.join(', ')}`,
            ConditionExpression: 'leaseOwner = :o',
            ExpressionAttributeNames: { '#s': 'status', ...(extra.report !== undefined ? { '#rep': 'report' } : {}) },
            ExpressionAttributeValues: values,
          }),
        );
        return true;
      } catch (e) {
        if (e instanceof ConditionalCheckFailedException) return false;
        throw e;
      }
    },

    /** Lets go of the lease (a clean stop), so the next run may take the import at once. */
    async release(tenantId: string, importId: string, owner: string, now: Date): Promise<void> {
      try {
        await db.doc.send(
          new UpdateCommand({
            TableName: db.table,
            Key: progressKey(tenantId, importId),
            UpdateExpression: 'SET leaseUntil = :now, updatedAt = :now',
            ConditionExpression: 'leaseOwner = :o',
            ExpressionAttributeValues: { ':now': now.toISOString(), ':o': owner },
          }),
        );
      } catch (e) {
        if (!(e instanceof ConditionalCheckFailedException)) throw e;
      }
    },

    /** Refuses a whole import before any row (a bad header, a file over the limit): no lease needed. */
    async refuse(tenantId: string, importId: string, failure: { code: string; message: string }, now: Date): Promise<void> {
      await db.doc.send(
        new UpdateCommand({
          TableName: db.table,
          Key: progressKey(tenantId, importId),
          UpdateExpression: 'SET #s = :s, failure = :f, updatedAt = :now, finishedAt = :now',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':s': 'failed', ':f': failure, ':now': now.toISOString() },
        }),
      );
    },

    /** One refused row; keyed by its position, so redoing the row after a resume writes the same item. */
    async putError(tenantId: string, importId: string, error: ImportError, now: Date): Promise<void> {
      await db.doc.send(
        new PutCommand({
          TableName: db.table,
          Item: { ...keys.importError(tenantId, importId, error.seq), type: 'importError', seq: error.seq, row: error.row, issues: error.issues, [TTL]: ttlOf(now) },
        }),
      );
    },

    /** Refused rows in file order, `limit` at a time after `afterSeq`. */
    async errors(tenantId: string, importId: string, limit: number, afterSeq = 0): Promise<{ errors: ImportError[]; nextSeq: number | null }> {
      const pk = progressKey(tenantId, importId).pk;
      const r = await db.doc.send(
        new QueryCommand({
          TableName: db.table,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': pk, ':from': keys.importError(tenantId, importId, afterSeq + 1).sk, ':to': `${IMPORT_ERROR_PREFIX}~` },
          Limit: limit,
        }),
      );
      const errors = (r.Items ?? []).map((i) => ({ seq: i.seq as number, row: i.row as number, issues: i.issues as RowIssue[] }));
      return { errors, nextSeq: r.LastEvaluatedKey ? (errors.at(-1)?.seq ?? null) : null };
    },

    /** Every refused row, page by page, for the report (memory stays one page). */
    async *allErrors(tenantId: string, importId: string): AsyncGenerator<ImportError> {
      let after = 0;
      for (;;) {
        const page = await this.errors(tenantId, importId, 500, after);
        yield* page.errors;
        if (page.nextSeq === null) return;
        after = page.nextSeq;
      }
    },

    /**
     * Writes one migrated member in one transaction: the row's idempotency record (first, so its
     * refusal tells a repeat from a collision), the customer, card / phone / referral-code
     * identifiers that must be new, and the one `migrated` ledger entry. Six items at most.
     */
    async writeMember(record: CustomerRecord, entry: LedgerRow, idem: { importId: string; row: number; rowHash: string }, now: Date): Promise<MemberWrite> {
      const { tenantId } = record;
      const id = record.profile.customerId;
      const claimed: IdentifierKind[] = ['card'];
      const items: TransactItem[] = [
        {
          Put: {
            TableName: db.table,
            Item: {
              ...keys.importedMember(tenantId, record.profile.card),
              type: 'importedMember',
              importId: idem.importId,
              row: idem.row,
              rowHash: idem.rowHash,
              customerId: id,
              at: now.toISOString(),
              [TTL]: ttlOf(now),
            },
            ConditionExpression: 'attribute_not_exists(pk)',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
        { Put: { TableName: db.table, Item: customerItem(record), ConditionExpression: 'attribute_not_exists(pk)' } },
        identifierPut(db, tenantId, 'card', record.profile.card, id),
      ];
      if (record.profile.phone) {
        claimed.push('phone');
        items.push(identifierPut(db, tenantId, 'phone', await identifierKeyValue(tenantId, 'phone', record.profile.phone), id));
      }
      if (record.profile.referralCode) {
        claimed.push('referral');
        items.push(identifierPut(db, tenantId, 'referral', record.profile.referralCode, id));
      }
      // After the identifiers, whose positions the refusals below are read by.
      items.push({ Put: { TableName: db.table, Item: customerProfileItem(record) } });
      items.push(ledgerPut(db, tenantId, id, entry));
      const r = await transactWrite(db, items);
      if (r.ok) return { outcome: 'imported' };
      const first = r.reasons[0];
      if (first?.code === 'ConditionalCheckFailed' && first.item) {
        const earlier = { importId: first.item.importId as string, row: first.item.row as number };
        return first.item.rowHash === idem.rowHash ? { outcome: 'already', ...earlier } : { outcome: 'changed', ...earlier };
      }
      if (r.reasons.some((x) => x.code === 'TransactionConflict')) return { outcome: 'race' };
      // Items 2.. are the identifiers, in the order claimed.
      const failed = r.reasons.findIndex((x, i) => i >= 2 && x.code === 'ConditionalCheckFailed');
      const kind = claimed[failed - 2];
      if (kind) return { outcome: 'taken', kind };
      throw new Error(`member import cancelled: ${r.reasons.map((x) => x.code).join(',')}`);
    },
  };
}

export type ImportRepository = ReturnType<typeof importRepository>;
