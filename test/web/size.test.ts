/**
 * First-load size of each browser page, from a real production build (esbuild's metafile names
 * each page's script and stylesheet): the console under 300 KB and the customer page under
 * 100 KB, gzipped as a browser receives them. Prints the sizes; a size, not a time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildWeb, formatSizes, SIZE_BUDGETS } from '../../web/build.ts';

describe('web first-load sizes', () => {
  const out = mkdtempSync(join(tmpdir(), 'tally-web-size-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('keeps the console under 300 KB and the customer page under 100 KB gzipped', () => {
    const sizes = buildWeb(out);
    console.log(`web first load:\n${formatSizes(sizes)}`);
    expect(sizes.console.gzipBytes).toBeLessThan(SIZE_BUDGETS.console);
    expect(sizes.me.gzipBytes).toBeLessThan(SIZE_BUDGETS.me);
    // Each page loads its own HTML, one script and one stylesheet; the customer page carries no console code.
    expect(sizes.console.files).toHaveLength(3);
    expect(sizes.me.files.some((f) => f.includes('console'))).toBe(false);
  });
});
