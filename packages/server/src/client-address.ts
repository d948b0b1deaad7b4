import type { IncomingMessage } from 'node:http';
import proxyAddr from '@fastify/proxy-addr';
import type { TrustProxy } from './settings.js';

/** Whether the hop at `address` (0: the peer of the socket) is a proxy whose header we believe. */
export type TrustFunction = (address: string, hop: number) => boolean;

/**
 * The one trust rule of a server: Fastify gets it as its trustProxy (request.ip, used by rate
 * limits and logs) and the WebSocket gateway uses it through clientAddress, so both see the same
 * client address behind the same proxies — and a client that sends X-Forwarded-For itself, from
 * an address not trusted, is not believed.
 */
export function trustFunction(setting: TrustProxy): TrustFunction {
  if (setting === true) return () => true;
  if (setting === false || setting.length === 0) return () => false;
  return proxyAddr.compile(setting);
}

/** The client's address: the nearest hop not trusted as a proxy. */
export function clientAddress(request: IncomingMessage, trust: TrustFunction): string {
  if (!request.socket.remoteAddress) return 'unknown';
  return proxyAddr(request, trust);
}
