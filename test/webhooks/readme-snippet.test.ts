/** The README's signature verification snippet, run as a receiver would run it, against Tally's own signatures. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSecret, signatureHeader } from '#lib/webhooks/signature.ts';

type Verify = (header: string, rawBody: string | Buffer, secrets: string[], toleranceSeconds?: number) => boolean;
let verify: Verify;
let dir: string;

beforeAll(async () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('### Verifying a delivery'));
  const code = /```js\n([\s\S]*?)```/.exec(section)?.[1];
  expect(code, 'the README has a js block under "Verifying a delivery"').toBeDefined();
  dir = mkdtempSync(join(tmpdir(), 'tally-readme-'));
  writeFileSync(join(dir, 'verify.mjs'), code!);
  verify = ((await import(pathToFileURL(join(dir, 'verify.mjs')).href)) as { verifyTallySignature: Verify }).verifyTallySignature;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('README: verifying a delivery', () => {
  const body = JSON.stringify({ id: 'e1', type: 'receipt.committed', data: { storeId: 'S-01', note: 'Ани ✓' } });
  const now = () => Math.floor(Date.now() / 1000);

  it('accepts a delivery signed with the secret, as a string or as the raw bytes', () => {
    const secret = generateSecret();
    const header = signatureHeader([secret], now(), body);
    expect(verify(header, body, [secret])).toBe(true);
    expect(verify(header, Buffer.from(body, 'utf8'), [secret])).toBe(true);
  });

  it('accepts either secret during a rotation', () => {
    const [fresh, old] = [generateSecret(), generateSecret()];
    const header = signatureHeader([fresh, old], now(), body);
    expect(verify(header, body, [old])).toBe(true);
    expect(verify(header, body, [fresh])).toBe(true);
    expect(verify(header, body, [generateSecret()])).toBe(false);
  });

  it('refuses a changed body, another secret, an old timestamp and a malformed header', () => {
    const secret = generateSecret();
    expect(verify(signatureHeader([secret], now(), body), `${body} `, [secret])).toBe(false);
    expect(verify(signatureHeader([secret], now() - 600, body), body, [secret])).toBe(false);
    expect(verify('v1=zz', body, [secret])).toBe(false);
    expect(verify(`t=${now()},v1=abc`, body, [secret])).toBe(false);
  });
});
