/**
 * One delivery attempt: POST the body to the endpoint, within one deadline from DNS to the
 * response's status line. The name is resolved once, every address it resolves to is checked
 * against the address policy, and the connection goes to the checked address (a `lookup` that
 * answers only with it), so a second DNS answer — a rebinding attack — is never consulted. TLS
 * still verifies the certificate against the host name. Redirects are not followed.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { checkWebhookUrl, forbiddenAddressReason } from './address-policy.ts';
import type { AttemptOutcome } from './retry.ts';

export interface ResolvedAddress {
  readonly address: string;
  readonly family: number;
}

export interface DeliveryPolicy {
  /** Locally true: any http(s) URL, private addresses included (lib/config.ts). */
  readonly allowPrivate: boolean;
  readonly timeoutMs: number;
  /** DNS resolution (every address of the name); tests give their own. */
  readonly resolve?: (host: string) => Promise<ResolvedAddress[]>;
}

const systemResolve = async (host: string): Promise<ResolvedAddress[]> => dnsLookup(host, { all: true, verbatim: true });

class Timeout extends Error {}

const within = <T>(p: Promise<T>, ms: number): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Timeout()), ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e: unknown) => (clearTimeout(t), reject(e)),
    );
  });

export async function postWebhook(url: string, body: string, headers: Record<string, string>, policy: DeliveryPolicy): Promise<AttemptOutcome> {
  const started = Date.now();
  const check = checkWebhookUrl(url, { allowPrivate: policy.allowPrivate });
  if (!check.ok) return { kind: 'blocked', reason: `the URL ${check.reason}` };
  const target = check.url;
  const host = target.hostname.replace(/^\[|\]$/g, '');

  let addresses: ResolvedAddress[];
  if (isIP(host)) {
    addresses = [{ address: host, family: isIP(host) }];
  } else {
    try {
      addresses = await within((policy.resolve ?? systemResolve)(host), policy.timeoutMs);
    } catch (e) {
      if (e instanceof Timeout) return { kind: 'timeout' };
      return { kind: 'network', code: `DNS ${(e as NodeJS.ErrnoException).code ?? 'failure'}` };
    }
    if (addresses.length === 0) return { kind: 'network', code: 'DNS no address' };
  }
  if (!policy.allowPrivate) {
    for (const a of addresses) {
      const reason = forbiddenAddressReason(a.address);
      if (reason) return { kind: 'blocked', reason: `${host} resolves to ${a.address} (${reason})` };
    }
  }
  const pinned = addresses[0]!;
  const lookup: LookupFunction = (_hostname, options, callback) => {
    if (options.all) (callback as (e: null, a: ResolvedAddress[]) => void)(null, [pinned]);
    else callback(null, pinned.address, pinned.family);
  };

  const remaining = Math.max(1, policy.timeoutMs - (Date.now() - started));
  const options: RequestOptions = {
    hostname: host,
    port: target.port || undefined,
    path: `${target.pathname}${target.search}`,
    method: 'POST',
    headers: { ...headers, 'content-length': String(Buffer.byteLength(body, 'utf8')) },
    lookup,
    // A fresh connection each time: no pooled socket to an address checked for someone else.
    agent: false,
  };
  return new Promise<AttemptOutcome>((resolve) => {
    let settled = false;
    const done = (outcome: AttemptOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(outcome);
    };
    // The status line is the answer; the body is the receiver's business and is not read.
    const req = (target.protocol === 'https:' ? httpsRequest : httpRequest)(options, (res) => done({ kind: 'response', status: res.statusCode ?? 0 }));
    const timer = setTimeout(() => done({ kind: 'timeout' }), remaining);
    req.on('error', (e: NodeJS.ErrnoException) => done({ kind: 'network', code: e.code ?? e.name }));
    req.end(body);
  });
}
