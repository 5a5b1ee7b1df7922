/**
 * Who may import whom (DESIGN.md "Layers"): use cases speak no HTTP, the domain no AWS, and the
 * entry points that are not HTTP routes carry no HTTP middleware in their bundles.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { bundlingOptions } from '../../infra/bundling.ts';

const root = join(import.meta.dirname, '..', '..');
const sources = (dir: string) => readdirSync(join(root, dir)).filter((f) => f.endsWith('.ts')).map((f) => join(dir, f));
/** Imports that are loaded at run time (`import type` is erased and does not count). */
const runtimeImports = (file: string) =>
  [...readFileSync(join(root, file), 'utf8').matchAll(/^import\s+(?!type\b)[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1]!);

describe('Layers', () => {
  it('should keep lib/app free of HTTP: no use case imports lib/http at run time or throws HttpError', () => {
    const offenders = sources('lib/app').flatMap((f) =>
      runtimeImports(f).filter((i) => i.includes('/http/') || i.startsWith('#lib/http')).map((i) => `${f} imports ${i}`),
    );
    expect(offenders).toEqual([]);
    const throwers = sources('lib/app').filter((f) => readFileSync(join(root, f), 'utf8').includes('HttpError'));
    expect(throwers).toEqual([]);
  });

  it('should keep the AWS SDK out of lib/domain', () => {
    const offenders = sources('lib/domain').flatMap((f) => runtimeImports(f).filter((i) => i.startsWith('@aws-sdk') || i.startsWith('node:')).map((i) => `${f} imports ${i}`));
    expect(offenders).toEqual([]);
  });

  it('should bundle workers, jobs and the stream relay without middy or the HTTP layer', async () => {
    const entries = ['functions/workers/accounts.ts', 'functions/workers/notify.ts', 'functions/workers/journeys.ts', 'functions/workers/webhooks.ts', 'functions/workers/imports.ts', 'functions/workers/simulations.ts', 'functions/jobs/run.ts', 'functions/stream/outbox.ts'];
    for (const entry of entries) {
      const r = await build({ entryPoints: [join(root, entry)], bundle: true, write: false, metafile: true, platform: 'node', format: 'esm', target: bundlingOptions.target, mainFields: [...bundlingOptions.mainFields], logLevel: 'silent', outfile: 'out.mjs' });
      const inputs = Object.keys(r.metafile.inputs);
      expect(inputs.filter((i) => i.includes('@middy') || i.includes('lib/http/')), entry).toEqual([]);
    }
  });
});
