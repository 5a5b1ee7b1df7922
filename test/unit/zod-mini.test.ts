/**
 * The till's request schemas use zod's mini build (lib/domain/zod-mini.ts), which, unlike classic
 * zod, sets no messages of its own. In one vitest process classic is always loaded too, so the
 * messages are checked in a fresh process that imports only what the till's function runs at import.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

describe("zod's mini build", () => {
  it('should give the rule in English without classic zod loaded, as the till answers a bad body', () => {
    const script = `
      import { validate } from '#lib/http/request.ts';
      import { identifyBody } from '#lib/http/schemas/pos.ts';
      try { validate(identifyBody, { customer: { card: '' } }); } catch (e) { console.log(e.message); }
    `;
    const out = execFileSync(join(root, 'node_modules/.bin/tsx'), ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
    expect(out.trim()).toBe('customer.card: Too small: expected string to have >=1 characters');
  });
});
