/** One delivery attempt against a real HTTP receiver on 127.0.0.1: answers, timeouts, refusals, the address policy and DNS pinning. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postWebhook, type ResolvedAddress } from '#lib/webhooks/deliver.ts';

let server: Server;
let base: string;
let port: number;
const seen: Array<{ url: string; headers: IncomingMessage['headers']; body: string }> = [];
const held: ServerResponse[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      if (req.url === '/hold') return void held.push(res);
      const status = Number(/status=(\d+)/.exec(req.url!)?.[1] ?? 204);
      res.writeHead(status, status === 302 ? { location: 'http://169.254.169.254/' } : {}).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  for (const r of held) r.destroy();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const local = { allowPrivate: true, timeoutMs: 2_000 };
const aws = { allowPrivate: false, timeoutMs: 2_000 };

describe('postWebhook', () => {
  it('posts the body with the given headers and returns the status line', async () => {
    const body = JSON.stringify({ id: 'e1', text: 'Ани ✓' });
    expect(await postWebhook(`${base}/hook?x=1`, body, { 'content-type': 'application/json', 'tally-event-id': 'e1' }, local)).toEqual({ kind: 'response', status: 204 });
    const got = seen.at(-1)!;
    expect(got).toMatchObject({ url: '/hook?x=1', body });
    expect(got.headers).toMatchObject({ 'content-type': 'application/json', 'tally-event-id': 'e1', 'content-length': String(Buffer.byteLength(body)) });
    expect(await postWebhook(`${base}/hook?status=503`, '{}', {}, local)).toEqual({ kind: 'response', status: 503 });
  });

  it('does not follow a redirect', async () => {
    const before = seen.length;
    expect(await postWebhook(`${base}/hook?status=302`, '{}', {}, local)).toEqual({ kind: 'response', status: 302 });
    expect(seen.length).toBe(before + 1);
  });

  it('gives up on a receiver that holds the response past the timeout', async () => {
    const started = Date.now();
    expect(await postWebhook(`${base}/hold`, '{}', {}, { ...local, timeoutMs: 300 })).toEqual({ kind: 'timeout' });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('reports a refused connection', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const free = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    expect(await postWebhook(`http://127.0.0.1:${free}/`, '{}', {}, local)).toEqual({ kind: 'network', code: 'ECONNREFUSED' });
  });

  it('in AWS, blocks http, loopback literals, and names that resolve to any forbidden address — without connecting', async () => {
    const before = seen.length;
    expect(await postWebhook(`${base}/hook`, '{}', {}, aws)).toEqual({ kind: 'blocked', reason: 'the URL must be an https URL' });
    expect(await postWebhook(`https://127.0.0.1:${port}/hook`, '{}', {}, aws)).toEqual({ kind: 'blocked', reason: 'the URL must reach a public address; 127.0.0.1 is loopback' });
    const resolveTo = (...addresses: string[]) => async (): Promise<ResolvedAddress[]> => addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    expect(await postWebhook('https://hooks.example.com/', '{}', {}, { ...aws, resolve: resolveTo('10.1.2.3') })).toEqual({ kind: 'blocked', reason: 'hooks.example.com resolves to 10.1.2.3 (private)' });
    // One bad address among good ones is enough: the connection could have gone to any of them.
    expect(await postWebhook('https://hooks.example.com/', '{}', {}, { ...aws, resolve: resolveTo('93.184.215.14', '169.254.169.254') })).toEqual({
      kind: 'blocked',
      reason: 'hooks.example.com resolves to 169.254.169.254 (cloud metadata)',
    });
    expect(await postWebhook('https://hooks.example.com/', '{}', {}, { ...aws, resolve: resolveTo('::ffff:127.0.0.1') })).toEqual({ kind: 'blocked', reason: 'hooks.example.com resolves to ::ffff:127.0.0.1 (IPv4-mapped loopback)' });
    expect(await postWebhook('https://hooks.example.com/', '{}', {}, { ...aws, resolve: resolveTo('fd00::5') })).toEqual({ kind: 'blocked', reason: 'hooks.example.com resolves to fd00::5 (unique local)' });
    expect(seen.length).toBe(before);
  });

  it('connects to the address it resolved and checked, once, and never asks DNS again (no rebinding)', async () => {
    const answers = ['127.0.0.1', '10.66.66.66'];
    let lookups = 0;
    const rebinding = async (): Promise<ResolvedAddress[]> => [{ address: answers[lookups++] ?? '10.66.66.66', family: 4 }];
    expect(await postWebhook(`http://hooks.tally.test:${port}/pinned`, '{}', {}, { ...local, resolve: rebinding })).toEqual({ kind: 'response', status: 204 });
    expect(lookups).toBe(1);
    expect(seen.at(-1)).toMatchObject({ url: '/pinned', headers: expect.objectContaining({ host: `hooks.tally.test:${port}` }) });
  });

  it('reports DNS failures and DNS that does not answer in time', async () => {
    const notFound = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    };
    expect(await postWebhook('https://nowhere.example.com/', '{}', {}, { ...aws, resolve: notFound })).toEqual({ kind: 'network', code: 'DNS ENOTFOUND' });
    expect(await postWebhook('https://slow.example.com/', '{}', {}, { ...aws, timeoutMs: 100, resolve: () => new Promise(() => undefined) })).toEqual({ kind: 'timeout' });
  });
});
