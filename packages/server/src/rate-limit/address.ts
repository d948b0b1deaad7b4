import { createRequire } from 'node:module';
import type * as IpAddr from 'ipaddr.js';

// CommonJS typed with `export =`: without esModuleInterop, ESM code can only require it.
const ipaddr = createRequire(import.meta.url)('ipaddr.js') as typeof IpAddr;

/**
 * The part of a client's address that a per-address limit counts: an IPv4 address whole (an
 * IPv4-mapped IPv6 address as the IPv4 one), an IPv6 address by its /64 — one subscriber is
 * usually given a whole /64, so counting single IPv6 addresses would give them 2^64 tries.
 * `ip` is Fastify's `request.ip` (the proxy's client address when trustProxy is set).
 */
export function addressKey(ip: string): string {
  let parsed: IpAddr.IPv4 | IpAddr.IPv6;
  try {
    parsed = ipaddr.process(ip);
  } catch {
    // Not an address (a Unix socket, a test double): counted as given.
    return ip;
  }
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const prefix = (parsed as IpAddr.IPv6).parts.slice(0, 4);
  return `${prefix.map((part) => part.toString(16)).join(':')}::/64`;
}
