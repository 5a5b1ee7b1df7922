/**
 * Builds the browser side into web/dist: the staff console (index.html) and the customer page
 * (me.html), each one esbuild bundle with its CSS, content-hashed under assets/ so they can be
 * cached for ever while the two HTML files are not. Returns each page's first-load size (its
 * HTML, script and style, gzipped as a browser receives them), read from esbuild's metafile.
 * `npm run web:build` prints them; `npm start` builds before serving.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { buildSync } from 'esbuild';

export const webRoot = fileURLToPath(new URL('.', import.meta.url));
export const defaultWebDist = join(webRoot, 'dist');

/** What the issue asks of each page's first load, gzipped. */
export const SIZE_BUDGETS = { console: 300 * 1024, me: 100 * 1024 } as const;
export type WebPage = keyof typeof SIZE_BUDGETS;

const pages: Record<WebPage, { entry: string; html: string; title: string }> = {
  console: { entry: 'src/console/main.tsx', html: 'index.html', title: 'Tally console' },
  me: { entry: 'src/me/main.tsx', html: 'me.html', title: 'Tally' },
};

export interface PageSize {
  readonly html: string;
  readonly files: readonly string[];
  readonly bytes: number;
  readonly gzipBytes: number;
}

/** Synchronous, so the CDK's asset bundling can call it in process. */
export function buildWeb(outdir = defaultWebDist): Record<WebPage, PageSize> {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(join(outdir, 'assets'), { recursive: true });
  const result = buildSync({
    absWorkingDir: webRoot,
    entryPoints: Object.fromEntries(Object.entries(pages).map(([name, p]) => [name, p.entry])),
    outdir: join(outdir, 'assets'),
    entryNames: '[name]-[hash]',
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    define: { 'process.env.NODE_ENV': '"production"' },
    metafile: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  const sizes = {} as Record<WebPage, PageSize>;
  for (const [name, page] of Object.entries(pages) as Array<[WebPage, (typeof pages)[WebPage]]>) {
    const [jsPath, js] = Object.entries(result.metafile.outputs).find(([, o]) => o.entryPoint === page.entry)!;
    const script = `/assets/${basename(jsPath)}`;
    const style = js.cssBundle ? `/assets/${basename(js.cssBundle)}` : undefined;
    const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${page.title}</title>
${style ? `<link rel="stylesheet" href="${style}">\n` : ''}<script type="module" src="${script}"></script>
</head>
<body><div id="app"></div></body>
</html>
`;
    writeFileSync(join(outdir, page.html), html);
    const files = [page.html, ...[script, style].filter((f): f is string => !!f).map((f) => f.slice(1))];
    const contents = files.map((f) => readFileSync(join(outdir, f)));
    sizes[name] = {
      html: page.html,
      files,
      bytes: contents.reduce((n, c) => n + c.length, 0),
      gzipBytes: contents.reduce((n, c) => n + gzipSync(c).length, 0),
    };
  }
  writeFileSync(join(outdir, 'meta.json'), JSON.stringify(result.metafile));
  return sizes;
}

export const formatSizes = (sizes: Record<WebPage, PageSize>) =>
  (Object.entries(sizes) as Array<[WebPage, PageSize]>)
    .map(([name, s]) => `${name.padEnd(8)} ${s.html.padEnd(11)} ${(s.gzipBytes / 1024).toFixed(1)} KB gzipped (${(s.bytes / 1024).toFixed(1)} KB) of ${SIZE_BUDGETS[name] / 1024} KB: ${s.files.join(', ')}`)
    .join('\n');

/** `tsx web/build.ts [outdir]` (the CDK's asset bundling passes its own folder). */
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const outdir = process.argv[2] ?? defaultWebDist;
  const sizes = buildWeb(outdir);
  console.log(`built ${relative(process.cwd(), outdir) || '.'}/ — first load per page:\n${formatSizes(sizes)}`);
}
