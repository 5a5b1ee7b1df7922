/**
 * Where a webhook may go. In AWS only HTTPS to public addresses: a tenant's admin must not be able
 * to make Tally's worker call the instance metadata service, the VPC, or anything else that is
 * not the public internet (server-side request forgery). The address check runs on every address
 * a name resolves to, right before connecting, and the connection is then pinned to the checked
 * address (lib/webhooks/deliver.ts), so a DNS answer that changes in between (rebinding) cannot
 * slip a private address in. Locally (`TALLY_WEBHOOKS_ALLOW_PRIVATE_URLS=1`, lib/config.ts) any
 * URL is allowed, so a receiver on 127.0.0.1 works.
 *
 * Pure: strings in, a reason or null out.
 */
import { isIP } from 'node:net';

/** [network, prefix length, what it is] — IANA's special-purpose IPv4 registry, everything not globally reachable. */
const v4Blocks: ReadonlyArray<readonly [string, number, string]> = [
  ['0.0.0.0', 8, 'this-network'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'carrier-grade NAT'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.169.254', 32, 'cloud metadata'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'IETF protocol assignments'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.88.99.0', 24, '6to4 relay'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];

/** The same for IPv6, most specific first (ranges that embed an IPv4 address are judged by that address, apart). */
const v6Blocks: ReadonlyArray<readonly [string, number, string]> = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['64:ff9b:1::', 48, 'local NAT64'],
  // IPv4-compatible (deprecated) and the rest of ::/8 that is neither IPv4-mapped nor NAT64.
  ['::', 8, 'reserved'],
  ['100::', 64, 'discard-only'],
  ['2001::', 23, 'IETF protocol assignments (Teredo, benchmarking, ORCHID)'],
  ['2001:db8::', 32, 'documentation'],
  ['3fff::', 20, 'documentation'],
  ['5f00::', 16, 'segment routing'],
  ['fd00:ec2::254', 128, 'cloud metadata'],
  ['fc00::', 7, 'unique local'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'site-local'],
  ['ff00::', 8, 'multicast'],
];

const v4ToInt = (a: string): number => a.split('.').reduce((n, o) => n * 256 + Number(o), 0);

/** The eight 16-bit groups of an IPv6 address (zone and brackets removed), or null if it is not one. */
export function parseIPv6(address: string): number[] | null {
  const a = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (isIP(a) !== 6) return null;
  let text = a;
  // A trailing dotted IPv4 part (::ffff:10.0.0.1) becomes two groups.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const n = v4ToInt(dotted[1]!);
    text = `${text.slice(0, -dotted[1]!.length)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') as [string, string] : [text, undefined];
  const parse = (s: string) => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const left = parse(head);
  if (tail === undefined) return left;
  const right = parse(tail);
  return [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
}

const v6ToBigInt = (groups: number[]): bigint => groups.reduce((n, g) => (n << 16n) | BigInt(g), 0n);

const inV4 = (ip: number, [net, bits]: readonly [string, number, string]) => bits === 0 || ip >>> (32 - bits) === v4ToInt(net) >>> (32 - bits);

const inV6 = (ip: bigint, [net, bits]: readonly [string, number, string]) => ip >> BigInt(128 - bits) === v6ToBigInt(parseIPv6(net)!) >> BigInt(128 - bits);

const NAT64 = v6ToBigInt(parseIPv6('64:ff9b::')!) >> 32n;

function v4Reason(address: string): string | null {
  const ip = v4ToInt(address);
  return v4Blocks.find((b) => inV4(ip, b))?.[2] ?? null;
}

/**
 * Why an IP address may not be a webhook target, or null if it is a public unicast address.
 * IPv6 addresses that carry an IPv4 one (IPv4-mapped, NAT64, 6to4) are judged by that address too.
 */
export function forbiddenAddressReason(address: string): string | null {
  const family = isIP(address.replace(/^\[|\]$/g, '').replace(/%.*$/, ''));
  if (family === 4) return v4Reason(address);
  if (family !== 6) return 'not an IP address';
  const groups = parseIPv6(address)!;
  const ip = v6ToBigInt(groups);
  const embedded = (hi: number, lo: number) => `${hi >>> 8}.${hi & 0xff}.${lo >>> 8}.${lo & 0xff}`;
  // ::ffff:a.b.c.d (IPv4-mapped) and 64:ff9b::a.b.c.d (NAT64): the IPv4 address is where it goes.
  const mapped = ip >> 32n === 0xffffn ? 'IPv4-mapped' : ip >> 32n === NAT64 ? 'NAT64' : null;
  if (mapped) {
    const inner = v4Reason(embedded(groups[6]!, groups[7]!));
    return inner ? `${mapped} ${inner}` : null;
  }
  // 2002:aabb:ccdd::/48 (6to4) tunnels to aa.bb.cc.dd.
  if (groups[0] === 0x2002) {
    const inner = v4Reason(embedded(groups[1]!, groups[2]!));
    return inner ? `6to4 ${inner}` : null;
  }
  return v6Blocks.find((b) => inV6(ip, b))?.[2] ?? null;
}

/** Host names that only mean something inside a network: refused up front, before any DNS. */
const internalName = /(^|\.)(localhost|local|internal|localdomain|home\.arpa)$/i;

export type UrlCheck = { ok: true; url: URL } | { ok: false; reason: string };

/**
 * The static half of the policy, for the API (a 400 at once) and again before each delivery:
 * scheme, credentials, and a host that is an IP literal or an internal name. Names are judged
 * after resolution, by `forbiddenAddressReason` on every address.
 */
export function checkWebhookUrl(raw: string, opts: { allowPrivate: boolean }): UrlCheck {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'is not a valid absolute URL' };
  }
  if (url.protocol !== 'https:' && !(opts.allowPrivate && url.protocol === 'http:')) {
    return { ok: false, reason: opts.allowPrivate ? 'must be an http or https URL' : 'must be an https URL' };
  }
  if (url.username || url.password) return { ok: false, reason: 'must not contain a user name or password (the signature authenticates Tally)' };
  if (url.hash) return { ok: false, reason: 'must not contain a fragment (#…)' };
  if (opts.allowPrivate) return { ok: true, url };
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) {
    const reason = forbiddenAddressReason(host);
    return reason ? { ok: false, reason: `must reach a public address; ${host} is ${reason}` } : { ok: true, url };
  }
  if (!host.includes('.') || internalName.test(host.replace(/\.$/, ''))) return { ok: false, reason: `must name a public host; ${host} is an internal name` };
  return { ok: true, url };
}
