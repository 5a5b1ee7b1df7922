/**
 * The import bucket: member files arrive at `imports/<tenant>/<importId>.csv|jsonl` (an upload
 * URL from POST /v1/imports, or `aws s3 cp`), their error reports are written beside them as
 * `<importId>.errors.csv`. Files are streamed, never held whole. The S3 client honours
 * `AWS_ENDPOINT_URL_S3`, which is how tests point it at moto_server.
 */
import { Readable } from 'node:stream';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { importFormats, type ImportFormat } from '#domain/imports.ts';

export const IMPORT_BUCKET_ENV = 'IMPORT_BUCKET';

/** Where files and reports go: the prefix the bucket's notification listens on. */
export const IMPORT_PREFIX = 'imports/';

export const objectKey = (tenantId: string, importId: string, format: ImportFormat) => `${IMPORT_PREFIX}${tenantId}/${importId}.${format}`;
export const reportKey = (tenantId: string, importId: string) => `${IMPORT_PREFIX}${tenantId}/${importId}.errors.csv`;

const KEY = new RegExp(`^${IMPORT_PREFIX}([A-Za-z0-9._:-]{1,64})/([A-Za-z0-9_-]{1,64})\\.(${importFormats.join('|')})$`);

/** The tenant, import and format an object key names, or null (a report, anything else). */
export function parseObjectKey(key: string): { tenantId: string; importId: string; format: ImportFormat } | null {
  const m = KEY.exec(key);
  return m ? { tenantId: m[1]!, importId: m[2]!, format: m[3] as ImportFormat } : null;
}

/** S3 event notifications URL-encode object keys, with spaces as `+`. */
export const decodeEventKey = (key: string) => decodeURIComponent(key.replace(/\+/g, ' '));

export interface ImportBucket {
  readonly name: string;
  /** The object as a stream, and its size. */
  open(key: string): Promise<{ body: Readable; bytes: number }>;
  /** Writes `lines` to `key` as they come (multipart for large reports). */
  write(key: string, lines: AsyncIterable<string>, contentType: string): Promise<void>;
  /** A URL the caller may PUT the file to, for `seconds`. */
  uploadUrl(key: string, seconds: number): Promise<string>;
  /** A URL the caller may GET the object from, for `seconds`. */
  downloadUrl(key: string, seconds: number): Promise<string>;
}

export function importBucket(s3: S3Client, name: string): ImportBucket {
  return {
    name,
    async open(key) {
      const r = await s3.send(new GetObjectCommand({ Bucket: name, Key: key }));
      if (!r.Body) throw new Error(`s3://${name}/${key} has no body`);
      return { body: r.Body as Readable, bytes: r.ContentLength ?? 0 };
    },
    async write(key, lines, contentType) {
      const body = Readable.from((async function* () {
        for await (const l of lines) yield Buffer.from(l, 'utf8');
      })());
      await new Upload({ client: s3, params: { Bucket: name, Key: key, Body: body, ContentType: contentType } }).done();
    },
    uploadUrl: (key, seconds) => getSignedUrl(s3, new PutObjectCommand({ Bucket: name, Key: key }), { expiresIn: seconds }),
    downloadUrl: (key, seconds) => getSignedUrl(s3, new GetObjectCommand({ Bucket: name, Key: key }), { expiresIn: seconds }),
  };
}

let shared: ImportBucket | null | undefined;
/** This deployment's import bucket, or null where there is none (the local runtime imports with `npm run import`). */
export function deploymentImportBucket(): ImportBucket | null {
  if (shared !== undefined) return shared;
  const name = process.env[IMPORT_BUCKET_ENV];
  shared = name ? importBucket(new S3Client({ maxAttempts: 3, ...(process.env.AWS_ENDPOINT_URL_S3 ? { forcePathStyle: true } : {}) }), name) : null;
  return shared;
}
