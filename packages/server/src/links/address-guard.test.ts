import { describe, expect, it } from 'vitest';
import { classifyAddress, isPublicAddress, type AddressClass } from './address-guard.js';
import { checkLinkUrl, LinkRefused } from './link-url.js';

const CASES: [address: string, kind: AddressClass][] = [
  // IPv4
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', 'unspecified'],
  ['10.0.0.1', 'private'],
  ['10.255.255.255', 'private'],
  ['100.64.0.1', 'shared'],
  ['100.127.255.254', 'shared'],
  ['127.0.0.1', 'loopback'],
  ['127.255.0.9', 'loopback'],
  ['169.254.169.254', 'link-local'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['192.0.0.170', 'reserved'],
  ['192.0.2.1', 'documentation'],
  ['192.88.99.1', 'reserved'],
  ['192.168.1.1', 'private'],
  ['198.18.0.1', 'benchmarking'],
  ['198.19.255.255', 'benchmarking'],
  ['198.51.100.7', 'documentation'],
  ['203.0.113.9', 'documentation'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['240.0.0.1', 'reserved'],
  ['255.255.255.255', 'broadcast'],
  ['8.8.8.8', 'public'],
  ['1.1.1.1', 'public'],
  ['172.15.255.255', 'public'],
  ['172.32.0.0', 'public'],
  ['100.63.255.255', 'public'],
  ['100.128.0.0', 'public'],
  ['192.169.0.1', 'public'],
  ['223.255.255.255', 'public'],
  // IPv6
  ['::', 'unspecified'],
  ['::1', 'loopback'],
  ['0:0:0:0:0:0:0:1', 'loopback'],
  ['fe80::1', 'link-local'],
  ['febf::1', 'link-local'],
  ['fe80::1%eth0', 'link-local'],
  ['fc00::1', 'unique-local'],
  ['fd12:3456:789a::1', 'unique-local'],
  ['ff02::1', 'multicast'],
  ['fec0::1', 'reserved'],
  ['2001:db8::1', 'documentation'],
  ['3fff::1', 'documentation'],
  ['2001::1', 'translation'],
  ['2001:2::1', 'benchmarking'],
  ['2001:10::1', 'reserved'],
  ['2002:7f00:1::1', 'translation'],
  ['2002:808:808::1', 'translation'],
  ['64:ff9b:1::1', 'translation'],
  ['100::1', 'reserved'],
  ['::ffff:0:7f00:1', 'reserved'],
  ['2606:4700:4700::1111', 'public'],
  ['2a00:1450:4001:80b::200e', 'public'],
  // IPv4 inside IPv6: judged by the IPv4 address.
  ['::ffff:127.0.0.1', 'loopback'],
  ['::ffff:7f00:1', 'loopback'],
  ['::ffff:169.254.169.254', 'link-local'],
  ['::ffff:10.1.2.3', 'private'],
  ['::ffff:8.8.8.8', 'public'],
  ['::127.0.0.1', 'loopback'],
  ['::0.0.0.2', 'unspecified'],
  ['::8.8.8.8', 'public'],
  ['64:ff9b::127.0.0.1', 'loopback'],
  ['64:ff9b::a9fe:a9fe', 'link-local'],
  ['64:ff9b::192.168.0.1', 'private'],
  ['64:ff9b::8.8.8.8', 'public'],
  // Not addresses.
  ['localhost', 'not-an-address'],
  ['0x7f000001', 'not-an-address'],
  ['2130706433', 'not-an-address'],
  ['127.1', 'not-an-address'],
  ['', 'not-an-address'],
];

describe('classifyAddress', () => {
  it.each(CASES)('%s is %s', (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
    expect(isPublicAddress(address)).toBe(kind === 'public');
  });
});

describe('checkLinkUrl', () => {
  const none = new Set<string>();
  const refused = (url: string, allow = none) => {
    try {
      checkLinkUrl(url, allow);
    } catch (error) {
      expect(error).toBeInstanceOf(LinkRefused);
      return (error as LinkRefused).reason;
    }
    return undefined;
  };

  it('accepts public http(s) links, without their fragment', () => {
    expect(checkLinkUrl('https://example.com/a?b=1#top', none).href).toBe(
      'https://example.com/a?b=1',
    );
    expect(checkLinkUrl(' HTTP://Example.COM:80/ ', none).href).toBe('http://example.com/');
    expect(checkLinkUrl('http://8.8.8.8/', none).href).toBe('http://8.8.8.8/');
    expect(checkLinkUrl('http://[2606:4700:4700::1111]/', none).hostname).toBe(
      '[2606:4700:4700::1111]',
    );
  });

  it.each([
    ['file:///etc/passwd', 'scheme file:'],
    ['ftp://example.com/', 'scheme ftp:'],
    ['javascript:alert(1)', 'scheme javascript:'],
    ['data:text/html,<title>x</title>', 'scheme data:'],
    ['gopher://example.com/', 'scheme gopher:'],
    ['https://user:secret@example.com/', 'credentials in the URL'],
    ['https://user@example.com/', 'credentials in the URL'],
    ['not a url', 'not a URL'],
    ['http://127.0.0.1/', 'loopback address'],
    ['http://127.1/', 'loopback address'],
    ['http://0x7f000001/', 'loopback address'],
    ['http://2130706433/', 'loopback address'],
    ['http://0177.0.0.1/', 'loopback address'],
    ['http://0.0.0.0:8080/', 'unspecified address'],
    ['http://169.254.169.254/latest/meta-data', 'link-local address'],
    ['http://10.0.0.1/', 'private address'],
    ['http://[::1]:8080/', 'loopback address'],
    ['http://[::ffff:127.0.0.1]/', 'loopback address'],
    ['http://[::ffff:a9fe:a9fe]/', 'link-local address'],
    ['http://[64:ff9b::7f00:1]/', 'loopback address'],
    ['http://[fd00::1]/', 'unique-local address'],
    ['http://localhost:8080/', 'local host name'],
    ['http://LOCALHOST./', 'local host name'],
    ['http://api.localhost/', 'local host name'],
    ['http://printer.local/', 'local host name'],
    ['http://db.internal/', 'local host name'],
    ['http://router.home.arpa/', 'local host name'],
    ['http://intranet/', 'local host name'],
    [`https://example.com/${'a'.repeat(2048)}`, 'URL too long'],
  ])('refuses %s (%s)', (url, reason) => {
    expect(refused(url)).toBe(reason);
  });

  it('lets allow-listed hosts through, and only those', () => {
    const allow = new Set(['127.0.0.1', 'localhost', '::1']);
    expect(refused('http://127.0.0.1:9/', allow)).toBeUndefined();
    expect(refused('http://localhost:9/', allow)).toBeUndefined();
    expect(refused('http://[::1]:9/', allow)).toBeUndefined();
    expect(refused('http://127.0.0.2/', allow)).toBe('loopback address');
    // The allow-list lifts the address check only: never the scheme or credential checks.
    expect(refused('ftp://127.0.0.1/', allow)).toBe('scheme ftp:');
    expect(refused('http://a:b@localhost/', allow)).toBe('credentials in the URL');
  });
});
