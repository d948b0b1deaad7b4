// What the browser may reach, and the Content-Security-Policy it runs under (issue 15): a message
// with a link preview makes the reader's browser contact no host but Tokki's — the page and its
// image are fetched by the server — and the app runs under its strict CSP (no inline script or
// style) without a single violation: signing in, chatting, a photo, a preview, the service worker.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  launchBrowser,
  post,
  signInTestUser,
  startTestServer,
  testPhone,
  type TestServer,
} from '@tokki/dev-env';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  browserSuitesAvailable,
  messageRow,
  newPhoneContext,
  openChat,
  sendMessage,
  signInThroughUi,
  startDirectChat,
  watch,
} from './helpers';
import { testPhoto } from './photo';

const browserSuites = browserSuitesAvailable();

/** Another origin than Tokki's (127.0.0.1): a site on another loopback address. */
const SITE_HOST = '127.0.0.2';

/** A website with a page that has an Open Graph image; it logs who asked for what. */
async function startSite(): Promise<{
  origin: string;
  requests: { path: string; userAgent: string }[];
  close: () => Promise<void>;
}> {
  const requests: { path: string; userAgent: string }[] = [];
  const image = testPhoto(120, 400);
  let origin = '';
  const server: Server = createServer((request, response) => {
    const path = request.url ?? '/';
    requests.push({ path, userAgent: request.headers['user-agent'] ?? '' });
    if (path === '/article') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(`<!doctype html><html><head>
<meta property="og:site_name" content="Rabbit News">
<meta property="og:title" content="Rabbits prefer clover">
<meta property="og:description" content="A study of what rabbits eat first.">
<meta property="og:image" content="${origin}/clover.png">
</head><body><p>…</p></body></html>`);
    } else if (path === '/clover.png') {
      response.writeHead(200, { 'content-type': 'image/png' });
      response.end(image);
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, SITE_HOST, resolve));
  origin = `http://${SITE_HOST}:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    requests,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Everything a page's browser does that matters here: each request it makes (the service
 * worker's included), each CSP violation it reports, and each console error.
 */
async function record(page: Page) {
  const seen = {
    requests: [] as string[],
    violations: [] as string[],
    consoleErrors: [] as string[],
  };
  page.context().on('request', (request) => seen.requests.push(request.url()));
  page.on('console', (message) => {
    if (message.type() === 'error') seen.consoleErrors.push(message.text());
  });
  await page.exposeBinding('__reportViolation', (_source, violation: string) => {
    seen.violations.push(violation);
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      const report = (window as unknown as { __reportViolation: (v: string) => void })
        .__reportViolation;
      report(`${event.effectiveDirective} blocked ${event.blockedURI} at ${event.sourceFile}`);
    });
  });
  return seen;
}

describe.skipIf(!browserSuites)('web app: no third parties, and a strict CSP', () => {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  let site: Awaited<ReturnType<typeof startSite>> | undefined;
  beforeAll(async () => {
    site = await startSite();
    [server, browser] = await Promise.all([
      startTestServer({ web: true, config: { linkPreviews: { allowHosts: [SITE_HOST] } } }),
      launchBrowser(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await site?.close();
  });

  it('a message with a link preview makes the browser contact no host but Tokki', async () => {
    const url = server!.url;
    const tokki = new URL(url).origin;
    const sender = await signInTestUser(url, 76001, { displayName: 'Hana' });
    const context = await newPhoneContext(browser!);
    context.setDefaultTimeout(15_000);
    try {
      const page = await context.newPage();
      const seen = await record(page);
      const errors = watch(page);
      await signInThroughUi(page, url, 76002, 'Jisoo');
      const { user } = (await post(
        url,
        'users.lookupPhone',
        { phone: testPhone(76002).phone },
        sender.token,
      )) as { user: { id: string } };
      const chat = (await post(url, 'chats.createDirect', { userId: user.id }, sender.token)) as {
        id: string;
      };
      const link = `${site!.origin}/article`;
      await post(
        url,
        'messages.send',
        { chatId: chat.id, clientMsgId: 'link-1', text: `Read this ${link}` },
        sender.token,
      );
      await openChat(page, 'Hana');

      const card = messageRow(page, 'Read this').locator('a.link-card');
      await card.waitFor();
      expect(await card.locator('.link-card-title').innerText()).toBe('Rabbits prefer clover');
      const image = card.locator('img.link-card-image');
      await expect
        .poll(() => image.evaluate((el) => (el as HTMLImageElement).naturalWidth))
        .toBe(400);
      // The link itself still goes to the site, when the reader chooses to open it.
      expect(await card.getAttribute('href')).toBe(link);

      // Every request the browser made went to Tokki: none to the site, for the page or image.
      const elsewhere = seen.requests.filter((request) => new URL(request).origin !== tokki);
      expect(elsewhere).toEqual([]);
      expect(seen.requests.some((request) => request.includes('/v1/link-images/'))).toBe(true);
      // The site was asked by the server alone, once for the page and once for its image.
      expect(site!.requests.map((r) => r.path).sort()).toEqual(['/article', '/clover.png']);
      for (const { userAgent } of site!.requests) expect(userAgent).toMatch(/^TokkiBot\//);
      expect(seen.violations).toEqual([]);
      expect(errors.errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 90_000);

  it('runs under its CSP with no violation: sign-in, chat, a photo, a preview, the service worker', async () => {
    const url = server!.url;
    const alice = await newPhoneContext(browser!, { serviceWorkers: 'allow' });
    const bob = await newPhoneContext(browser!);
    alice.setDefaultTimeout(15_000);
    bob.setDefaultTimeout(15_000);
    try {
      const a = await alice.newPage();
      const b = await bob.newPage();
      const aSeen = await record(a);
      const bSeen = await record(b);
      const aErrors = watch(a);
      const bErrors = watch(b);
      const response = await a.goto(url);
      expect(response!.headers()['content-security-policy']).toContain("script-src 'self'");
      await Promise.all([
        signInThroughUi(a, url, 77001, 'Alice'),
        signInThroughUi(b, url, 77002, 'Bob'),
      ]);
      // The service worker registers and takes over under the CSP.
      expect(
        await a.evaluate(() => navigator.serviceWorker.ready.then((r) => r.active !== null)),
      ).toBe(true);

      await startDirectChat(a, testPhone(77002).phone);
      await sendMessage(a, 'Hello Bob');
      await openChat(b, 'Alice');
      await messageRow(b, 'Hello Bob').waitFor();

      // A photo: previewed while it uploads, then a thumbnail for both.
      const chooser = a.waitForEvent('filechooser');
      await a.locator('.attach-button').click();
      await (
        await chooser
      ).setFiles([{ name: 'photo.png', mimeType: 'image/png', buffer: testPhoto(30, 300) }]);
      await b.waitForFunction(() => {
        const images = [...document.querySelectorAll<HTMLImageElement>('.album-image')];
        return images.length > 0 && images.every((i) => i.complete && i.naturalWidth > 0);
      });

      // A link preview with its image.
      await sendMessage(a, `Look ${site!.origin}/article`);
      const image = messageRow(b, 'Look').locator('img.link-card-image');
      await expect
        .poll(() => image.evaluate((el) => (el as HTMLImageElement).naturalWidth))
        .toBe(400);

      // A reload: the shell from the service worker, under the same policy.
      await a.reload();
      await a.locator('.chat-room .composer-input').waitFor();
      await messageRow(a, 'Look').locator('img.link-card-image').waitFor();

      for (const seen of [aSeen, bSeen]) {
        expect(seen.violations).toEqual([]);
        expect(seen.consoleErrors).toEqual([]);
      }
      expect(aErrors.errors).toEqual([]);
      expect(bErrors.errors).toEqual([]);

      // And the recorder does see a violation when there is one: an inline script is refused.
      await b.evaluate(() => {
        const script = document.createElement('script');
        script.textContent = 'window.inlineRan = true';
        document.head.append(script);
      });
      await expect.poll(() => bSeen.violations).toEqual([expect.stringMatching(/^script-src/)]);
      expect(await b.evaluate(() => 'inlineRan' in window)).toBe(false);
    } finally {
      await alice.close();
      await bob.close();
    }
  }, 120_000);
});
