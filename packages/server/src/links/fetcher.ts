import { lookup as dnsLookup } from 'node:dns/promises';
import * as http from 'node:http';
import * as https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { pipeline, type Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import { classifyAddress } from './address-guard.js';
import { checkLinkUrl, hostOf, LinkRefused } from './link-url.js';

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Resolves a host name to every address it has (`dns.lookup` with `all: true` by default). */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true });

export interface FetchLimits {
  /** For the whole fetch: every DNS lookup, connection, redirect and byte read. */
  timeoutMs: number;
  /** Longest wait for a connection or for the next bytes. */
  idleTimeoutMs: number;
  /** HTML read at most (after decompression); a page whose head is longer is refused. */
  maxBytes: number;
  maxRedirects: number;
}

export const DEFAULT_FETCH_LIMITS: FetchLimits = {
  timeoutMs: 5000,
  idleTimeoutMs: 3000,
  maxBytes: 512 * 1024,
  maxRedirects: 4,
};

export interface FetchOptions extends FetchLimits {
  allowHosts: ReadonlySet<string>;
  resolve: Resolver;
  userAgent: string;
  /** Aborts the fetch (server shutdown). */
  signal?: AbortSignal;
}

/** A fetch that gave nothing to preview: not found, not HTML, too slow, too large, … */
export class LinkFetchFailed extends Error {
  constructor(readonly reason: string) {
    super(`Link fetch failed: ${reason}`);
    this.name = 'LinkFetchFailed';
  }
}

export interface FetchedPage {
  /** After redirects. */
  url: string;
  /** The head of the page at least (reading stops after `</head>`). */
  body: Buffer;
  contentType: string;
}

export interface FetchedImage {
  /** After redirects. */
  url: string;
  /** The whole image, as sent (not yet decoded: links/preview-image.ts does that). */
  body: Buffer;
  /** One of IMAGE_TYPES. */
  mediaType: string;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const HTML_TYPES = new Set(['text/html', 'application/xhtml+xml']);
/** What a preview image may be: what browsers show and libvips decodes. SVG is not (a script). */
export const PREVIEW_IMAGE_TYPES = new Set([
  'image/jpeg',
  'image/png',
  'image/webp',
  'image/gif',
  'image/avif',
]);

/**
 * Fetches an HTML page for a preview without letting the link reach inside the network. Each hop
 * (the link, then every redirect) is checked as text, resolved, refused if any of its addresses
 * is internal, and then connected to that checked address only: the socket's lookup is pinned to
 * it, so a DNS answer that changes between check and connect (rebinding) is never used.
 * Throws LinkRefused or LinkFetchFailed.
 */
export function fetchPage(link: URL, options: FetchOptions): Promise<FetchedPage> {
  return fetchChecked(link, options, 'text/html, application/xhtml+xml;q=0.9', (url, response) =>
    readPage(url, response, options),
  );
}

/**
 * Fetches a page's preview image with the same checks as the page (every hop, pinned addresses,
 * the same deadline), so the server fetches it and no reader's browser contacts the site: only
 * an image type, at most `options.maxBytes` (decoded). Throws LinkRefused or LinkFetchFailed.
 */
export function fetchImage(link: URL, options: FetchOptions): Promise<FetchedImage> {
  const accept = [...PREVIEW_IMAGE_TYPES].join(', ');
  return fetchChecked(link, options, accept, (url, response) => readImage(url, response, options));
}

async function fetchChecked<T>(
  link: URL,
  options: FetchOptions,
  accept: string,
  read: (url: URL, response: http.IncomingMessage) => Promise<T>,
): Promise<T> {
  const deadline = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([deadline, options.signal]) : deadline;
  let url = link;
  try {
    for (let hop = 0; ; hop++) {
      const target = await resolveTarget(url, options, signal);
      const response = await get(url, target, options, accept, signal);
      const location = response.headers.location;
      if (REDIRECTS.has(response.statusCode ?? 0) && location) {
        response.destroy();
        if (hop >= options.maxRedirects) throw new LinkFetchFailed('too many redirects');
        let next: URL;
        try {
          next = new URL(location, url);
        } catch {
          throw new LinkFetchFailed('bad redirect');
        }
        url = checkLinkUrl(next.href, options.allowHosts);
        continue;
      }
      return await read(url, response);
    }
  } catch (error) {
    if (error instanceof LinkRefused || error instanceof LinkFetchFailed) throw error;
    if (signal.aborted) throw new LinkFetchFailed('timed out');
    throw new LinkFetchFailed((error as NodeJS.ErrnoException).code ?? 'network error');
  }
}

/** The address to connect to, after checking every address the host resolves to. */
async function resolveTarget(
  url: URL,
  options: FetchOptions,
  signal: AbortSignal,
): Promise<ResolvedAddress> {
  const host = hostOf(url);
  // Literal addresses were checked with the URL.
  const family = isIP(host);
  if (family) return { address: host, family };
  let addresses: ResolvedAddress[];
  try {
    addresses = await abortable(options.resolve(host), signal);
  } catch (error) {
    if (signal.aborted) throw error;
    throw new LinkFetchFailed('host not found');
  }
  if (addresses.length === 0) throw new LinkFetchFailed('host not found');
  if (!options.allowHosts.has(host)) {
    for (const { address } of addresses) {
      const kind = classifyAddress(address);
      // All of them: a client connecting to any one must not be able to reach inside.
      if (kind !== 'public') throw new LinkRefused(`host resolves to a ${kind} address`);
    }
  }
  return addresses[0]!;
}

/** Answers the socket's lookup with the checked address, whatever DNS says by now. */
function pinnedLookup(target: ResolvedAddress): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) callback(null, [target]);
    else callback(null, target.address, target.family);
  };
}

function get(
  url: URL,
  target: ResolvedAddress,
  options: FetchOptions,
  accept: string,
  signal: AbortSignal,
): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const request = client.request(url, {
      method: 'GET',
      // A fresh socket per hop: a pooled one could belong to another (unchecked) address.
      agent: false,
      lookup: pinnedLookup(target),
      signal,
      timeout: options.idleTimeoutMs,
      headers: {
        'user-agent': options.userAgent,
        accept,
        'accept-encoding': 'gzip, deflate, br',
      },
    });
    request.on('timeout', () => request.destroy(new LinkFetchFailed('timed out')));
    request.on('error', reject);
    request.on('response', resolve);
    request.end();
  });
}

async function readPage(
  url: URL,
  response: http.IncomingMessage,
  options: FetchOptions,
): Promise<FetchedPage> {
  try {
    if (response.statusCode !== 200) throw new LinkFetchFailed(`status ${response.statusCode}`);
    const contentType = response.headers['content-type'] ?? '';
    const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
    if (!HTML_TYPES.has(mediaType)) throw new LinkFetchFailed('not HTML');
    const body = decoded(response);
    const chunks: Buffer[] = [];
    let size = 0;
    let tail = Buffer.alloc(0);
    for await (const chunk of body as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      size += chunk.length;
      // With the previous chunk's last bytes, in case a chunk boundary splits the tag.
      const window = Buffer.concat([tail, chunk]);
      if (endOfHead(window)) return { url: url.href, body: Buffer.concat(chunks), contentType };
      if (size > options.maxBytes) throw new LinkFetchFailed('too large');
      tail = window.subarray(-5);
    }
    return { url: url.href, body: Buffer.concat(chunks), contentType };
  } finally {
    response.destroy();
  }
}

async function readImage(
  url: URL,
  response: http.IncomingMessage,
  options: FetchOptions,
): Promise<FetchedImage> {
  try {
    if (response.statusCode !== 200) throw new LinkFetchFailed(`status ${response.statusCode}`);
    const mediaType = (response.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (!PREVIEW_IMAGE_TYPES.has(mediaType)) throw new LinkFetchFailed('not an image');
    // Refused before reading when it says so; else counted as it comes.
    const declared = Number(response.headers['content-length']);
    if (declared > options.maxBytes) throw new LinkFetchFailed('too large');
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of decoded(response) as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > options.maxBytes) throw new LinkFetchFailed('too large');
      chunks.push(chunk);
    }
    return { url: url.href, body: Buffer.concat(chunks), mediaType };
  } finally {
    response.destroy();
  }
}

/** The body after Content-Encoding; the size limit counts what comes out of it. */
function decoded(response: http.IncomingMessage): Readable {
  const encoding = (response.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  const decoder =
    encoding === 'gzip' || encoding === 'x-gzip'
      ? zlib.createGunzip()
      : encoding === 'deflate'
        ? zlib.createInflate()
        : encoding === 'br'
          ? zlib.createBrotliDecompress()
          : undefined;
  if (encoding === 'identity') return response;
  if (!decoder) throw new LinkFetchFailed(`content encoding ${encoding}`);
  return pipeline(response, decoder, () => {});
}

/** `</head` or `<body` (ASCII in every charset we decode). */
function endOfHead(bytes: Buffer): boolean {
  const text = bytes.toString('latin1').toLowerCase();
  return text.includes('</head') || text.includes('<body');
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
