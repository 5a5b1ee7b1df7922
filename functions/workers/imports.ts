/**
 * Import worker: a member file landed in the import bucket (S3 event → queue), or an import this
 * worker paused near its timeout goes on. One message per invocation (batch size 1): an import
 * can use the whole run.
 */
import type { Context } from 'aws-lambda';
import { deps } from '#lib/app/deps.ts';
import { importFromBucket } from '#lib/app/imports.ts';
import { importQueue } from '#lib/messaging/queues.ts';
import { importKeys, importMessageSchema, type ImportMessage } from '#lib/messaging/queue.ts';
import { sqsWorker } from '#lib/messaging/worker.ts';
import { decodeEventKey } from '#lib/storage/import-bucket.ts';
import { deploymentImportFiles } from '#lib/storage/import-files.ts';

async function handle(message: ImportMessage, context: Context | undefined) {
  const bucket = deploymentImportFiles();
  if (!bucket) throw new Error('IMPORT_BUCKET is not set');
  // S3's test event when the notification is set up, and events of other buckets, carry no file of ours.
  const results = [];
  for (const key of importKeys(message, bucket.bucket, decodeEventKey)) {
    results.push(
      await importFromBucket(deps(), bucket, key, {
        remainingMs: () => context?.getRemainingTimeInMillis() ?? 15 * 60_000,
        continueLater: () => importQueue().send([{ kind: 'continueImport', bucket: bucket.bucket, key }]),
      }),
    );
  }
  return results;
}

export const handler = sqsWorker('imports', importMessageSchema, (message, _record, context) => handle(message, context));
