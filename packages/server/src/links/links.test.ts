import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  signInTestUser,
  startTestServer,
  testClient,
  testDialects,
  type TestServer,
  type TestUser,
} from '@tokki/dev-env';
import type { LinkPreview } from '@tokki/protocol';
import type { ResolvedAddress } from './fetcher.js';

/** A local web site that counts the requests it gets, by path. */
interface Site {
  port: number;
  hits: Map<string, number>;
  total(): number;
  close(): Promise<void>;
}

async function startSite(host: string, handler: RequestListener): Promise<Site | undefined> {
  const hits = new Map<string, number>();
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    handler(request, response);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, host, resolve);
    });
  } catch {
    return undefined; // no IPv6 loopback here
  }
  return {
    port: (server.address() as AddressInfo).port,
    hits,
    total: () => [...hits.values()].reduce((a, b) => a + b, 0),
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

const ARTICLE = `<!doctype html><html><head>
  <meta charset="utf-8">
  <title>Fallback</title>
  <meta property="og:title" content="토끼가 왔어요 &amp; more">
  <meta property="og:description" content="A page on the local test site.">
  <meta property="og:image" content="/images/rabbit.png">
  <meta property="og:site_name" content="Test Site">
</head><body>${'<p>Long body.</p>'.repeat(50_000)}</body></html>`;

/** Pages for every way a fetch can go. */
const siteHandler: RequestListener = (request, response) => {
  const url = new URL(request.url ?? '/', 'http://x');
  const html = (body: string | Buffer, headers: Record<string, string> = {}) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...headers });
    response.end(body);
  };
  switch (url.pathname) {
    case '/page':
    case '/page-2':
    case '/concurrent':
      return html(ARTICLE);
    case '/gzip':
      return html(gzipSync(ARTICLE), { 'content-encoding': 'gzip' });
    case '/redirect':
      response.writeHead(302, { location: '/page' });
      return response.end();
    case '/loop':
      response.writeHead(301, { location: '/loop' });
      return response.end();
    case '/huge-head':
      // A megabyte before </head>: more than the server reads.
      return html(`<html><head><title>Huge</title><script>${'x'.repeat(1 << 20)}</script></head>`);
    case '/gzip-bomb':
      return html(gzipSync(`<html><head><title>Bomb</title>${' '.repeat(64 << 20)}`), {
        'content-encoding': 'gzip',
      });
    case '/slow':
      // Headers, then nothing: the server must give up.
      response.writeHead(200, { 'content-type': 'text/html' });
      return response.write('<html><head>');
    case '/json':
      response.writeHead(200, { 'content-type': 'application/json' });
      return response.end('{"title":"not html"}');
    case '/bare':
      return html('<html><head></head><body>No metadata</body></html>');
    case '/rate':
      return html(`<title>Page ${url.searchParams.get('n')}</title>`);
    default:
      response.writeHead(404, { 'content-type': 'text/html' });
      return response.end('<title>Not found</title>');
  }
};

const TIMEOUT_MS = 800;
const RATE_MAX = 12;

describe.each(testDialects)('link previews on %s', (dialect) => {
  let site: Site;
  let site6: Site | undefined;
  let redirector: Site;
  /** Allows the local site (127.0.0.1 and pinned.test). */
  let open: TestServer;
  /** Allows nothing but the redirector: the production default, for everything internal. */
  let strict: TestServer;
  let next = 100;
  let pinnedLookups = 0;

  const resolveHost = async (hostname: string): Promise<ResolvedAddress[]> => {
    switch (hostname) {
      case 'pinned.test':
        // Checked once, then re-resolved elsewhere: a DNS-rebinding attempt the pin must defeat.
        return pinnedLookups++ === 0
          ? [{ address: '127.0.0.1', family: 4 }]
          : [{ address: '10.255.255.1', family: 4 }];
      case 'redirector.test':
      case 'intranet.test':
        return [{ address: '127.0.0.1', family: 4 }];
      case 'mixed.test':
        return [
          { address: '93.184.215.14', family: 4 },
          { address: '::ffff:127.0.0.1', family: 6 },
        ];
      case 'metadata.test':
        return [{ address: '169.254.169.254', family: 4 }];
      default:
        throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    }
  };

  const preview = async (server: TestServer, user: TestUser, url: string) =>
    (await testClient(() => server).call('links.preview', { url }, user)).preview;
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (error: { code?: string; message: string }) => error,
    );

  beforeAll(async () => {
    site = (await startSite('127.0.0.1', siteHandler))!;
    site6 = await startSite('::1', siteHandler);
    redirector = (await startSite('127.0.0.1', (request, response) => {
      const to = new URL(request.url ?? '/', 'http://x').searchParams.get('to') ?? '/';
      response.writeHead(302, { location: to });
      response.end();
    }))!;
    const config = (allowHosts: string[]) => ({
      linkPreviews: { allowHosts, timeoutMs: TIMEOUT_MS },
      rateLimits: { linkPreviewsPerUser: { max: RATE_MAX, windowSeconds: 60 } },
    });
    open = await startTestServer({
      dialect,
      config: config(['127.0.0.1', 'pinned.test']),
      overrides: { resolveHost },
    });
    strict = await startTestServer({
      dialect,
      config: config(['redirector.test']),
      overrides: { resolveHost },
    });
  });
  afterAll(async () => {
    await open?.close();
    await strict?.close();
    await site?.close();
    await site6?.close();
    await redirector?.close();
  });

  const userOf = (server: TestServer) => signInTestUser(server.url, next++);

  it('previews a local page, then serves it from the cache', async () => {
    const user = await userOf(open);
    const url = `http://127.0.0.1:${site.port}/page#comments`;
    const expected: LinkPreview = {
      url: `http://127.0.0.1:${site.port}/page`,
      siteName: 'Test Site',
      title: '토끼가 왔어요 & more',
      description: 'A page on the local test site.',
      // The site has no such image: the server tried it (preview-images.test.ts), nothing to show.
      imageUrl: null,
    };
    expect(await preview(open, user, url)).toEqual(expected);
    expect(site.hits.get('/page')).toBe(1);
    // Again, by another user, without the fragment: the cache answers, the site sees nothing.
    expect(await preview(open, await userOf(open), url.replace('#comments', ''))).toEqual(expected);
    expect(site.hits.get('/page')).toBe(1);
  });

  it('fetches once for concurrent requests of one link', async () => {
    const users = await Promise.all([1, 2, 3, 4, 5].map(() => userOf(open)));
    const url = `http://127.0.0.1:${site.port}/concurrent`;
    const previews = await Promise.all(users.map((user) => preview(open, user, url)));
    expect(new Set(previews.map((p) => p?.title))).toEqual(new Set(['토끼가 왔어요 & more']));
    expect(site.hits.get('/concurrent')).toBe(1);
  });

  it('follows redirects, reads gzip, and connects to the address it checked', async () => {
    const user = await userOf(open);
    expect(await preview(open, user, `http://127.0.0.1:${site.port}/redirect`)).toMatchObject({
      url: `http://127.0.0.1:${site.port}/page`,
      title: '토끼가 왔어요 & more',
    });
    expect(await preview(open, user, `http://127.0.0.1:${site.port}/gzip`)).toMatchObject({
      title: '토끼가 왔어요 & more',
    });
    // pinned.test resolves to the site once and elsewhere afterwards: the connection goes to
    // the address that was checked, not to a second answer.
    const before = site.hits.get('/page-2') ?? 0;
    expect(await preview(open, user, `http://pinned.test:${site.port}/page-2`)).toMatchObject({
      url: `http://pinned.test:${site.port}/page-2`,
      title: '토끼가 왔어요 & more',
    });
    // One lookup for the page, and one for its image: a fetch of its own, checked in turn.
    expect(pinnedLookups).toBe(2);
    expect(site.hits.get('/page-2')).toBe(before + 1);
  });

  it('gives null for pages that are too large, too slow, not HTML, bare, missing or loop', async () => {
    const user = await userOf(open);
    const at = (path: string) => `http://127.0.0.1:${site.port}${path}`;
    for (const path of ['/huge-head', '/gzip-bomb', '/json', '/bare', '/missing', '/loop']) {
      expect(await preview(open, user, at(path)), path).toBeNull();
    }
    const started = Date.now();
    expect(await preview(open, user, at('/slow'))).toBeNull();
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 2000);
    // A redirect loop stops after a few hops.
    expect(site.hits.get('/loop')).toBeLessThanOrEqual(5);
    // Misses are cached too: asking again fetches nothing.
    const total = site.total();
    expect(await preview(open, user, at('/json'))).toBeNull();
    expect(site.total()).toBe(total);
    // And the server is still up.
    expect(await testClient(() => open).callPublic('server.getInfo', {})).toMatchObject({
      name: 'Tokki',
    });
  });

  it('refuses internal addresses, other schemes and credentials with INVALID_PARAMS', async () => {
    const user = await userOf(strict);
    const siteBefore = site.total();
    const refused = [
      `http://127.0.0.1:${site.port}/page`,
      `http://127.0.0.1`,
      `http://169.254.169.254/latest/meta-data`,
      `http://[::1]:${site6?.port ?? site.port}/page`,
      `http://[::ffff:127.0.0.1]:${site.port}/page`,
      `http://0x7f000001:${site.port}/page`,
      `http://localhost:${site.port}/page`,
      `http://10.0.0.1/`,
      `file:///etc/passwd`,
      `ftp://example.com/file`,
      `javascript:alert(document.cookie)`,
      `https://user:password@example.com/`,
      `not a link`,
      `https://example.com/${'x'.repeat(2100)}`,
      '',
    ];
    for (const url of refused) {
      const error = await failure(preview(strict, user, url));
      expect(error, url).toMatchObject({ code: 'INVALID_PARAMS' });
    }
    const error = await failure(preview(strict, user, `http://127.0.0.1:${site.port}/page`));
    expect(error?.message).toContain('Only public http(s) links can be previewed.');
    expect(site.total()).toBe(siteBefore);
    expect(site6?.total() ?? 0).toBe(0);
  });

  it('refuses names that resolve inside, and redirects there, without a request', async () => {
    const user = await userOf(strict);
    const siteBefore = site.total();
    // Refused after DNS: null, as for a host that cannot be reached, so that the answer does
    // not tell which names resolve inside the network.
    for (const url of [
      `http://intranet.test:${site.port}/page`,
      `http://mixed.test:${site.port}/page`,
      `http://metadata.test/latest/meta-data`,
      `http://nowhere.test/`,
    ]) {
      expect(await preview(strict, user, url), url).toBeNull();
    }
    // The allow-listed redirector answers; every hop it points inside is refused.
    const via = (to: string) =>
      `http://redirector.test:${redirector.port}/?to=${encodeURIComponent(to)}`;
    const targets = [
      `http://127.0.0.1:${site.port}/page`,
      `http://intranet.test:${site.port}/page`,
      `http://localhost:${site.port}/page`,
      `http://[::1]:${site6?.port ?? site.port}/page`,
      `http://169.254.169.254/latest/meta-data`,
      `file:///etc/passwd`,
    ];
    for (const target of targets)
      expect(await preview(strict, user, via(target)), target).toBeNull();
    expect(redirector.total()).toBe(targets.length);
    expect(site.total()).toBe(siteBefore);
    expect(site6?.total() ?? 0).toBe(0);
    expect(await testClient(() => strict).callPublic('server.getInfo', {})).toMatchObject({
      name: 'Tokki',
    });
  });

  it('limits the fetches of each user', async () => {
    const user = await userOf(open);
    const at = (n: number) => `http://127.0.0.1:${site.port}/rate?n=${n}`;
    for (let n = 0; n < RATE_MAX; n++) expect(await preview(open, user, at(n))).not.toBeNull();
    const error = await failure(preview(open, user, at(RATE_MAX)));
    expect(error).toMatchObject({ code: 'RATE_LIMITED' });
    // Cached links cost nothing, and other users have their own allowance.
    expect(await preview(open, user, at(0))).toMatchObject({ title: 'Page 0' });
    expect(await preview(open, await userOf(open), at(RATE_MAX))).toMatchObject({
      title: `Page ${RATE_MAX}`,
    });
  });
});
