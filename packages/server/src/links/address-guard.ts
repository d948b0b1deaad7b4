import { createRequire } from 'node:module';
import { isIP } from 'node:net';
import type * as IpAddr from 'ipaddr.js';

// CommonJS typed with `export =`: without esModuleInterop, ESM code can only require it.
const ipaddr = createRequire(import.meta.url)('ipaddr.js') as typeof IpAddr;
type IPv4 = IpAddr.IPv4;
type IPv6 = IpAddr.IPv6;

/**
 * What an IP address is, for deciding whether the server may connect to it on a user's behalf:
 * only `public` addresses may be fetched (docs/adr/004-link-previews.md).
 */
export type AddressClass =
  | 'public'
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'shared'
  | 'link-local'
  | 'unique-local'
  | 'multicast'
  | 'broadcast'
  | 'documentation'
  | 'benchmarking'
  | 'reserved'
  | 'translation'
  | 'not-an-address';

type Range = [cidr: string, kind: Exclude<AddressClass, 'public' | 'not-an-address'>];

/** IANA's IPv4 special-purpose ranges that are not globally reachable; first match wins. */
const IPV4_RANGES: Range[] = [
  ['0.0.0.0/8', 'unspecified'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'shared'], // carrier-grade NAT
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'], // cloud metadata services live here
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'reserved'], // IETF protocol assignments
  ['192.0.2.0/24', 'documentation'],
  ['192.88.99.0/24', 'reserved'], // deprecated 6to4 relays
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'benchmarking'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['224.0.0.0/4', 'multicast'],
  ['255.255.255.255/32', 'broadcast'],
  ['240.0.0.0/4', 'reserved'],
];

/**
 * IPv6 is decided the other way round: only global unicast (2000::/3) can be public, less these.
 * Forms that embed an IPv4 address are judged by that address (see `embeddedIPv4`).
 */
const IPV6_RANGES: Range[] = [
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['fe80::/10', 'link-local'],
  ['fc00::/7', 'unique-local'],
  ['ff00::/8', 'multicast'],
  ['fec0::/10', 'reserved'], // deprecated site-local
  ['2001:db8::/32', 'documentation'],
  ['3fff::/20', 'documentation'],
  ['2001::/32', 'translation'], // Teredo: the IPv4 end is obfuscated; no need to allow it
  ['2001:2::/48', 'benchmarking'],
  ['2001::/23', 'reserved'], // IETF protocol assignments (ORCHID, AMT, …)
  ['2002::/16', 'translation'], // 6to4, which would route to any IPv4 address
  ['64:ff9b:1::/48', 'translation'], // local-use NAT64 (RFC 8215)
];

const GLOBAL_UNICAST = ipaddr.parseCIDR('2000::/3');

const parseRanges = (ranges: Range[]) =>
  ranges.map(([cidr, kind]) => ({ range: ipaddr.parseCIDR(cidr), kind }));
const V4 = parseRanges(IPV4_RANGES);
const V6 = parseRanges(IPV6_RANGES);

/** Classifies an IP address (dotted IPv4 or IPv6, as `dns.lookup` and URLs give them). */
export function classifyAddress(address: string): AddressClass {
  // A zone (`fe80::1%eth0`) only exists for link-local use.
  if (address.includes('%'))
    return isIP(address.split('%')[0]!) === 6 ? 'link-local' : 'not-an-address';
  const family = isIP(address);
  if (family === 4) return classifyIPv4(ipaddr.IPv4.parse(address));
  if (family === 6) return classifyIPv6(ipaddr.IPv6.parse(address));
  return 'not-an-address';
}

export function isPublicAddress(address: string): boolean {
  return classifyAddress(address) === 'public';
}

function classifyIPv4(address: IPv4): AddressClass {
  for (const { range, kind } of V4) if (address.match(range as [IPv4, number])) return kind;
  return 'public';
}

function classifyIPv6(address: IPv6): AddressClass {
  const embedded = embeddedIPv4(address);
  if (embedded) return classifyIPv4(embedded);
  for (const { range, kind } of V6) if (address.match(range as [IPv6, number])) return kind;
  return address.match(GLOBAL_UNICAST) ? 'public' : 'reserved';
}

/**
 * The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d, deprecated
 * but still routed by some stacks) or well-known NAT64 (64:ff9b::/96) address: each reaches that
 * IPv4 host, so it is judged like it.
 */
function embeddedIPv4(address: IPv6): IPv4 | undefined {
  const p = address.parts;
  const zeros = (from: number, to: number) => p.slice(from, to).every((part: number) => part === 0);
  const mapped = zeros(0, 5) && p[5] === 0xffff;
  const compatible = zeros(0, 6) && (p[6] !== 0 || p[7]! > 1); // not :: or ::1
  const nat64 = p[0] === 0x64 && p[1] === 0xff9b && zeros(2, 6);
  if (!mapped && !compatible && !nat64) return undefined;
  return new ipaddr.IPv4([p[6]! >> 8, p[6]! & 0xff, p[7]! >> 8, p[7]! & 0xff]);
}
