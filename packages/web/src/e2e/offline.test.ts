// Reloads and a server that goes away: the session, the chat list and the open chat come back
// from the device's cache (served by the service worker when the server is down), and a message
// written while the server is down is delivered exactly once when it is back.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  launchBrowser,
  post,
  signInTestUser,
  startServerProcess,
  testPhone,
  type ServerProcess,
  type TestUser,
} from '@tokki/dev-env';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  messageRow,
  newPhoneContext,
  openChat,
  sendMessage,
  signInThroughUi,
  browserSuitesAvailable,
} from './helpers';

const browserSuites = browserSuitesAvailable();

describe.skipIf(!browserSuites)('web app: reloads and a server that goes away', () => {
  let dir: string;
  let databaseUrl: string;
  let server: ServerProcess | undefined;
  let port: number;
  let url: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let bora: TestUser;
  let chatId: string;

  async function stopServer(): Promise<void> {
    await server?.stop();
    server = undefined;
  }

  async function startServer(): Promise<void> {
    server = await startServerProcess({ databaseUrl, ...(port && { port }) });
    port = server.port;
    url = server.url;
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tokki-web-offline-'));
    databaseUrl = `sqlite:${join(dir, 'tokki.db')}`;
    [browser] = await Promise.all([launchBrowser(), startServer()]);
    // The service worker is on: it is what starts the app while the server is down.
    context = await newPhoneContext(browser, { serviceWorkers: 'allow' });
    page = await context.newPage();
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await stopServer();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps the session, the chat list and the open chat across reloads, even offline', async () => {
    await signInThroughUi(page, url, 70001, 'Ara');
    bora = await signInTestUser(url, 70002, { displayName: 'Bora' });
    const { user } = (await post(
      url,
      'users.lookupPhone',
      { phone: testPhone(70001).phone },
      bora.token,
    )) as { user: { id: string } };
    chatId = (
      (await post(url, 'chats.createDirect', { userId: user.id }, bora.token)) as { id: string }
    ).id;
    for (let i = 1; i <= 3; i++) {
      await post(
        url,
        'messages.send',
        { chatId, clientMsgId: `bora-${i}`, text: `Message ${i} from Bora` },
        bora.token,
      );
    }
    await openChat(page, 'Bora');
    await messageRow(page, 'Message 3 from Bora').waitFor();

    // A plain reload: still signed in, still in the chat.
    await page.reload();
    await messageRow(page, 'Message 3 from Bora').waitFor();
    expect(await page.locator('input[name="phone"]').count()).toBe(0);
    expect(new URL(page.url()).pathname).toBe(`/chats/${chatId}`);

    // The service worker controls the page and has the app shell.
    await page.waitForFunction(() => navigator.serviceWorker?.controller !== null, undefined, {
      timeout: 15_000,
    });
    // Let the cache write settle, then take the server away and reload.
    await page.waitForTimeout(500);
    await stopServer();
    await page.reload();
    for (let i = 1; i <= 3; i++) await messageRow(page, `Message ${i} from Bora`).waitFor();
    await page.locator('.chat-room .connection-banner').waitFor();
    await page.goBack();
    await page.locator('.chat-row', { hasText: 'Bora' }).waitFor();
    await page.goForward();
    await messageRow(page, 'Message 3 from Bora').waitFor();
  });

  it('shows a message written while the server is down as pending and delivers it once', async () => {
    await stopServer(); // already stopped, unless the test before failed early
    // A reply: the queue keeps what it answers.
    await messageRow(page, 'Message 2 from Bora').locator('.bubble').click({ button: 'right' });
    await page.locator('.message-menu .action-reply').click();
    await page.locator('.replying-bar').waitFor();
    await sendMessage(page, 'Written while offline');
    const row = messageRow(page, 'Written while offline');
    await expect.poll(() => row.getAttribute('data-pending')).toBe('sending');
    expect(await row.locator('.pending-icon').count()).toBe(1);
    await row.locator('.reply-quote', { hasText: 'Message 2 from Bora' }).waitFor();

    // The queue survives a reload too.
    await page.waitForTimeout(300);
    await page.reload();
    await expect.poll(() => row.getAttribute('data-pending')).toBe('sending');
    await row.locator('.reply-quote', { hasText: 'Message 2 from Bora' }).waitFor();

    await startServer();
    await expect.poll(() => row.getAttribute('data-seq'), { timeout: 25_000 }).not.toBeNull();
    expect(await row.getAttribute('data-pending')).toBeNull();
    await page
      .locator('.chat-room .connection-banner')
      .waitFor({ state: 'detached', timeout: 15_000 });

    // Exactly one copy reached Bora, and the page shows exactly one.
    const history = (await post(url, 'messages.history', { chatId, limit: 50 }, bora.token)) as {
      messages: { text: string; seq: number; replyToSeq?: number }[];
    };
    const sent = history.messages.filter((m) => m.text === 'Written while offline');
    expect(sent).toHaveLength(1);
    const quoted = history.messages.find((m) => m.text === 'Message 2 from Bora');
    expect(sent[0]!.replyToSeq).toBe(quoted!.seq);
    // A reload (resending anything still queued) does not double it either.
    await page.reload();
    await messageRow(page, 'Message 3 from Bora').waitFor();
    await page.waitForTimeout(1000);
    expect(await page.locator('.bubble', { hasText: 'Written while offline' }).count()).toBe(1);
    const again = (await post(url, 'messages.history', { chatId, limit: 50 }, bora.token)) as {
      messages: { text: string }[];
    };
    expect(again.messages.filter((m) => m.text === 'Written while offline')).toHaveLength(1);
  });
});
