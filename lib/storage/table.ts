/**
 * The one table's shape. The CDK stack and the local runtime both build the table from this,
 * so the local table cannot drift from the deployed one.
 */
export const TABLE_NAME_ENV = 'TABLE_NAME';

export const tableDefinition = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Sparse, KEYS_ONLY: the jobs only need customer ids from them (see keys.ts). */
  globalSecondaryIndexes: [
    { name: 'birthdays', partitionKey: 'bdayPk', sortKey: 'bdaySk' },
    { name: 'expiry', partitionKey: 'expPk', sortKey: 'expSk' },
    { name: 'release', partitionKey: 'relPk', sortKey: 'relSk' },
    { name: 'tiers', partitionKey: 'tierPk', sortKey: 'tierSk' },
    { name: 'refills', partitionKey: 'refPk', sortKey: 'refSk' },
    { name: 'members', partitionKey: 'memPk', sortKey: 'memSk' },
    /** Customers by the normalised name's prefix, for staff lookup (set on the customer item; see keys.ts). */
    { name: 'names', partitionKey: 'namePk', sortKey: 'nameSk' },
    /** Coupons issued to one customer, newest first, for the customer page (set on the coupon item; see keys.ts). */
    { name: 'coupons', partitionKey: 'cpnPk', sortKey: 'cpnSk' },
  ] as ReadonlyArray<{ name: string; partitionKey: string; sortKey: string }>,
  /** Outbox for domain events (issue "Background jobs"). */
  stream: 'NEW_AND_OLD_IMAGES',
  /**
   * Items needed only for a while carry this attribute, in epoch seconds; DynamoDB deletes them
   * some time (up to days) after it passes, so reads must still check it. DynamoDB Local never
   * deletes them. (Not `expiresAt`: key items use that name for an ISO date, a different thing.)
   * Carried by: webhook delivery logs (30 days), job-run day markers (a week), journey send marks
   * (past the longest frequency-cap window), import progress and row records.
   */
  timeToLiveAttribute: 'ttl',
} as const;

/** The TTL attribute's value for an item that may go `days` after `at` (epoch seconds, as DynamoDB reads it). */
export const ttlAfter = (at: string | Date, days: number): number => Math.floor(new Date(at).getTime() / 1000) + days * 86_400;
