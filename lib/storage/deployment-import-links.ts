/**
 * Links to this deployment's import bucket, for the imports route function only. Its own module
 * because of its loader: a bundle that holds it names the S3 lazy file and gets it built beside
 * it, which the worker and the export's catalog function, which use the client directly, do not need.
 */
import { deploymentBucketName, type ImportLinks } from './import-bucket.ts';

/**
 * S3's client and the signer. In a Lambda they are a file of their own beside the handler's bundle
 * (infra/bundling.ts, `lazyFiles`); run from source, the module itself is imported.
 */
const loadImportLinks = (): Promise<typeof import('./import-links.ts')> =>
  process.env.TALLY_IMPORT_LINKS_FILE ? import(new URL(process.env.TALLY_IMPORT_LINKS_FILE, import.meta.url).href) : import('./import-links.ts');

/**
 * Links to this deployment's import bucket, or null where there is none. The S3 client and the
 * signer load with the first link signed: the imports route function answers most requests
 * (progress) without them, and S3's client was the largest part of its bundle (README, "Cold start").
 */
export function deploymentImportLinks(): ImportLinks | null {
  const name = deploymentBucketName();
  if (!name) return null;
  const links = async () => (await loadImportLinks()).signedImportLinks(name);
  return {
    bucket: name,
    uploadUrl: async (key, seconds) => (await links()).uploadUrl(key, seconds),
    downloadUrl: async (key, seconds) => (await links()).downloadUrl(key, seconds),
  };
}
