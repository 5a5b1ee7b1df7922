/**
 * The table's optional export to S3 (DynamoDB's native ExportTableToPointInTime, started by an
 * EventBridge Scheduler schedule; infra/constructs/table-export.ts) and the catalog over it. Each
 * export lands in a folder of its own that DynamoDB names:
 *
 *   s3://{exportBucket}/exports/AWSDynamoDB/{exportId}/data/*.json.gz     one item a line
 *   s3://{exportBucket}/exports/AWSDynamoDB/{exportId}/manifest-summary.json  written last
 *
 * The summary manifest is written when the export has finished, so its arrival (an S3 event) is
 * the moment to add the export to the Glue table `items` as one partition, `exporttime`, located
 * at its data folder. Partitions are not part of the CloudFormation template, so a deploy never
 * moves the table off its data, and every export still kept stays queryable by its time.
 * Adapter: functions/workers/export-catalog.ts → this → S3, Glue.
 */
import { AlreadyExistsException, CreatePartitionCommand, GetTableCommand, type GlueClient } from '@aws-sdk/client-glue';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';

export const EXPORT_DATABASE_ENV = 'EXPORT_DATABASE';
export const EXPORT_TABLE_ENV = 'EXPORT_TABLE';

/** The S3 prefix every export is written under (DynamoDB adds `AWSDynamoDB/{exportId}/`). */
export const EXPORT_PREFIX = 'exports';
/** Where DynamoDB puts the summary manifests under the prefix: the catalog function's trigger. */
export const MANIFEST_PREFIX = `${EXPORT_PREFIX}/AWSDynamoDB/`;
export const MANIFEST_SUMMARY = 'manifest-summary.json';

/**
 * The ExportTableToPointInTime request the schedule sends: a full export of the table as it is at
 * the call (no ExportTime), DynamoDB JSON, SSE-S3 like the bucket. `clientToken` makes a retried
 * call the same export (DynamoDB keeps a token 8 hours).
 */
export function exportRequest(p: { readonly tableArn: string; readonly bucket: string; readonly clientToken: string }) {
  return {
    TableArn: p.tableArn,
    S3Bucket: p.bucket,
    S3Prefix: EXPORT_PREFIX,
    S3SseAlgorithm: 'AES256',
    ExportFormat: 'DYNAMODB_JSON',
    ExportType: 'FULL_EXPORT',
    ClientToken: p.clientToken,
  } as const;
}

export interface CompletedExport {
  readonly exportId: string;
  /** The point in time the export shows, ISO in UTC: the partition's value (sorts as time). */
  readonly exportTime: string;
  /** The key prefix of its data files: `exports/AWSDynamoDB/{exportId}/data/`. */
  readonly dataPrefix: string;
  readonly itemCount: number | undefined;
}

/**
 * What a summary manifest says, from its own key (the folder is the export's) and its JSON; null
 * for anything the catalog does not read: another key, an incremental export, another format.
 */
export function completedExportOf(key: string, summary: unknown): CompletedExport | null {
  const exportId = exportIdOf(key);
  if (exportId === null) return null;
  if (typeof summary !== 'object' || summary === null) return null;
  const s = summary as Record<string, unknown>;
  // Summaries from before incremental exports existed have no exportType: they are full ones.
  if (s.outputFormat !== 'DYNAMODB_JSON' || (s.exportType !== undefined && s.exportType !== 'FULL_EXPORT')) return null;
  const time = new Date(String(s.exportTime));
  if (Number.isNaN(time.getTime())) return null;
  return {
    exportId,
    exportTime: time.toISOString(),
    dataPrefix: `${MANIFEST_PREFIX}${exportId}/data/`,
    itemCount: typeof s.itemCount === 'number' ? s.itemCount : undefined,
  };
}

/** The export id of a summary manifest's key (`exports/AWSDynamoDB/{exportId}/manifest-summary.json`); null for any other key. */
export function exportIdOf(key: string): string | null {
  if (!key.startsWith(MANIFEST_PREFIX) || !key.endsWith(`/${MANIFEST_SUMMARY}`)) return null;
  const exportId = key.slice(MANIFEST_PREFIX.length, -MANIFEST_SUMMARY.length - 1);
  return /^[A-Za-z0-9-]+$/.test(exportId) ? exportId : null;
}

export interface ExportCatalog {
  /**
   * Adds the export whose summary manifest is at `key` to the table as a partition: 'added', or
   * 'exists' when it already is (S3 may deliver an event twice), or 'ignored' (not a full export).
   */
  register(key: string): Promise<{ readonly outcome: 'added' | 'exists' | 'ignored'; readonly export?: CompletedExport }>;
}

export function exportCatalog(glue: GlueClient, s3: S3Client, names: { readonly bucket: string; readonly database: string; readonly table: string }): ExportCatalog {
  return {
    async register(key) {
      if (exportIdOf(key) === null) return { outcome: 'ignored' };
      const object = await s3.send(new GetObjectCommand({ Bucket: names.bucket, Key: key }));
      const done = completedExportOf(key, JSON.parse(await object.Body!.transformToString('utf8')));
      if (!done) return { outcome: 'ignored' };
      // The partition reads its files as the table does: the table's own storage, at the export's folder.
      const table = await glue.send(new GetTableCommand({ DatabaseName: names.database, Name: names.table }));
      const storage = table.Table?.StorageDescriptor;
      if (!storage) throw new Error(`Glue table ${names.database}.${names.table} has no storage descriptor`);
      try {
        await glue.send(
          new CreatePartitionCommand({
            DatabaseName: names.database,
            TableName: names.table,
            PartitionInput: {
              Values: [done.exportTime],
              StorageDescriptor: { ...storage, Location: `s3://${names.bucket}/${done.dataPrefix}` },
              Parameters: { exportId: done.exportId, ...(done.itemCount === undefined ? {} : { itemCount: String(done.itemCount) }) },
            },
          }),
        );
        return { outcome: 'added', export: done };
      } catch (e) {
        if (e instanceof AlreadyExistsException || (e as { name?: string }).name === 'AlreadyExistsException') return { outcome: 'exists', export: done };
        throw e;
      }
    },
  };
}
