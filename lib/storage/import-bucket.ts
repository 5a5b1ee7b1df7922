/**
 * The import bucket: member files arrive at `imports/<tenant>/<importId>.csv|jsonl` (an upload
 * link from POST /v1/imports, or `aws s3 cp`); their error reports are written beside them as
 * `<importId>.errors.csv`. This module names the objects and signs links to them (the route
 * function loads them through ./deployment-import-links.ts; the signing itself is ./import-links.ts); reading and writing them is
 * ./import-files.ts (the worker). The S3 client honours `AWS_ENDPOINT_URL_S3`, which is how tests
 * and the local runtime point it elsewhere.
 */
import { importFormats, type ImportFormat } from '#domain/import-kinds.ts';

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

export { decodeEventKey } from './s3-event-key.ts';

export interface ImportLinks {
  readonly bucket: string;
  /** A URL the caller may PUT the file to, for `seconds`. */
  uploadUrl(key: string, seconds: number): Promise<string>;
  /** A URL the caller may GET the object from, for `seconds`. */
  downloadUrl(key: string, seconds: number): Promise<string>;
}

/** This deployment's import bucket name, or null where there is none. */
export const deploymentBucketName = (): string | null => process.env[IMPORT_BUCKET_ENV] || null;
