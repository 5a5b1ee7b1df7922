/**
 * Reading an import file from the bucket and writing its error report there, both streamed:
 * the file is never held whole, the report goes up in 5 MiB parts (a multipart upload) once it
 * outgrows one. Used by the import worker only, so the route functions bundle none of it.
 */
import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { deploymentBucketName } from './import-bucket.ts';
import { s3Client } from './s3-client.ts';

export interface ImportFiles {
  readonly bucket: string;
  /** The object as a stream, and its size. */
  open(key: string): Promise<{ body: Readable; bytes: number }>;
  /** Writes `lines` to `key` as they come. */
  write(key: string, lines: AsyncIterable<string>, contentType: string): Promise<void>;
}

/** S3's smallest part but the last. */
const PART_BYTES = 5 * 1024 * 1024;

export function importFiles(s3: S3Client, bucket: string): ImportFiles {
  return {
    bucket,
    async open(key) {
      const r = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if (!r.Body) throw new Error(`s3://${bucket}/${key} has no body`);
      return { body: r.Body as Readable, bytes: r.ContentLength ?? 0 };
    },
    async write(key, lines, contentType) {
      let pending: Buffer[] = [];
      let size = 0;
      let uploadId: string | undefined;
      const parts: Array<{ ETag: string | undefined; PartNumber: number }> = [];
      const sendPart = async () => {
        uploadId ??= (await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: contentType }))).UploadId!;
        const PartNumber = parts.length + 1;
        const r = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber, Body: Buffer.concat(pending) }));
        parts.push({ ETag: r.ETag, PartNumber });
        pending = [];
        size = 0;
      };
      try {
        for await (const line of lines) {
          const b = Buffer.from(line, 'utf8');
          pending.push(b);
          size += b.length;
          if (size >= PART_BYTES) await sendPart();
        }
        if (!uploadId) {
          await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: Buffer.concat(pending), ContentType: contentType }));
          return;
        }
        if (size > 0) await sendPart();
        await s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts } }));
      } catch (e) {
        // Parts of an upload never completed cost storage until aborted (the bucket's lifecycle also aborts them after a day).
        if (uploadId) await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId })).catch(() => undefined);
        throw e;
      }
    },
  };
}

/** This deployment's import files, or null where there is no bucket. */
export function deploymentImportFiles(): ImportFiles | null {
  const name = deploymentBucketName();
  return name ? importFiles(s3Client(), name) : null;
}
