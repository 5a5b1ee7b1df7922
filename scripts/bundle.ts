/**
 * Bundles every function exactly as the CDK does (same esbuild options) into dist/<group>/ and
 * prints the size of each, with the biggest inputs: `npm run bundle`.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { allFunctionEntries, esbuildOptions, projectRoot, writeLazyFiles } from '../infra/bundling.ts';
import { routeGroups } from '../lib/http/routes.ts';

export interface BundleSize {
  group: string;
  bytes: number;
  gzipBytes: number;
  top: Array<{ input: string; bytes: number }>;
}

export async function bundleAll(outRoot = `${projectRoot}dist`): Promise<BundleSize[]> {
  const sizes: BundleSize[] = [];
  for (const [group, entry] of Object.entries(allFunctionEntries(Object.keys(routeGroups)))) {
    const outdir = `${outRoot}/${group}`;
    mkdirSync(outdir, { recursive: true });
    const result = await build({ ...esbuildOptions(entry), outfile: `${outdir}/index.mjs`, metafile: true, write: true });
    const output = result.metafile.outputs[`dist/${group}/index.mjs`] ?? Object.values(result.metafile.outputs).find((o) => o.entryPoint)!;
    const code = readFileSync(`${outdir}/index.mjs`);
    writeLazyFiles(outdir, code.toString('utf8'));
    const byPackage = new Map<string, number>();
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      const key = m ? m[1]! : 'tally (own code)';
      byPackage.set(key, (byPackage.get(key) ?? 0) + bytesInOutput);
    }
    sizes.push({
      group,
      bytes: code.length,
      gzipBytes: gzipSync(code).length,
      top: [...byPackage.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([input, bytes]) => ({ input, bytes })),
    });
    writeFileSync(`${outdir}/meta.json`, JSON.stringify(result.metafile));
  }
  return sizes;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const sizes = await bundleAll();
  const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  console.log('| function | bundle | gzip | biggest parts |');
  console.log('|---|---:|---:|---|');
  for (const s of sizes) {
    console.log(`| ${s.group} | ${kib(s.bytes)} | ${kib(s.gzipBytes)} | ${s.top.map((t) => `${t.input} ${kib(t.bytes)}`).join(', ')} |`);
  }
}
