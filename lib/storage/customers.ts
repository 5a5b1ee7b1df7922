/**
 * Customers: two items, identifier items that make card and phone unique per tenant, and the
 * ledger in the same partition. Adapter: use cases → this → DynamoDB.
 *
 * A receipt rewrites the customer item whole, and DynamoDB bills that write per started KB, twice
 * in a transaction. So the customer item (`CUSTOMER`) holds what a commit reads or changes (the
 * points account with the latest month of activity, consents, version) and the profile item
 * (`PROFILE`) what a receipt never changes: card, name, e-mail, phone, birth date, push
 * devices, the staff tier record, the months of activity before the latest, the segments job's and
 * custom events' own account fields, and the members, name and birthday index keys. `get` reads both (two GetItems at once); the till reads
 * the customer item alone (`getAccount`) and a write rewrites the profile item only when its part
 * changed; the first receipt of a month sets the month before on it alone (`moveMonths`). Items from before the split (everything on `CUSTOMER`, no `profileApart`) read as
 * they are and are split by their next write.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { emptyAccount, NEVER_EXPIRES, type Account, type LedgerEntry } from '#domain/account.ts';
import { birthdayOf } from '#domain/calendar.ts';
import { nextRefillReminder } from '#domain/refills.ts';
import { withCounts } from '#domain/rewards.ts';
import { normalizeName } from '#domain/names.ts';
import type { PendingReferral } from '#domain/referral.ts';
import type { Channel, Reachability } from '#domain/notifications.ts';
import type { MonthKey } from '#domain/time.ts';
import type { Db } from './client.ts';
import { queryPage } from './page.ts';
import { indexKeys, keys, LEDGER_PREFIX, REFERRAL_PREFIX, shardOf, type IdentifierKind } from './keys.ts';
import { IdentifierTakenError } from './identifier-taken.ts';
import { lookupHash } from './lookup-key.ts';
import { transactWrite, type TransactItem } from './transact.ts';

export interface Consents {
  readonly sms: boolean;
  readonly email: boolean;
  readonly push: boolean;
}

export interface CustomerProfile {
  readonly customerId: string;
  readonly card: string;
  readonly phone?: string | undefined;
  readonly name?: string | undefined;
  readonly email?: string | undefined;
  readonly birthDate?: string | undefined;
  readonly locale?: string | undefined;
  readonly consents: Consents;
  readonly createdAt: string;
  /** The code this customer gives friends. */
  readonly referralCode?: string | undefined;
  /** Push tokens the app registered, newest first. */
  readonly devices?: ReadonlyArray<{ readonly token: string; readonly platform: 'GCM' | 'APNS' }> | undefined;
  /** The store whose till enrolled the customer (none: staff, the app, an import), for members by store. */
  readonly enrolmentStoreId?: string | undefined;
  /** The migration import that brought this member over from the chain's old system. */
  readonly importId?: string | undefined;
  /** Set when the customer's personal data was erased; the record keeps only the books. */
  readonly erasedAt?: string | undefined;
}

export interface StaffTierAssignment {
  readonly tierId: string | null;
  readonly by: string;
  readonly at: string;
  readonly reason: string;
}

/**
 * How a record was read, so that its write rewrites what it must: `oneItem` (an item from before
 * the profile had its own: both are written), `apart` (both items read), `accountOnly` (the
 * customer item alone: no card, name, e-mail, phone, birth date, devices, staff tier
 * record or months of activity before the latest; a write of it may not change those).
 * Absent on a record not stored yet.
 */
export type CustomerReadAs = 'oneItem' | 'apart' | 'accountOnly';

export interface CustomerRecord {
  readonly readAs?: CustomerReadAs | undefined;
  /** The channels the customer has a contact on (phone, e-mail, devices), as stored: set by an `accountOnly` read, which has no contacts. */
  readonly contactChannels?: readonly Channel[] | undefined;
  readonly tenantId: string;
  readonly profile: CustomerProfile;
  readonly account: Account;
  readonly staffTier?: StaffTierAssignment | undefined;
  /** Sequence number of the newest ledger entry. */
  readonly ledgerSeq: number;
  /** Optimistic-lock version; every write is conditional on it. */
  readonly version: number;
  /**
   * Rewards for friends' first purchases that older versions appended to this item, not yet
   * settled. (They now wait in items of their own; see `pendingReferrals` of the repository.)
   */
  readonly pendingReferrals: readonly PendingReferral[];
}

/** What caused a ledger entry, kept on the entry so the ledger explains itself. */
export interface LedgerSource {
  readonly receiptId?: string;
  readonly returnId?: string;
  readonly storeId?: string;
  readonly adjustmentId?: string;
  readonly actor?: string;
  readonly reason?: string;
  /** The migration import that opened this account (kind `migrated`). */
  readonly importId?: string;
  /** The custom event that earned the points (kind `event`), and its type. */
  readonly eventId?: string;
  readonly eventType?: string;
}

export interface LedgerRow extends LedgerEntry {
  readonly seq: number;
  readonly at: string;
  readonly source: LedgerSource;
}

/** Another request was writing the same items at that moment; try again. */
export class CreateRaceError extends Error {
  constructor() {
    super('a concurrent request touched the same items');
    this.name = 'CreateRaceError';
  }
}

/** An enrolment with this id was already made; its first answer is here. */
export class EnrolmentExistsError extends Error {
  readonly requestHash: string;
  readonly response: string;
  constructor(requestHash: string, response: string) {
    super('enrolment already made');
    this.name = 'EnrolmentExistsError';
    this.requestHash = requestHash;
    this.response = response;
  }
}

export { IdentifierTakenError };

/** Where a page of the names index ended: the name key and the customer (names need not be unique). */
export interface NameIndexPosition {
  readonly nameSk: string;
  readonly customerId: string;
  /** The sort key of the item that carries the entry: `PROFILE`, or `CUSTOMER` for an item from before the split. */
  readonly sk: string;
}

/** App keys a customer may have at once (one per phone or tablet, with room for a rotation). */
export const MAX_APP_KEYS = 5;

export function customerRepository(db: Db) {
  const toItem = customerItem;

  const fromItem = customerFromItems;

  return {
    /** The whole customer: both items, read at once (strongly consistent). */
    async get(tenantId: string, customerId: string): Promise<CustomerRecord | null> {
      const [hot, cold] = await Promise.all([
        db.doc.send(new GetCommand({ TableName: db.table, Key: keys.customer(tenantId, customerId), ConsistentRead: true })),
        db.doc.send(new GetCommand({ TableName: db.table, Key: keys.customerProfile(tenantId, customerId), ConsistentRead: true })),
      ]);
      return hot.Item ? fromItem(hot.Item, cold.Item ?? null) : null;
    },

    /**
     * The customer item alone, what the till prices and commits with (one read unit): see
     * CustomerReadAs `accountOnly`. An item from before the split is whole and reads as `oneItem`.
     */
    async getAccount(tenantId: string, customerId: string): Promise<CustomerRecord | null> {
      const r = await db.doc.send(new GetCommand({ TableName: db.table, Key: keys.customer(tenantId, customerId), ConsistentRead: true }));
      return r.Item ? fromItem(r.Item, undefined) : null;
    },

    async findId(tenantId: string, kind: IdentifierKind, value: string): Promise<string | null> {
      const r = await db.doc.send(
        new GetCommand({ TableName: db.table, Key: keys.identifier(tenantId, kind, await identifierKeyValue(tenantId, kind, value)), ConsistentRead: true }),
      );
      return (r.Item?.customerId as string | undefined) ?? null;
    },

    /** Creates the customer and claims its identifiers in one transaction. */
    /**
     * Creates the customer and claims its identifiers in one transaction; `idempotency`, if given,
     * is written with it and makes a repeat fail with EnrolmentExistsError instead.
     */
    async create(
      record: CustomerRecord,
      extra: { entries: LedgerRow[]; idempotency?: { key: { pk: string; sk: string }; requestHash: string; response: string }; others?: TransactItem[] } = { entries: [] },
    ): Promise<void> {
      const claimed: IdentifierKind[] = ['card'];
      const items: TransactItem[] = [
        { Put: { TableName: db.table, Item: toItem(record), ConditionExpression: 'attribute_not_exists(pk)' } },
        identifierPut(db, record.tenantId, 'card', record.profile.card, record.profile.customerId),
      ];
      if (record.profile.phone) {
        claimed.push('phone');
        items.push(identifierPut(db, record.tenantId, 'phone', await identifierKeyValue(record.tenantId, 'phone', record.profile.phone), record.profile.customerId));
      }
      if (record.profile.referralCode) {
        claimed.push('referral');
        items.push(identifierPut(db, record.tenantId, 'referral', record.profile.referralCode, record.profile.customerId));
      }
      // Unconditional: the customer item's condition already says the customer is new.
      items.push({ Put: { TableName: db.table, Item: customerProfileItem(record) } });
      items.push(...extra.entries.map((e) => ledgerPut(db, record.tenantId, record.profile.customerId, e)));
      if (extra.idempotency) {
        const { key, requestHash, response } = extra.idempotency;
        items.push({
          Put: {
            TableName: db.table,
            Item: { ...key, type: 'enrolment', requestHash, response, customerId: record.profile.customerId },
            ConditionExpression: 'attribute_not_exists(pk)',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        });
      }
      items.push(...(extra.others ?? []));
      const r = await transactWrite(db, items);
      if (r.ok) return;
      const last = r.reasons.at(-1);
      if (extra.idempotency && last?.code === 'ConditionalCheckFailed' && last.item) {
        throw new EnrolmentExistsError(last.item.requestHash as string, last.item.response as string);
      }
      if (r.reasons.some((x) => x.code === 'TransactionConflict')) throw new CreateRaceError();
      const failed = r.reasons.findIndex((x, i) => i > 0 && x.code === 'ConditionalCheckFailed');
      const kind = claimed[failed - 1];
      if (kind) throw new IdentifierTakenError(kind);
      throw new Error(`customer create cancelled: ${r.reasons.map((x) => x.code).join(',')}`);
    },

    /**
     * The transaction items that save `next` over `prev` with its new ledger entries: the customer
     * item (conditional on the version, which every write moves, so the profile item needs no
     * condition of its own), the entries, and last the profile item if its part changed (always
     * for a record read from one item, which this splits).
     */
    updateItems(prev: CustomerRecord, next: CustomerRecord, entries: readonly LedgerRow[]): TransactItem[] {
      const items: TransactItem[] = [
        {
          Put: {
            TableName: db.table,
            Item: toItem({ ...next, version: prev.version + 1 }),
            ConditionExpression: '#v = :v',
            ExpressionAttributeNames: { '#v': 'version' },
            ExpressionAttributeValues: { ':v': prev.version },
          },
        },
        ...entries.map((e) => ledgerPut(db, prev.tenantId, prev.profile.customerId, e)),
      ];
      const profile = customerProfileItem({ ...next, version: prev.version });
      const unchanged = prev.readAs !== undefined && prev.readAs !== 'oneItem' && JSON.stringify(customerProfileItem(prev)) === JSON.stringify(profile);
      // The month turn of a record read from the customer item alone: moveMonths writes the month it moves.
      if (!unchanged && monthsMovedOut(prev, next)) return items;
      if (prev.readAs === 'accountOnly' && !unchanged) {
        // The profile item was not read: writing this one would lose what it holds.
        throw new Error('a customer read without its profile item cannot change it (name, contacts, staff tier, earlier months of activity): read it with get');
      }
      if (!unchanged) items.push({ Put: { TableName: db.table, Item: profile } });
      return items;
    },

    /**
     * The month turn of a record read from the customer item alone (`accountOnly`): sets the months
     * that leave the customer item on the profile item, one UpdateItem outside the commit's
     * transaction and before it (one write unit for a profile item under 1 KB, where inside it
     * would be two, and no read of the profile item). Safe outside: it only sets months the
     * customer item still holds until the commit lands, and a read takes those from the customer
     * item, so if the commit fails or the process dies between the two writes the record reads as
     * before and the retry sets the months again (idempotent). `earlierAsOf` (the customer version
     * the profile item's months were read at) keeps a slow writer from setting an older value
     * over a newer one. False when the profile item cannot take it (a newer move was made, or it
     * has no months map): the caller reads the whole record and writes it instead.
     */
    async moveMonths(prev: CustomerRecord, next: CustomerRecord): Promise<boolean> {
      const moved = monthsMovedOut(prev, next);
      if (!moved) return true;
      const names: Record<string, string> = { '#e': 'earlierActivity', '#asOf': 'earlierAsOf' };
      const values: Record<string, unknown> = { ':v': prev.version };
      const sets = Object.entries(moved).map(([m, a], i) => {
        names[`#m${i}`] = m;
        values[`:a${i}`] = a;
        return `#e.#m${i} = :a${i}`;
      });
      try {
        await db.doc.send(
          new UpdateCommand({
            TableName: db.table,
            Key: keys.customerProfile(prev.tenantId, prev.profile.customerId),
            UpdateExpression: `SET ${sets.join(', ')}, #asOf = :v`,
            ConditionExpression: 'attribute_exists(#e) AND (attribute_not_exists(#asOf) OR #asOf <= :v)',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          }),
        );
        return true;
      } catch (e) {
        if (e instanceof ConditionalCheckFailedException) return false;
        throw e;
      }
    },

    /**
     * Leaves a friend's first-purchase reward for the referrer in an item of its own, inside the
     * friend's commit: the referrer's item is not touched, so it neither grows with a popular code
     * nor makes the friend's purchase contend with the referrer's writes. One per friend.
     */
    referralRewardItem(tenantId: string, referrerId: string, reward: PendingReferral): TransactItem {
      return {
        Put: {
          TableName: db.table,
          Item: { ...keys.referralReward(tenantId, referrerId, reward.friendId), type: 'referralReward', tenantId, referrerId, ...reward },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      };
    },

    /**
     * Counts a friend who is enrolling with this customer's code, before the friend is created (a
     * count too high only costs a look for rewards that are not there; too low would strand one).
     * The version moves, so a write of the referrer in flight re-reads instead of undoing it.
     * Accounts from before the count was kept are left alone (their rewards are always looked for).
     */
    async countFriendEnrolling(tenantId: string, referrerId: string): Promise<void> {
      try {
        await db.doc.send(
          new UpdateCommand({
            TableName: db.table,
            Key: keys.customer(tenantId, referrerId),
            UpdateExpression: 'SET #a.#r.#n = #a.#r.#n + :one, #v = #v + :one',
            ConditionExpression: 'attribute_exists(#a.#r.#n)',
            ExpressionAttributeNames: { '#a': 'account', '#r': 'referral', '#n': 'friendsEnrolled', '#v': 'version' },
            ExpressionAttributeValues: { ':one': 1 },
          }),
        );
      } catch (e) {
        if (!(e instanceof ConditionalCheckFailedException)) throw e;
      }
    },

    /** Up to `limit` friends' rewards waiting for this customer (a Query of their items, oldest key first). */
    async pendingReferrals(tenantId: string, customerId: string, limit: number): Promise<PendingReferral[]> {
      const r = await db.doc.send(
        new QueryCommand({
          TableName: db.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
          ExpressionAttributeValues: { ':pk': keys.customer(tenantId, customerId).pk, ':p': REFERRAL_PREFIX },
          ConsistentRead: true,
          Limit: limit,
        }),
      );
      return (r.Items ?? []).map((i) => ({ friendId: i.friendId as string, receiptId: i.receiptId as string, at: i.at as string }));
    },

    /** How many friends' rewards wait for this customer, counting at most `max`. */
    async pendingReferralCount(tenantId: string, customerId: string, max: number): Promise<number> {
      let count = 0;
      let start: Record<string, unknown> | undefined;
      do {
        const r = await db.doc.send(
          new QueryCommand({
            TableName: db.table,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
            ExpressionAttributeValues: { ':pk': keys.customer(tenantId, customerId).pk, ':p': REFERRAL_PREFIX },
            Select: 'COUNT',
            ConsistentRead: true,
            Limit: max - count,
            ExclusiveStartKey: start,
          }),
        );
        count += r.Count ?? 0;
        start = r.LastEvaluatedKey;
      } while (start && count < max);
      return count;
    },

    /** Deletes of settled friends' rewards, in the transaction that credits them (each once). */
    settledReferralDeletes(tenantId: string, customerId: string, settled: readonly PendingReferral[]): TransactItem[] {
      return settled.map((p) => ({
        Delete: { TableName: db.table, Key: keys.referralReward(tenantId, customerId, p.friendId), ConditionExpression: 'attribute_exists(pk)' },
      }));
    },

    /**
     * One page of the items in the customer's partition but the customer and profile items (ledger,
     * notifications, runs, reviews, …), in key order, for export and erasure: a long-time
     * customer's partition is read a page at a time, never whole.
     */
    async partitionPage(tenantId: string, customerId: string, limit: number, afterSk?: string): Promise<{ items: Array<Record<string, unknown>>; nextSk: string | undefined }> {
      const page = await queryPage(db, { pk: keys.customer(tenantId, customerId).pk, limit, afterSk });
      const own = [keys.customer(tenantId, customerId).sk, keys.customerProfile(tenantId, customerId).sk];
      return { items: page.items.filter((i) => !own.includes(i.sk as string)), nextSk: page.nextSk };
    },

    /**
     * The customer's app keys, live and ended, page by page (a customer has at most MAX_APP_KEYS
     * live ones; ended ones stay as the record of what existed).
     */
    async appKeys(tenantId: string, customerId: string): Promise<Array<{ keyId: string; hash: string; createdAt?: string; revokedAt?: string; expiresAt?: string }>> {
      const k = keys.appKey(tenantId, customerId, '');
      const out: Array<{ keyId: string; hash: string; createdAt?: string; revokedAt?: string; expiresAt?: string }> = [];
      let afterSk: string | undefined;
      do {
        const page = await queryPage(db, { pk: k.pk, prefix: k.sk, limit: 25, afterSk });
        for (const i of page.items) {
          out.push({ keyId: i.keyId as string, hash: i.hash as string, ...(i.createdAt ? { createdAt: i.createdAt as string } : {}), ...(i.revokedAt ? { revokedAt: i.revokedAt as string } : {}), ...(i.expiresAt ? { expiresAt: i.expiresAt as string } : {}) });
        }
        afterSk = page.nextSk;
      } while (afterSk);
      return out;
    },

    /** Deletes of the identifier items that point at this customer (card, phone, referral code, a migrated member's import record). */
    async identifierDeletes(c: CustomerRecord): Promise<TransactItem[]> {
      const owned: Array<[IdentifierKind, string | undefined]> = [
        ['card', c.profile.card || undefined],
        ['phone', c.profile.phone],
        ['referral', c.profile.referralCode],
      ];
      const items: TransactItem[] = [];
      for (const [kind, value] of owned) {
        if (!value) continue;
        items.push({
          Delete: {
            TableName: db.table,
            Key: keys.identifier(c.tenantId, kind, await identifierKeyValue(c.tenantId, kind, value)),
            // Only ours: an identifier another customer holds now is left alone.
            ConditionExpression: 'attribute_not_exists(pk) OR customerId = :c',
            ExpressionAttributeValues: { ':c': c.profile.customerId },
          },
        });
      }
      // A migrated member's import record is keyed by the card number: it goes with the identifiers.
      if (c.profile.importId && c.profile.card) {
        items.push({
          Delete: {
            TableName: db.table,
            Key: keys.importedMember(c.tenantId, c.profile.card),
            ConditionExpression: 'attribute_not_exists(pk) OR customerId = :c',
            ExpressionAttributeValues: { ':c': c.profile.customerId },
          },
        });
      }
      return items;
    },

    /** The stored first answer of an enrolment made with this enrolmentId, if any. */
    async enrolment(tenantId: string, enrolmentId: string): Promise<{ requestHash: string; response: string } | null> {
      const r = await db.doc.send(new GetCommand({ TableName: db.table, Key: keys.enrolment(tenantId, enrolmentId), ConsistentRead: true }));
      return r.Item ? { requestHash: r.Item.requestHash as string, response: r.Item.response as string } : null;
    },

    /** Membership items that keep "customers in segment S" a Query; written with the customer. */
    segmentItems(tenantId: string, customerId: string, before: readonly string[], after: readonly string[], at?: string): TransactItem[] {
      const added = after.filter((s) => !before.includes(s));
      const removed = before.filter((s) => !after.includes(s));
      return [
        ...added.map((s): TransactItem => ({
          Put: { TableName: db.table, Item: { ...keys.segmentMember(tenantId, s, customerId), type: 'segmentMember', customerId, ...(at ? { at } : {}) } },
        })),
        ...removed.map((s): TransactItem => ({ Delete: { TableName: db.table, Key: keys.segmentMember(tenantId, s, customerId) } })),
      ];
    },

    /** Up to `max` customer ids in a segment; `truncated` if there are more. */
    async segmentMembers(tenantId: string, segment: string, max: number): Promise<{ ids: string[]; truncated: boolean }> {
      const ids: string[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const r = await db.doc.send(
          new QueryCommand({
            TableName: db.table,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': keys.segmentMember(tenantId, segment, '').pk },
            ExclusiveStartKey: start,
            Limit: Math.min(1000, max + 1 - ids.length),
          }),
        );
        ids.push(...(r.Items ?? []).map((i) => i.customerId as string));
        start = r.LastEvaluatedKey;
      } while (start && ids.length <= max);
      return { ids: ids.slice(0, max), truncated: ids.length > max };
    },

    /** One page of a segment's members in customer-id order, each with when they entered (if known). */
    async segmentPage(tenantId: string, segment: string, limit: number, afterSk?: string): Promise<{ members: Array<{ customerId: string; at?: string }>; nextSk: string | undefined }> {
      const page = await queryPage(db, { pk: keys.segmentMember(tenantId, segment, '').pk, limit, afterSk });
      return { members: page.items.map((i) => ({ customerId: i.customerId as string, ...(i.at ? { at: i.at as string } : {}) })), nextSk: page.nextSk };
    },

    /**
     * One page of the customers whose normalised name starts with `prefix` (normalised, not
     * empty), in name order: a Query of one partition of the sparse `names` index (KEYS_ONLY, so
     * it yields the customer keys), never a scan. `after` is the index key the page before ended on.
     */
    async idsByNamePrefix(
      tenantId: string,
      prefix: string,
      limit: number,
      after?: NameIndexPosition,
    ): Promise<{ ids: string[]; next: NameIndexPosition | undefined }> {
      const namePk = indexKeys.names(tenantId, Array.from(prefix)[0]!);
      const r = await db.doc.send(
        new QueryCommand({
          TableName: db.table,
          IndexName: 'names',
          KeyConditionExpression: 'namePk = :pk AND begins_with(nameSk, :p)',
          ExpressionAttributeValues: { ':pk': namePk, ':p': prefix },
          Limit: limit,
          ...(after ? { ExclusiveStartKey: { namePk, nameSk: after.nameSk, pk: keys.customer(tenantId, after.customerId).pk, sk: after.sk } } : {}),
        }),
      );
      const idOf = (pk: string) => pk.slice(keys.customer(tenantId, '').pk.length);
      const last = r.LastEvaluatedKey;
      return {
        ids: (r.Items ?? []).map((i) => idOf(i.pk as string)),
        next: last ? { nameSk: last.nameSk as string, customerId: idOf(last.pk as string), sk: last.sk as string } : undefined,
      };
    },

    async ledger(
      tenantId: string,
      customerId: string,
      limit: number,
      afterSk: string | undefined,
    ): Promise<{ rows: LedgerRow[]; nextSk: string | undefined }> {
      const k = keys.customer(tenantId, customerId);
      const r = await db.doc.send(
        new QueryCommand({
          TableName: db.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': k.pk, ':prefix': LEDGER_PREFIX },
          ScanIndexForward: false,
          Limit: limit,
          ...(afterSk ? { ExclusiveStartKey: { pk: k.pk, sk: afterSk } } : {}),
        }),
      );
      const rows = (r.Items ?? []).map((i) => {
        const { pk: _pk, sk: _sk, type: _t, ...row } = i;
        return row as LedgerRow;
      });
      return { rows, nextSk: r.LastEvaluatedKey?.sk as string | undefined };
    },
  };
}

export type CustomerRepository = ReturnType<typeof customerRepository>;

/** Appends ledger rows for `entries`, numbering them after `record.ledgerSeq`. */
export function numberEntries(
  record: CustomerRecord,
  entries: readonly LedgerEntry[],
  at: string,
  source: LedgerSource,
): LedgerRow[] {
  return entries.map((e, i) => ({ ...e, seq: record.ledgerSeq + i + 1, at, source }));
}

/**
 * The account as stored, in today's shape: fields added since an item was written get their
 * empty value, and rewards stored one object each (before counts) read as entries of one.
 */
function accountFromItem(stored: Partial<Account>): Account {
  const account = { ...emptyAccount(), ...stored };
  return { ...account, rewards: { ...account.rewards, rewards: withCounts(account.rewards.rewards) } };
}

/**
 * Profile fields kept on the profile item: what no receipt changes and no commit reads (the
 * referral code stays: whether it was given out says whether friends' rewards may be waiting).
 */
const PROFILE_ITEM_FIELDS = ['card', 'name', 'email', 'phone', 'birthDate', 'devices'] as const;

/**
 * Account fields no receipt reads or changes (the segments job's and custom events' own), kept on
 * the profile item with the months of activity before the latest.
 */
const ACCOUNT_FIELDS_APART = ['definedSegments', 'lastEventOn'] as const;

/**
 * The months a write of `next` over `prev`, read from the customer item alone, moves off it onto
 * the profile item when nothing else of the profile item changes (a receipt of a new month);
 * undefined for any other write.
 */
function monthsMovedOut(prev: CustomerRecord, next: CustomerRecord): Account['activity'] | undefined {
  if (prev.readAs !== 'accountOnly') return undefined;
  const before = splitActivity(prev.account.activity).earlier;
  const after = splitActivity(next.account.activity).earlier;
  const moved = Object.fromEntries(Object.entries(after).filter(([m]) => !(m in before)));
  const months = Object.keys(moved);
  if (months.length === 0 || months.some((m) => !(m in prev.account.activity))) return undefined;
  const same = (c: CustomerRecord) => JSON.stringify({ ...customerProfileItem({ ...c, version: prev.version }), earlierActivity: undefined });
  return same(prev) === same(next) && Object.keys(before).every((m) => m in after) ? moved : undefined;
}

/** The activity split: the latest month (the one receipts add to) on the customer item, the months before it on the profile item. */
function splitActivity(activity: Account['activity']): { latest: Account['activity']; earlier: Account['activity'] } {
  const months = Object.keys(activity).sort();
  const last = months.at(-1);
  const latest: Record<MonthKey, Account['activity'][MonthKey]> = {};
  const earlier: Record<MonthKey, Account['activity'][MonthKey]> = {};
  for (const m of months) (m === last ? latest : earlier)[m] = activity[m]!;
  return { latest, earlier };
}

/**
 * The account without the fields that hold their empty value (no coupon used, no debt, no reward
 * yet…): reading fills them back (accountFromItem), so they cost the item a receipt rewrites
 * nothing. `referral` stays: its friend count is updated in place (countFriendEnrolling).
 */
function withoutEmptyFields(account: Partial<Account>): Partial<Account> {
  const empty = emptyAccount() as unknown as Record<string, unknown>;
  return Object.fromEntries(Object.entries(account).filter(([k, v]) => k === 'referral' || !(k in empty) || stableJson(v) !== stableJson(empty[k])));
}

const stableJson = (v: unknown): string =>
  v !== null && typeof v === 'object' && !Array.isArray(v)
    ? `{${Object.keys(v)
        .sort()
        .map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`)
        .join(',')}}`
    : Array.isArray(v)
      ? `[${v.map(stableJson).join(',')}]`
      : JSON.stringify(v);

function withoutFieldsApart(account: Account): Omit<Account, (typeof ACCOUNT_FIELDS_APART)[number]> {
  const { definedSegments: _d, lastEventOn: _l, ...rest } = account;
  return rest;
}

/** The channels a customer has a contact on; with consents, what a notification needs to choose one. */
function contactChannelsOf(c: CustomerRecord): Channel[] {
  if (c.readAs === 'accountOnly') return [...(c.contactChannels ?? [])];
  const out: Channel[] = [];
  if (c.profile.phone) out.push('sms');
  if (c.profile.email) out.push('email');
  if ((c.profile.devices?.length ?? 0) > 0) out.push('push');
  return out;
}

/** Whom a message can reach, from a record read either way (the till's has no contacts, only which channels have one). */
export function reachabilityOf(c: CustomerRecord): Reachability {
  const on = contactChannelsOf(c);
  return { consents: c.profile.consents, hasPhone: on.includes('sms'), hasEmail: on.includes('email'), devices: on.includes('push') ? Math.max(1, c.profile.devices?.length ?? 0) : 0 };
}

/**
 * The customer item as stored: what a commit reads and writes (the account with its latest month
 * of activity, consents, the small fixed profile fields the stream's consumers read at enrolment),
 * and the sparse index keys derived from the account.
 */
export const customerItem = (c: CustomerRecord) => {
  const { card: _c, name: _n, email: _e, phone: _p, birthDate: _b, devices: _d, ...kept } = c.profile;
  const channels = contactChannelsOf(c);
  return {
    ...keys.customer(c.tenantId, c.profile.customerId),
    type: 'customer',
    tenantId: c.tenantId,
    ...kept,
    // Marks the item as one whose profile lives apart (items from before carry everything).
    profileApart: true,
    ...(channels.length ? { contactChannels: channels } : {}),
    account: withoutEmptyFields({ ...withoutFieldsApart(c.account), activity: splitActivity(c.account.activity).latest }),
    ledgerSeq: c.ledgerSeq,
    version: c.version,
    // Only items from before referral rewards had items of their own still carry a list.
    ...(c.pendingReferrals.length > 0 ? { referralRewards: c.pendingReferrals } : {}),
    ...indexAttributes(c),
  };
};

/** The profile item as stored: what no receipt changes, with the members, name and birthday index keys derived from it. */
export const customerProfileItem = (c: CustomerRecord) => {
  const fields = Object.fromEntries(PROFILE_ITEM_FIELDS.flatMap((f) => (c.profile[f] === undefined ? [] : [[f, c.profile[f]]])));
  return {
    ...keys.customerProfile(c.tenantId, c.profile.customerId),
    type: 'customerProfile',
    tenantId: c.tenantId,
    customerId: c.profile.customerId,
    ...fields,
    staffTier: c.staffTier,
    earlierActivity: splitActivity(c.account.activity).earlier,
    // The customer version these months were read at (see moveMonths).
    earlierAsOf: c.version,
    ...Object.fromEntries(ACCOUNT_FIELDS_APART.flatMap((f) => (c.account[f] === undefined ? [] : [[f, c.account[f]]]))),
    ...profileIndexAttributes(c),
  };
};

/**
 * A record from its stored items: the customer item and the profile item (`null`: read, and not
 * there; `undefined`: not read). A customer item from before the split holds everything itself.
 */
export function customerFromItems(item: Record<string, unknown>, profileItem: Record<string, unknown> | null | undefined): CustomerRecord {
  const { pk: _pk, sk: _sk, type: _type, tenantId, account, staffTier, ledgerSeq, version, referralRewards, profileApart, contactChannels, bdayPk: _b, bdaySk: _bs, expPk: _e, expSk: _es, relPk: _r, relSk: _rs, tierPk: _t, tierSk: _ts, refPk: _f, refSk: _fs, memPk: _m, memSk: _ms, namePk: _n, nameSk: _ns, ...profile } =
    item;
  const base = {
    tenantId: tenantId as string,
    ledgerSeq: ledgerSeq as number,
    version: version as number,
    pendingReferrals: (referralRewards as PendingReferral[] | undefined) ?? [],
  };
  if (!profileApart) {
    return { ...base, readAs: 'oneItem', profile: profile as unknown as CustomerProfile, account: accountFromItem(account as Partial<Account>), staffTier: staffTier as StaffTierAssignment | undefined };
  }
  const stored = account as Partial<Account>;
  if (profileItem === undefined) {
    return { ...base, readAs: 'accountOnly', contactChannels: (contactChannels as Channel[] | undefined) ?? [], profile: profile as unknown as CustomerProfile, account: accountFromItem(stored) };
  }
  const { pk: _p2, sk: _s2, type: _t2, tenantId: _ti, customerId: _c, staffTier: coldTier, earlierActivity, earlierAsOf: _asOf, definedSegments, lastEventOn, memPk: _m2, memSk: _ms2, bdayPk: _b2, bdaySk: _bs2, namePk: _n2, nameSk: _ns2, ...fields } = profileItem ?? {};
  const apart = { definedSegments, lastEventOn } as Pick<Account, (typeof ACCOUNT_FIELDS_APART)[number]>;
  return {
    ...base,
    readAs: 'apart',
    profile: { ...profile, ...fields } as unknown as CustomerProfile,
    account: accountFromItem({ ...stored, ...apart, activity: { ...(earlierActivity as Account['activity'] | undefined), ...stored.activity } }),
    staffTier: coldTier as StaffTierAssignment | undefined,
  };
}

/**
 * The sparse index keys the customer item carries (all of them move with the account): the month its earliest expiring lot ends, the
 * day its next pending points are released, and whether it holds a level above the first.
 * Derived from the record on every write, so they can never disagree with it.
 */
export function indexAttributes(c: CustomerRecord): Record<string, string> {
  const { tenantId } = c;
  const id = c.profile.customerId;
  const shard = shardOf(id);
  const out: Record<string, string> = {};
  const earliest = Object.keys(c.account.lots)
    .filter((k) => k !== NEVER_EXPIRES && (c.account.lots[k] ?? 0) > 0)
    .sort()[0];
  if (earliest) {
    out.expPk = indexKeys.expiry(tenantId, shard);
    out.expSk = indexKeys.expirySk(earliest, id);
  }
  // Pending buckets are keyed `releaseDay#lot`, so the smallest key holds the next release day.
  const release = Object.keys(c.account.pendingLots).sort()[0]?.split('#')[0];
  if (release) {
    out.relPk = indexKeys.release(tenantId, shard);
    out.relSk = `${release}#${id}`;
  }
  const refill = nextRefillReminder(c.account.refills ?? {});
  if (refill) {
    out.refPk = indexKeys.refills(tenantId, shard);
    out.refSk = `${refill}#${id}`;
  }
  if ((c.account.tierRank ?? 0) > 0) {
    out.tierPk = indexKeys.tiers(tenantId, shard);
    out.tierSk = id;
  }
  return out;
}

/** The sparse index keys the profile item carries, from the profile alone: members, birthday and name. */
export function profileIndexAttributes(c: CustomerRecord): Record<string, string> {
  const { tenantId } = c;
  const id = c.profile.customerId;
  // Every customer, for the nightly segments job: the key never changes, so no write after the first touches the index.
  const out: Record<string, string> = { memPk: indexKeys.members(tenantId, shardOf(id)), memSk: id };
  if (c.profile.birthDate) {
    out.bdayPk = indexKeys.birthdays(tenantId, birthdayOf(c.profile.birthDate), shardOf(id));
    out.bdaySk = id;
  }
  // From the name alone, which no receipt changes: the index is written at enrolment and again only
  // when the name goes (erasure drops it from the profile, so the entry leaves the index with it).
  const name = c.profile.name === undefined ? '' : normalizeName(c.profile.name);
  if (name) {
    out.namePk = indexKeys.names(tenantId, Array.from(name)[0]!);
    out.nameSk = name;
  }
  return out;
}

/** Phone numbers are personal data: their identifier items are keyed by a keyed hash, never the number. */
export async function identifierKeyValue(tenantId: string, kind: IdentifierKind, value: string): Promise<string> {
  return kind === 'phone' ? lookupHash(tenantId, kind, value) : value;
}

export function identifierPut(db: Db, tenantId: string, kind: IdentifierKind, value: string, customerId: string): TransactItem {
  return {
    Put: {
      TableName: db.table,
      Item: { ...keys.identifier(tenantId, kind, value), type: 'identifier', kind, customerId },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

export function ledgerPut(db: Db, tenantId: string, customerId: string, row: LedgerRow): TransactItem {
  return {
    Put: {
      TableName: db.table,
      Item: { ...keys.ledgerEntry(tenantId, customerId, row.seq), type: 'ledger', ...row },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}
