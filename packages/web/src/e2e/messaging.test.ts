// The web app against a real server in a real browser: live delivery, KakaoTalk's unread
// counter, and message text that must never run as HTML.
import {
  browserAvailability,
  launchBrowser,
  post,
  signInTestUser,
  startTestServer,
  testPhone,
  type TestServer,
} from '@tokki/dev-env';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  messageRow,
  newPhoneContext,
  openChat,
  sendMessage,
  signInThroughUi,
  startDirectChat,
  watch,
} from './helpers';

const availability = browserAvailability();
if (!availability.available) console.log(availability.reason);

describe.skipIf(!availability.available)('web app: messaging', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer({ web: true }), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('delivers a 1:1 message live, and the sender’s “1” goes when the other opens the chat', async () => {
    const alice = await newPhoneContext(browser);
    const bob = await newPhoneContext(browser);
    try {
      const a = await alice.newPage();
      const b = await bob.newPage();
      const aSeen = watch(a);
      await Promise.all([
        signInThroughUi(a, server.url, 10001, 'Alice'),
        signInThroughUi(b, server.url, 10002, 'Bob'),
      ]);

      await startDirectChat(a, testPhone(10002).phone);
      await sendMessage(a, 'Hi Bob, it is Alice');

      // Bob's list shows the chat live, with one unread message.
      const row = b.locator('.chat-row', { hasText: 'Alice' });
      await row.waitFor();
      await expect.poll(() => row.locator('.badge').textContent()).toBe('1');
      await expect.poll(() => row.locator('.chat-row-preview').textContent()).toContain('Hi Bob');

      // Alice sees "1" beside her message until Bob opens the chat.
      const sent = messageRow(a, 'Hi Bob, it is Alice');
      await expect.poll(() => sent.locator('.unread-counter').textContent()).toBe('1');
      await expect.poll(() => sent.getAttribute('data-pending')).toBeNull();

      await openChat(b, 'Alice');
      await messageRow(b, 'Hi Bob, it is Alice').waitFor();
      await expect.poll(() => sent.locator('.unread-counter').count()).toBe(0);

      // And back: Bob's reply arrives live while Alice has the chat open.
      await sendMessage(b, '안녕, Alice!');
      await messageRow(a, '안녕, Alice!').waitFor();
      await expect
        .poll(() => messageRow(b, '안녕, Alice!').locator('.unread-counter').count())
        .toBe(0);
      expect(aSeen.errors).toEqual([]);
    } finally {
      await alice.close();
      await bob.close();
    }
  });

  it('counts down 2, 1, gone as the members of a group of three read', async () => {
    const owner = await signInTestUser(server.url, 20001, { displayName: 'Owner' });
    const second = await signInTestUser(server.url, 20002, { displayName: 'Second' });
    const third = await signInTestUser(server.url, 20003, { displayName: 'Third' });
    const chat = (await post(
      server.url,
      'chats.createGroup',
      { title: 'Hiking club', memberIds: [second.userId, third.userId] },
      owner.token,
    )) as { id: string };

    const context = await newPhoneContext(browser);
    try {
      const page = await context.newPage();
      await signInThroughUi(page, server.url, 20001, 'Owner');
      await openChat(page, 'Hiking club');
      await sendMessage(page, 'Saturday at 9?');
      const row = messageRow(page, 'Saturday at 9?');
      await expect.poll(() => row.locator('.unread-counter').textContent()).toBe('2');
      const seq = Number(await row.getAttribute('data-seq'));
      expect(seq).toBeGreaterThan(0);

      await post(server.url, 'messages.markRead', { chatId: chat.id, seq }, second.token);
      await expect.poll(() => row.locator('.unread-counter').textContent()).toBe('1');

      // A message from the third member means they have read up to it.
      await post(
        server.url,
        'messages.send',
        { chatId: chat.id, clientMsgId: 'third-1', text: 'Count me in' },
        third.token,
      );
      await messageRow(page, 'Count me in').waitFor();
      await expect.poll(() => row.locator('.unread-counter').count()).toBe(0);
      // The third member's own message is unread by the second member only.
      await expect
        .poll(() => messageRow(page, 'Count me in').locator('.unread-counter').textContent())
        .toBe('1');
    } finally {
      await context.close();
    }
  });

  it('shows HTML in a message as text and runs nothing', async () => {
    const sender = await signInTestUser(server.url, 30001, { displayName: 'Mallory' });
    const context = await newPhoneContext(browser);
    try {
      const page = await context.newPage();
      const seen = watch(page);
      await signInThroughUi(page, server.url, 30002, 'Victim');
      const me = (await post(
        server.url,
        'users.lookupPhone',
        { phone: testPhone(30002).phone },
        sender.token,
      )) as {
        user: { id: string };
      };
      const chat = (await post(
        server.url,
        'chats.createDirect',
        { userId: me.user.id },
        sender.token,
      )) as {
        id: string;
      };
      const payloads = [
        '<img src=x onerror=alert(1)>',
        '<script>alert(2)</script>',
        'javascript:alert(3)',
        'see https://tokki.example/path?q=1 now',
      ];
      for (const [index, text] of payloads.entries()) {
        await post(
          server.url,
          'messages.send',
          { chatId: chat.id, clientMsgId: `x${index}`, text },
          sender.token,
        );
      }
      await openChat(page, 'Mallory');
      for (const text of payloads) await messageRow(page, text).waitFor();

      const bubble = messageRow(page, '<img src=x onerror=alert(1)>').locator('.bubble');
      expect(await bubble.locator('.message-text').textContent()).toBe(
        '<img src=x onerror=alert(1)>',
      );
      expect(await page.locator('.message-row img, .message-row script').count()).toBe(0);
      expect(await messageRow(page, 'javascript:alert(3)').locator('a').count()).toBe(0);
      const link = messageRow(page, 'https://tokki.example').locator('a');
      expect(await link.getAttribute('href')).toBe('https://tokki.example/path?q=1');
      expect(await link.getAttribute('target')).toBe('_blank');
      expect(await link.getAttribute('rel')).toBe('noopener noreferrer nofollow');
      await page.waitForTimeout(300);
      expect(seen.dialogs).toEqual([]);
      expect(seen.errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
