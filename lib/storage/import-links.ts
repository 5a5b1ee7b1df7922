/** Signed links to the import bucket's objects (./import-bucket.ts names them). */
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { ImportLinks } from './import-bucket.ts';
import { s3Client } from './s3-client.ts';

/** Links signed with this process's S3 client: what the imports route function loads on its first link (./deployment-import-links.ts). */
export const signedImportLinks = (bucket: string): ImportLinks => importLinks(s3Client(), bucket);

export function importLinks(s3: S3Client, bucket: string): ImportLinks {
  return {
    bucket,
    uploadUrl: (key, seconds) => getSignedUrl(s3, new PutObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: seconds }),
    downloadUrl: (key, seconds) => getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: seconds }),
  };
}
