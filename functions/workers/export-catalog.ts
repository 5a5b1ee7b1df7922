/**
 * Export catalog: S3 tells it that DynamoDB finished an export of the table (the summary
 * manifest was written, infra/constructs/table-export.ts), and it adds that export to the Glue
 * table as a partition, so Athena's views read the newest one. S3 invokes it asynchronously;
 * an error is retried by Lambda, and a partition already there is no error.
 */
import { GlueClient } from '@aws-sdk/client-glue';
import type { S3Event } from 'aws-lambda';
import { logger } from '#lib/observability/logger.ts';
import { decodeEventKey } from '#lib/storage/s3-event-key.ts';
import { s3Client } from '#lib/storage/s3-client.ts';
import { EXPORT_DATABASE_ENV, EXPORT_TABLE_ENV, exportCatalog } from '#lib/storage/table-export.ts';

let glue: GlueClient | undefined;

export async function handler(event: S3Event) {
  const database = process.env[EXPORT_DATABASE_ENV];
  const table = process.env[EXPORT_TABLE_ENV];
  if (!database || !table) throw new Error(`${EXPORT_DATABASE_ENV} and ${EXPORT_TABLE_ENV} must be set`);
  glue ??= new GlueClient({ maxAttempts: 3 });
  const results = [];
  for (const record of event.Records ?? []) {
    const bucket = record.s3.bucket.name;
    const key = decodeEventKey(record.s3.object.key);
    const r = await exportCatalog(glue, s3Client(), { bucket, database, table }).register(key);
    logger.info('export catalogued', { key, outcome: r.outcome, exportTime: r.export?.exportTime });
    results.push(r);
  }
  return results;
}
