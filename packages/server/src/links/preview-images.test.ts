import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  signInTestUser,
  startTestServer,
  testClient,
  testDialects,
  type TestServer,
  type TestUser,
} from '@tokki/dev-env';
import type { ResolvedAddress } from './fetcher.js';
import { PREVIEW_TTL_MS } from './service.js';
import { pruneExpired } from './store.js';

const MAX_IMAGE_BYTES = 64 * 1024;

/** A local web site: pages whose og:image is each way an image can go, and the images. */
async function startSite(images: {
  photo: Buffer;
  large: Buffer;
}): Promise<{ port: number; hits: Map<string, number>; close(): Promise<void> }> {
  const hits = new Map<string, number>();
  const page = (image: string) =>
    `<!doctype html><html><head><meta property="og:title" content="Rabbits">` +
    `<meta property="og:image" content="${image}"></head><body></body></html>`;
  const handler: RequestListener = (request, response) => {
    const url = new URL(request.url ?? '/', 'http://x');
    hits.set(url.pathname, (hits.get(url.pathname) ?? 0) + 1);
    const send = (type: string, body: string | Buffer, headers: Record<string, string> = {}) => {
      response.writeHead(200, { 'content-type': type, ...headers });
      response.end(body);
    };
    if (url.pathname.startsWith('/page/')) {
      // /page/<anything>?image=<og:image>
      return send('text/html; charset=utf-8', page(url.searchParams.get('image') ?? ''));
    }
    switch (url.pathname) {
      case '/photo.jpg':
        return send('image/jpeg', images.photo);
      case '/large.png':
        return send('image/png', images.large);
      case '/large-chunked.png':
        // No Content-Length: counted as it comes.
        response.writeHead(200, { 'content-type': 'image/png' });
        response.write(images.large.subarray(0, 40_000));
        return response.end(images.large.subarray(40_000));
      case '/page.png':
        // Says image, is HTML.
        return send('image/png', '<html><head><title>not an image</title></head></html>');
      case '/html-image':
        return send('text/html', '<html><head></head></html>');
      case '/drawing.svg':
        return send(
          'image/svg+xml',
          '<svg xmlns="http://www.w3.org/2000/svg"><script>x</script></svg>',
        );
      default:
        response.writeHead(404).end();
    }
  };
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    hits,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe.each(testDialects)('link-preview images served by Tokki on %s', (dialect) => {
  let site: Awaited<ReturnType<typeof startSite>>;
  let server: TestServer;
  let next = 300;
  const resolveHost = async (hostname: string): Promise<ResolvedAddress[]> => {
    switch (hostname) {
      // The site, allow-listed by name; intranet.test is the same address, not allow-listed.
      case 'site.test':
      case 'intranet.test':
        return [{ address: '127.0.0.1', family: 4 }];
      case 'metadata.test':
        return [{ address: '169.254.169.254', family: 4 }];
      default:
        throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    }
  };
  const userOf = () => signInTestUser(server.url, next++);
  const preview = async (user: TestUser, url: string) =>
    (await testClient(() => server).call('links.preview', { url }, user)).preview;
  const pageWith = (name: string, image: string) =>
    `http://site.test:${site.port}/page/${name}?image=${encodeURIComponent(image)}`;

  beforeAll(async () => {
    // A photo with EXIF (a camera and a GPS position) that must not reach readers.
    const photo = await sharp({
      create: { width: 1600, height: 1200, channels: 3, background: '#ff7a45' },
    })
      .withExif({ IFD0: { Make: 'TrackingCam', Copyright: 'secret-exif-marker' } })
      .jpeg()
      .toBuffer();
    // Noise does not compress: larger than the limit.
    const noise = Buffer.from(Array.from({ length: 200 * 200 * 3 }, (_, i) => (i * 7919) % 251));
    const large = await sharp(noise, { raw: { width: 200, height: 200, channels: 3 } })
      .png({ compressionLevel: 0 })
      .toBuffer();
    expect(large.length).toBeGreaterThan(MAX_IMAGE_BYTES);
    site = await startSite({ photo, large });
    server = await startTestServer({
      dialect,
      config: {
        linkPreviews: {
          allowHosts: ['site.test'],
          timeoutMs: 3000,
          maxImageBytes: MAX_IMAGE_BYTES,
        },
      },
      overrides: { resolveHost },
    });
  });
  afterAll(async () => {
    await server?.close();
    await site?.close();
  });

  it('fetches the image once, re-encoded, and serves it from Tokki to each reader', async () => {
    const [alice, bob] = [await userOf(), await userOf()];
    const link = pageWith('photo', '/photo.jpg');
    const forAlice = (await preview(alice, link))!;
    const forBob = (await preview(bob, link))!;
    expect(forAlice.title).toBe('Rabbits');
    // A Tokki path, never the site's address.
    expect(forAlice.imageUrl).toMatch(/^\/v1\/link-images\/l_[0-9a-z]{16}\?t=[^&]+$/);
    expect(forBob.imageUrl).toMatch(/^\/v1\/link-images\/l_[0-9a-z]{16}\?t=[^&]+$/);
    const idOf = (url: string) => url.split('?')[0];
    expect(idOf(forBob.imageUrl!)).toBe(idOf(forAlice.imageUrl!));
    // Each reader gets their own signature.
    expect(forBob.imageUrl).not.toBe(forAlice.imageUrl);

    for (const url of [forAlice.imageUrl!, forBob.imageUrl!, forAlice.imageUrl!]) {
      const response = await fetch(`${server.url}${url}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('image/webp');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
      const bytes = Buffer.from(await response.arrayBuffer());
      const metadata = await sharp(bytes).metadata();
      expect(metadata).toMatchObject({ format: 'webp', width: 800, height: 600 });
      expect(metadata.exif).toBeUndefined();
      expect(bytes.includes('secret-exif-marker')).toBe(false);
    }
    // The site saw the page once and its image once, whoever read them and how often.
    expect(site.hits.get('/page/photo')).toBe(1);
    expect(site.hits.get('/photo.jpg')).toBe(1);
  });

  it('refuses image links without a valid token for that image', async () => {
    const user = await userOf();
    const { imageUrl } = (await preview(user, pageWith('tokens', '/photo.jpg')))!;
    const [path, query] = imageUrl!.split('?');
    const token = new URLSearchParams(query).get('t')!;
    const other = (await preview(user, pageWith('tokens-2', '/photo.jpg')))!.imageUrl!;
    const otherPath = other.split('?')[0];
    const refused = [
      path!, // no token
      `${path}?t=`,
      `${path}?t=${token.slice(0, -2)}xx`,
      `${otherPath}?t=${token}`, // another image's token
      `${path}?t=${token.replace(/^[^.]+/, 'zzzzzzzz')}`, // a later expiry, not signed
    ];
    for (const url of refused) {
      const response = await fetch(`${server.url}${url}`);
      expect(response.status, url).toBe(401);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
        'UNAUTHENTICATED',
      );
    }
    expect((await fetch(`${server.url}/v1/link-images/../files/x?t=${token}`)).status).not.toBe(
      200,
    );
  });

  it('fetches no image from inside the network, and shows the preview without one', async () => {
    const user = await userOf();
    const before = site.hits.get('/photo.jpg') ?? 0;
    for (const image of [
      `http://intranet.test:${site.port}/photo.jpg`,
      `http://127.0.0.1:${site.port}/photo.jpg`,
      `http://localhost:${site.port}/photo.jpg`,
      `http://[::ffff:127.0.0.1]:${site.port}/photo.jpg`,
      'http://metadata.test/latest/meta-data',
      'http://169.254.169.254/latest/meta-data',
    ]) {
      const answer = await preview(user, pageWith(`inside-${encodeURIComponent(image)}`, image));
      expect(answer, image).toMatchObject({ title: 'Rabbits', imageUrl: null });
    }
    expect(site.hits.get('/photo.jpg') ?? 0).toBe(before);
  });

  it('refuses images that are too large, not images, or not readable', async () => {
    const user = await userOf();
    for (const image of [
      '/large.png',
      '/large-chunked.png',
      '/page.png',
      '/html-image',
      '/drawing.svg',
      '/missing.png',
      'data:image/png;base64,iVBORw0KGgo=',
    ]) {
      const answer = await preview(user, pageWith(`bad-${image.slice(0, 20)}`, image));
      expect(answer, image).toMatchObject({ title: 'Rabbits', imageUrl: null });
    }
    expect(site.hits.get('/large.png')).toBe(1);
    expect(site.hits.get('/drawing.svg')).toBe(1);
  });

  it('deletes the image with its preview', async () => {
    const user = await userOf();
    const { imageUrl } = (await preview(user, pageWith('pruned', '/photo.jpg')))!;
    expect((await fetch(`${server.url}${imageUrl!}`)).status).toBe(200);
    const imageId = imageUrl!.split('?')[0]!.split('/').pop()!;
    const { ctx } = server.server;
    await ctx.writes.run((w) => pruneExpired(w.db, w.now + PREVIEW_TTL_MS + 1));
    const rows = await ctx.database.db
      .selectFrom('link_previews')
      .select('url')
      .where('image_id', '=', imageId)
      .execute();
    expect(rows).toEqual([]);
    const gone = await fetch(`${server.url}${imageUrl!}`);
    expect(gone.status).toBe(404);
  });
});
