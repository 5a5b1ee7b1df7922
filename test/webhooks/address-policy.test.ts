/** The SSRF policy's pure half: which addresses and URLs a webhook may target in AWS. */
import { describe, expect, it } from 'vitest';
import { checkWebhookUrl, forbiddenAddressReason } from '#lib/webhooks/address-policy.ts';

describe('forbiddenAddressReason', () => {
  it.each([
    ['0.0.0.0', 'this-network'],
    ['0.255.1.2', 'this-network'],
    ['10.0.0.1', 'private'],
    ['10.255.255.255', 'private'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.127.255.254', 'carrier-grade NAT'],
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['169.254.169.254', 'cloud metadata'],
    ['169.254.170.2', 'link-local'],
    ['169.254.0.1', 'link-local'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.0.0.170', 'IETF protocol assignments'],
    ['192.0.2.10', 'documentation'],
    ['192.168.1.1', 'private'],
    ['198.18.0.1', 'benchmarking'],
    ['198.19.255.255', 'benchmarking'],
    ['203.0.113.7', 'documentation'],
    ['224.0.0.251', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'reserved'],
  ])('refuses IPv4 %s (%s)', (address, reason) => {
    expect(forbiddenAddressReason(address)).toBe(reason);
  });

  it.each(['1.1.1.1', '8.8.8.8', '9.255.255.255', '11.0.0.1', '100.63.255.255', '100.128.0.1', '172.15.255.255', '172.32.0.1', '192.167.255.255', '192.169.0.1', '198.17.255.255', '198.20.0.1', '223.255.255.255', '52.94.236.248'])(
    'allows public IPv4 %s, including the neighbours of every blocked range',
    (address) => {
      expect(forbiddenAddressReason(address)).toBeNull();
    },
  );

  it.each([
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['::2', 'reserved'],
    ['::10.0.0.1', 'reserved'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['febf:ffff::1', 'link-local'],
    ['fec0::1', 'site-local'],
    ['fc00::1', 'unique local'],
    ['fd12:3456:789a::1', 'unique local'],
    ['fd00:ec2::254', 'cloud metadata'],
    ['ff02::1', 'multicast'],
    ['ff05::1:3', 'multicast'],
    ['2001:db8::1', 'documentation'],
    ['3fff::1', 'documentation'],
    ['2001::1', 'IETF protocol assignments (Teredo, benchmarking, ORCHID)'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'IETF protocol assignments (Teredo, benchmarking, ORCHID)'],
    ['100::1', 'discard-only'],
    ['64:ff9b:1::1', 'local NAT64'],
  ])('refuses IPv6 %s (%s)', (address, reason) => {
    expect(forbiddenAddressReason(address)).toBe(reason);
  });

  it.each(['2606:4700:4700::1111', '2a00:1450:4001:82a::200e', '2600:1f18::1', 'fbff:ffff::1', 'fe00::1', '2001:200::1'])('allows public IPv6 %s', (address) => {
    expect(forbiddenAddressReason(address)).toBeNull();
  });

  it('judges an IPv4-mapped, NAT64 or 6to4 IPv6 address by the IPv4 address it carries, in either notation', () => {
    expect(forbiddenAddressReason('::ffff:127.0.0.1')).toBe('IPv4-mapped loopback');
    expect(forbiddenAddressReason('::ffff:7f00:1')).toBe('IPv4-mapped loopback');
    expect(forbiddenAddressReason('0:0:0:0:0:ffff:a9fe:a9fe')).toBe('IPv4-mapped cloud metadata');
    expect(forbiddenAddressReason('::ffff:169.254.169.254')).toBe('IPv4-mapped cloud metadata');
    expect(forbiddenAddressReason('::ffff:10.1.2.3')).toBe('IPv4-mapped private');
    expect(forbiddenAddressReason('[::ffff:192.168.0.1]')).toBe('IPv4-mapped private');
    expect(forbiddenAddressReason('::ffff:8.8.8.8')).toBeNull();
    expect(forbiddenAddressReason('::ffff:808:808')).toBeNull();
    expect(forbiddenAddressReason('64:ff9b::10.0.0.1')).toBe('NAT64 private');
    expect(forbiddenAddressReason('64:ff9b::8.8.8.8')).toBeNull();
    expect(forbiddenAddressReason('2002:0a00:0001::1')).toBe('6to4 private');
    expect(forbiddenAddressReason('2002:7f00:1::')).toBe('6to4 loopback');
    expect(forbiddenAddressReason('2002:0808:0808::1')).toBeNull();
  });

  it('refuses what is not an address at all', () => {
    for (const s of ['', 'localhost', '1.2.3', '256.1.1.1', '01.2.3.4', '::g', '1:2:3:4:5:6:7:8:9']) expect(forbiddenAddressReason(s)).toBe('not an IP address');
  });
});

describe('checkWebhookUrl', () => {
  const aws = { allowPrivate: false };
  const local = { allowPrivate: true };
  const reason = (url: string, opts = aws) => {
    const r = checkWebhookUrl(url, opts);
    return r.ok ? null : r.reason;
  };

  it('allows https to a public name or address in AWS', () => {
    expect(reason('https://hooks.example.com/tally')).toBeNull();
    expect(reason('https://hooks.example.com:8443/tally?x=1')).toBeNull();
    expect(reason('https://8.8.8.8/hook')).toBeNull();
    expect(reason('https://[2606:4700:4700::1111]/hook')).toBeNull();
  });

  it('refuses http, other schemes, credentials and fragments in AWS', () => {
    expect(reason('http://hooks.example.com/')).toBe('must be an https URL');
    expect(reason('ftp://hooks.example.com/')).toBe('must be an https URL');
    expect(reason('file:///etc/passwd')).toBe('must be an https URL');
    expect(reason('https://user:pw@hooks.example.com/')).toMatch(/user name or password/);
    expect(reason('https://hooks.example.com/#x')).toMatch(/fragment/);
    expect(reason('not a url')).toBe('is not a valid absolute URL');
  });

  it('refuses private, loopback and metadata literals however they are spelled (the URL parser normalises them)', () => {
    expect(reason('https://127.0.0.1/')).toBe('must reach a public address; 127.0.0.1 is loopback');
    expect(reason('https://2130706433/')).toBe('must reach a public address; 127.0.0.1 is loopback');
    expect(reason('https://0x7f.1/')).toBe('must reach a public address; 127.0.0.1 is loopback');
    expect(reason('https://169.254.169.254/latest/meta-data/')).toMatch(/cloud metadata/);
    expect(reason('https://[::1]/')).toMatch(/loopback/);
    expect(reason('https://[::ffff:10.0.0.1]/')).toMatch(/IPv4-mapped private/);
    expect(reason('https://[fd00:ec2::254]/')).toMatch(/cloud metadata/);
    expect(reason('https://100.100.100.200/')).toMatch(/carrier-grade NAT/);
  });

  it('refuses internal host names before any DNS lookup', () => {
    for (const host of ['localhost', 'api.localhost', 'metadata', 'metadata.google.internal', 'printer.local', 'router.home.arpa', 'localhost.']) {
      expect(reason(`https://${host}/`), host).toMatch(/internal name/);
    }
  });

  it('allows any http(s) URL locally, loopback included', () => {
    expect(reason('http://127.0.0.1:9000/hook', local)).toBeNull();
    expect(reason('http://localhost:9000/hook', local)).toBeNull();
    expect(reason('https://10.0.0.5/hook', local)).toBeNull();
    expect(reason('ftp://127.0.0.1/', local)).toBe('must be an http or https URL');
  });
});
