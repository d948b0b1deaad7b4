// The web app against a real server in a real browser: live delivery, KakaoTalk's unread
// counter, and message text that must never run as HTML.
import { post, signInTestUser, testPhone } from '@tokki/dev-env';
import { describe, expect, it } from 'vitest';
import {
  messageRow,
  newPhoneContext,
  openChat,
  sendMessage,
  signInThroughUi,
  startDirectChat,
  watch,
  browserSuitesAvailable,
  useServerAndBrowser,
} from './helpers';

const browserSuites = browserSuitesAvailable();

describe.skipIf(!browserSuites)('web app: messaging', () => {
  const suite = useServerAndBrowser();

  it('delivers a 1:1 message live, and the sender’s “1” goes when the other opens the chat', async () => {
    const alice = await newPhoneContext(suite.browser);
    const bob = await newPhoneContext(suite.browser);
    try {
      const a = await alice.newPage();
      const b = await bob.newPage();
      const aSeen = watch(a);
      await Promise.all([
        signInThroughUi(a, suite.server.url, 10001, 'Alice'),
        signInThroughUi(b, suite.server.url, 10002, 'Bob'),
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

      // Typing shows in the other's header, and stops with the message.
      await b.locator('.composer-input').fill('Hi');
      await a.locator('.chat-room .top-bar-subtitle .typing').waitFor();
      await b.locator('.composer-input').fill('');

      // Enter while an IME is composing (Korean, Japanese) commits the syllable, never sends;
      // Shift+Enter is a new line.
      const input = b.locator('.composer-input');
      await input.fill('안녕하세');
      await input.evaluate((el) =>
        el.dispatchEvent(
          new KeyboardEvent('keydown', {
            key: 'Enter',
            keyCode: 229,
            isComposing: true,
            bubbles: true,
          }),
        ),
      );
      await input.press('Shift+Enter');
      expect(await input.inputValue()).toBe('안녕하세\n');
      expect(await b.locator('.bubble', { hasText: '안녕하세' }).count()).toBe(0);
      await input.fill('');

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
    const owner = await signInTestUser(suite.server.url, 20001, { displayName: 'Owner' });
    const second = await signInTestUser(suite.server.url, 20002, { displayName: 'Second' });
    const third = await signInTestUser(suite.server.url, 20003, { displayName: 'Third' });
    const chat = (await post(
      suite.server.url,
      'chats.createGroup',
      { title: 'Hiking club', memberIds: [second.userId, third.userId] },
      owner.token,
    )) as { id: string };

    const context = await newPhoneContext(suite.browser);
    try {
      const page = await context.newPage();
      await signInThroughUi(page, suite.server.url, 20001, 'Owner');
      await openChat(page, 'Hiking club');
      await sendMessage(page, 'Saturday at 9?');
      const row = messageRow(page, 'Saturday at 9?');
      await expect.poll(() => row.locator('.unread-counter').textContent()).toBe('2');
      const seq = Number(await row.getAttribute('data-seq'));
      expect(seq).toBeGreaterThan(0);

      await post(suite.server.url, 'messages.markRead', { chatId: chat.id, seq }, second.token);
      await expect.poll(() => row.locator('.unread-counter').textContent()).toBe('1');

      // A message from the third member means they have read up to it.
      await post(
        suite.server.url,
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

      // The list follows activity live: a new chat comes in on top, then the group goes back up.
      await page.goBack();
      const titles = () => page.locator('.chat-row-title').allTextContents();
      await expect.poll(titles).toEqual(['Hiking club']);
      const direct = (await post(
        suite.server.url,
        'chats.createDirect',
        { userId: owner.userId },
        second.token,
      )) as { id: string };
      await post(
        suite.server.url,
        'messages.send',
        { chatId: direct.id, clientMsgId: 'second-1', text: 'Psst' },
        second.token,
      );
      await expect.poll(titles).toEqual(['Second', 'Hiking club']);
      await post(
        suite.server.url,
        'messages.send',
        { chatId: chat.id, clientMsgId: 'third-2', text: 'See you there' },
        third.token,
      );
      await expect.poll(titles).toEqual(['Hiking club', 'Second']);
      const groupRow = page.locator('.chat-row', { hasText: 'Hiking club' });
      await expect.poll(() => groupRow.locator('.badge').textContent()).toBe('1');
    } finally {
      await context.close();
    }
  });

  it('renames a group, invites by phone, leaves; edits the profile, revokes a device, signs out', async () => {
    const friend = await signInTestUser(suite.server.url, 35002, { displayName: 'Friend' });
    const invitee = await signInTestUser(suite.server.url, 35003, { displayName: 'Invitee' });
    const otherDevice = await signInTestUser(suite.server.url, 35001, { deviceName: 'Old phone' });
    const context = await newPhoneContext(suite.browser);
    try {
      const page = await context.newPage();
      const seen = watch(page);
      await signInThroughUi(page, suite.server.url, 35001, 'Owner');
      await page.goto(`${suite.server.url}/new`);
      await page.locator('.segment').nth(1).click();
      await page.locator('input[name="phone"]').fill(testPhone(35002).phone);
      await page.locator('form button[type="submit"]').click();
      await page.locator('.people .person', { hasText: 'Friend' }).waitFor();
      await page.locator('input[name="title"]').fill('Book club');
      await page.locator('.sub-screen .button.block').click();
      await page.locator('#chat-room-title', { hasText: 'Book club' }).waitFor();

      await page.locator('.chat-room .action-info').click();
      await page.locator('input[name="title"]').fill('Book & tea club');
      await page.locator('input[name="title"]').press('Enter');
      await page.locator('.form-notice').waitFor();
      await page.locator('input[name="phone"]').fill(testPhone(35004).phone);
      await page.locator('input[name="phone"]').press('Enter');
      await page.locator('.form-error').waitFor(); // not on Tokki
      await page.locator('input[name="phone"]').fill(testPhone(35003).phone);
      await page.locator('input[name="phone"]').press('Enter');
      await page.locator('.sub-screen .people .person', { hasText: 'Invitee' }).waitFor();
      const chats = (await post(suite.server.url, 'chats.list', {}, invitee.token)) as {
        chats: { id: string; title: string }[];
      };
      expect(chats.chats.map((c) => c.title)).toEqual(['Book & tea club']);
      const chatId = chats.chats[0]!.id;

      await page.locator('.leave-button').click();
      await page.locator('dialog[open] .button.danger').click();
      await page.locator('.chat-list-screen').waitFor();
      expect(await page.locator('.chat-row', { hasText: 'Book & tea club' }).count()).toBe(0);
      const members = (await post(suite.server.url, 'chats.members', { chatId }, friend.token)) as {
        members: { user: { displayName: string } }[];
      };
      expect(members.members.map((m) => m.user.displayName).sort()).toEqual(['Friend', 'Invitee']);

      // Settings: profile (edited on its own screen), the other device, sign out.
      await page.locator('.chat-list-screen .action-settings').click();
      await page.locator('.profile-link').click();
      await page.locator('input[name="statusMessage"]').fill('Reading 📚');
      await page.locator('.edit-profile form button[type="submit"]').click();
      await page.locator('.edit-profile .form-notice').waitFor();
      await page.goBack();
      const me = (await post(suite.server.url, 'profile.get', {}, otherDevice.token)) as {
        statusMessage: string;
      };
      expect(me.statusMessage).toBe('Reading 📚');

      const oldPhone = page.locator('.device', { hasText: 'Old phone' });
      await oldPhone.locator('button').click();
      await page.locator('dialog[open] .button.danger').click();
      await oldPhone.waitFor({ state: 'detached' });
      await expect(
        post(suite.server.url, 'profile.get', {}, otherDevice.token),
      ).rejects.toMatchObject({
        code: 'UNAUTHENTICATED',
      });
      expect(await page.locator('.device .tag').count()).toBe(1); // this device, marked

      await page.locator('.sub-screen .scroll-body > .button.danger').click();
      await page.locator('dialog[open] .button.danger').click();
      await page.locator('input[name="phone"]').waitFor();
      expect(seen.errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('shows HTML in a message as text and runs nothing', async () => {
    const sender = await signInTestUser(suite.server.url, 30001, { displayName: 'Mallory' });
    const context = await newPhoneContext(suite.browser);
    try {
      const page = await context.newPage();
      const seen = watch(page);
      await signInThroughUi(page, suite.server.url, 30002, 'Victim');
      const me = (await post(
        suite.server.url,
        'users.lookupPhone',
        { phone: testPhone(30002).phone },
        sender.token,
      )) as {
        user: { id: string };
      };
      const chat = (await post(
        suite.server.url,
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
          suite.server.url,
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
