/**
 * The history bucket: every committed receipt and return, as the simulator replays it, in day
 * files written by the reports stream reader once per stream batch (lib/app/history-files.ts):
 *
 *   s3://{bucket}/history/tenant={tenantId}/day={YYYY-MM-DD}/{batchId}.jsonl.gz
 *
 * gzip (Athena reads it; not brotli), one JSON object a line (lib/storage/history.ts says which),
 * the day the UTC day of the commit. The `key=value` folders are Hive partitions, so an Athena
 * table over `history/` can prune by tenant and day. A redelivered batch writes the same key
 * again, and readers drop an event seen twice (a retry may cut a batch differently).
 * The writer (PutObject) and the reader (ListObjectsV2, GetObject) are separate functions, so the
 * reports function bundles only the first and the simulation worker only the second.
 * Adapter: lib/app/history-files.ts, lib/storage/history.ts → this → S3.
 */
import { promisify } from 'node:util';
import { gunzip as gunzipCb, gzip as gzipCb } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { s3Client } from './s3-client.ts';

const gzip = promisify(gzipCb);
const gunzip = promisify(gunzipCb);

export const HISTORY_BUCKET_ENV = 'HISTORY_BUCKET';

/** Everything the history keeps is under this prefix (the Athena table's location). */
export const HISTORY_PREFIX = 'history/';

export const historyDayPrefix = (tenantId: string, day: string) => `${HISTORY_PREFIX}tenant=${tenantId}/day=${day}/`;
export const historyFileKey = (tenantId: string, day: string, batchId: string) => `${historyDayPrefix(tenantId, day)}${batchId}.jsonl.gz`;

/** The most keys one List returns (S3's own maximum). */
export const LIST_PAGE_KEYS = 1000;

export interface HistoryFileWriter {
  /** Writes (or overwrites) one day file of a batch; the bytes stored. */
  put(tenantId: string, day: string, batchId: string, lines: readonly string[]): Promise<number>;
}

export interface HistoryFilePage {
  readonly keys: string[];
  /** Where the next page starts; absent on the last one. */
  readonly cursor?: string | undefined;
}

export interface HistoryFileReader {
  /** One page (at most LIST_PAGE_KEYS) of a day's file keys, from `cursor`. */
  list(tenantId: string, day: string, cursor?: string): Promise<HistoryFilePage>;
  /** A file's lines, and the bytes it is stored as. */
  read(key: string): Promise<{ lines: string[]; bytes: number }>;
}

export function historyFileWriter(s3: S3Client, bucket: string): HistoryFileWriter {
  return {
    async put(tenantId, day, batchId, lines) {
      const body = await gzip(Buffer.from(lines.map((l) => `${l}\n`).join(''), 'utf8'));
      // No Content-Encoding: with it, HTTP clients would unzip on download and Athena would not know it by the name alone.
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: historyFileKey(tenantId, day, batchId), Body: body, ContentType: 'application/gzip' }));
      return body.length;
    },
  };
}

/** `pageKeys`: keys per List (tests page with fewer). */
export function historyFileReader(s3: S3Client, bucket: string, pageKeys = LIST_PAGE_KEYS): HistoryFileReader {
  return {
    async list(tenantId, day, cursor) {
      const r = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: historyDayPrefix(tenantId, day), MaxKeys: pageKeys, ...(cursor ? { ContinuationToken: cursor } : {}) }));
      return { keys: (r.Contents ?? []).flatMap((o) => (o.Key?.endsWith('.jsonl.gz') ? [o.Key] : [])), cursor: r.IsTruncated ? r.NextContinuationToken : undefined };
    },
    async read(key) {
      const r = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if (!r.Body) throw new Error(`s3://${bucket}/${key} has no body`);
      const zipped = await r.Body.transformToByteArray();
      const text = (await gunzip(zipped)).toString('utf8');
      return { lines: text.split('\n').filter((l) => l.length > 0), bytes: zipped.length };
    },
  };
}

/** This deployment's history bucket name, or null where there is none (tests that do not look at history). */
export const historyBucketName = (): string | null => process.env[HISTORY_BUCKET_ENV] || null;

export function deploymentHistoryWriter(): HistoryFileWriter | null {
  const name = historyBucketName();
  return name ? historyFileWriter(s3Client(), name) : null;
}

export function deploymentHistoryReader(): HistoryFileReader | null {
  const name = historyBucketName();
  return name ? historyFileReader(s3Client(), name) : null;
}
