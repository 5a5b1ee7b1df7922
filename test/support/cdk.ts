/**
 * Synthesizing the CDK app for the infra tests, at most once per context in a test process.
 *
 * The infra tests run in one process (vitest.config.ts, project `infra`, `isolate: false`), so
 * aws-cdk-lib loads once and an app built for one file serves every file asking for the same
 * context. Apps that bundle their functions share one output directory: the CDK keys its cache of
 * staged assets on the bundling inputs and the output directory, so a second app (prod after dev)
 * reuses each function's bundle instead of running esbuild again. Their stacks are named by stage,
 * so their templates do not overwrite each other there.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { buildApp } from '../../infra/app.ts';
import { CDK_OUTDIR_ENV } from './cdk-outdir.ts';

/**
 * Where apps that bundle write their assembly: one directory per test process, under the run's
 * directory (test/support/cdk-outdir.ts removes it at the end), or a temporary one of its own.
 */
let bundledOutdir: string | undefined;

/** Whether an app for `context` bundles its functions (tests that read only templates skip it). */
export const bundlesFunctions = (context: Record<string, unknown>): boolean => !('aws:cdk:bundling-stacks' in context);

/** A new App for `context`; an app that bundles its functions gets the shared output directory. */
export function newApp(context: Record<string, unknown>): App {
  if (!bundlesFunctions(context)) return new App({ context });
  if (!bundledOutdir) {
    const runDir = process.env[CDK_OUTDIR_ENV];
    bundledOutdir = runDir ? join(runDir, String(process.pid)) : mkdtempSync(join(tmpdir(), 'tally-cdk-'));
    mkdirSync(bundledOutdir, { recursive: true });
  }
  return new App({ context, outdir: bundledOutdir });
}

type Built = ReturnType<typeof buildApp> & { app: App };
const built = new Map<string, Built>();

/** Keys sorted, so the same context written in another order is the same app. */
const keyOf = (context: Record<string, unknown>) => JSON.stringify(Object.keys(context).sort().map((k) => [k, context[k]]));

/**
 * `buildApp` on an App for `context`, built once per process: callers only read it (templates,
 * constructs), so files asking for the same context share it. A context that throws is not kept.
 */
export function builtApp(context: Record<string, unknown>): Built {
  const key = keyOf(context);
  let b = built.get(key);
  if (!b) {
    const app = newApp(context);
    b = { ...buildApp(app), app };
    built.set(key, b);
  }
  return b;
}
