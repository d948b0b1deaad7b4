import { isIP } from 'node:net';
import { LIMITS } from '@tokki/protocol';
import { classifyAddress } from './address-guard.js';

/** Why a link is refused before anything is resolved or fetched. */
export class LinkRefused extends Error {
  constructor(readonly reason: string) {
    super(`Link refused: ${reason}`);
    this.name = 'LinkRefused';
  }
}

/** Names that are local by definition (RFC 6761, 6762, 8375, ICANN's .internal). */
const LOCAL_SUFFIXES = ['.localhost', '.local', '.internal', '.home.arpa'];

/** The host as compared and resolved: lower case, without IPv6 brackets or a final dot. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
}

/**
 * Parses a link and refuses what can be refused from the text alone: other schemes, credentials,
 * internal IP addresses and local names — unless the host is allow-listed. Names that merely
 * resolve to an internal address are caught later, after DNS (fetcher.ts). The result, without
 * its fragment, is the cache key.
 */
export function checkLinkUrl(input: string, allowHosts: ReadonlySet<string>): URL {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    throw new LinkRefused('not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new LinkRefused(`scheme ${url.protocol}`);
  if (url.username || url.password) throw new LinkRefused('credentials in the URL');
  url.hash = '';
  if (url.href.length > LIMITS.LINK_URL_MAX) throw new LinkRefused('URL too long');
  const host = hostOf(url);
  if (allowHosts.has(host)) return url;
  if (isIP(host)) {
    const kind = classifyAddress(host);
    if (kind !== 'public') throw new LinkRefused(`${kind} address`);
  } else if (
    host === 'localhost' ||
    !host.includes('.') ||
    LOCAL_SUFFIXES.some((suffix) => host.endsWith(suffix))
  ) {
    throw new LinkRefused('local host name');
  }
  return url;
}
