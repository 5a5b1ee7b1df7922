/**
 * Links to this deployment's import bucket, for the imports route function only. Its own module
 * because of the `import()`s: esbuild wraps a module that is imported dynamically anywhere in a
 * bundle, and a wrapped S3 client keeps every S3 command; the worker and the export's catalog
 * function, which use the client directly, must not see these imports.
 */
import { deploymentBucketName, type ImportLinks } from './import-bucket.ts';

/**
 * Links to this deployment's import bucket, or null where there is none. The S3 client and the
 * signer load with the first link signed: the imports route function answers most requests
 * (progress) without them, and S3's client is the largest part of its bundle (README, "Cold start").
 */
export function deploymentImportLinks(): ImportLinks | null {
  const name = deploymentBucketName();
  if (!name) return null;
  const links = async () => {
    const [{ importLinks }, { s3Client }] = await Promise.all([import('./import-links.ts'), import('./s3-client.ts')]);
    return importLinks(s3Client(), name);
  };
  return {
    bucket: name,
    uploadUrl: async (key, seconds) => (await links()).uploadUrl(key, seconds),
    downloadUrl: async (key, seconds) => (await links()).downloadUrl(key, seconds),
  };
}
