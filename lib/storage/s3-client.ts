/**
 * One S3 client per process, shared by the import bucket and the history bucket adapters. It
 * honours `AWS_ENDPOINT_URL_S3` (tests, the local runtime), path-style there.
 */
import { S3Client } from '@aws-sdk/client-s3';

let client: S3Client | undefined;
export const s3Client = () => (client ??= new S3Client({ maxAttempts: 3, ...(process.env.AWS_ENDPOINT_URL_S3 ? { forcePathStyle: true } : {}) }));
