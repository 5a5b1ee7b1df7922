/**
 * The one table's shape. The CDK stack and the local runtime both build the table from this,
 * so the local table cannot drift from the deployed one.
 */
export const TABLE_NAME_ENV = 'TABLE_NAME';

/**
 * Items needed only for a while (import progress, import idempotency records, …) carry this
 * attribute, epoch seconds; the table's TTL removes them some time after. Nothing relies on the
 * removal happening on time (DynamoDB Local never does it).
 */
export const TTL_ATTRIBUTE = 'expiresAt';

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
  ] as ReadonlyArray<{ name: string; partitionKey: string; sortKey: string }>,
  /** Outbox for domain events (issue "Background jobs"). */
  stream: 'NEW_AND_OLD_IMAGES',
} as const;
