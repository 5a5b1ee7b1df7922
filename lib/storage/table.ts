/**
 * The one table's shape. The CDK stack and the local runtime both build the table from this,
 * so the local table cannot drift from the deployed one.
 */
export const TABLE_NAME_ENV = 'TABLE_NAME';

export const tableDefinition = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Sparse indexes are added here as jobs need them (birthdays, expiring lots). */
  globalSecondaryIndexes: [] as ReadonlyArray<{ name: string; partitionKey: string; sortKey: string }>,
  /** Outbox for domain events (issue "Background jobs"). */
  stream: 'NEW_AND_OLD_IMAGES',
} as const;
