/**
 * Global setup of the infra tests: a directory for the assemblies of apps that bundle
 * (test/support/cdk.ts puts one per worker process under it), removed when the run ends.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CDK_OUTDIR_ENV = 'TALLY_TEST_CDK_OUTDIR';

export function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'tally-cdk-'));
  // Workers are forked after this runs, so they inherit it.
  process.env[CDK_OUTDIR_ENV] = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
