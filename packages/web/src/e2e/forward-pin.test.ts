// Forwarding and pinning in the browser: Alice forwards text and a photo to several chats (at most
// ten chosen), a forward to a group she was removed from meanwhile fails as a whole and is said; a
// pinned message shows above the chat for every member live, scrolls to the message when tapped
// (fetched and paged back to when older than what is loaded), and is unpinned from the banner.
import { post, signInTestUser, testPhone, uploadTestFile } from '@tokki/dev-env';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { en } from '../i18n/locales/en';
import {
  browserSuitesAvailable,
  messageRow,
  newPhoneContext,
  openChat,
  signInThroughUi,
  useServerAndBrowser,
  watch,
} from './helpers';
import { testPhoto } from './photo';

const browserSuites = browserSuitesAvailable();

interface Api {
  token: string;
  userId: string;
}

/** The id of the user with test number n, as another user looks them up. */
async function userIdOf(url: string, n: number, by: Api): Promise<string> {
  const { user } = (await post(
    url,
    'users.lookupPhone',
    { phone: testPhone(n).phone },
    by.token,
  )) as { user: { id: string } };
  return user.id;
}

let sent = 0;
async function say(url: string, by: Api, chatId: string, text: string, fileIds?: string[]) {
  const { message } = (await post(
    url,
    'messages.send',
    { chatId, clientMsgId: `t-${sent++}`, text, ...(fileIds && { fileIds }) },
    by.token,
  )) as { message: { seq: number } };
  return message.seq;
}

async function history(url: string, by: Api, chatId: string) {
  const { messages } = (await post(url, 'messages.history', { chatId, limit: 50 }, by.token)) as {
    messages: { seq: number; senderId: string; text: string; files?: { kind: string }[] }[];
  };
  return messages;
}

async function openMenu(page: Page, text: string): Promise<string[]> {
  await messageRow(page, text).locator('.bubble').click({ button: 'right' });
  const menu = page.locator('dialog.message-menu[open]');
  await menu.waitFor();
  return menu.locator('[role="menuitem"]').allInnerTexts();
}

describe.skipIf(!browserSuites)('web app: forwarding and pinning', () => {
  const suite = useServerAndBrowser();

  it('forwards text and photos to chosen chats, at most ten, and fails as a whole for a chat left meanwhile', async () => {
    const url = suite.server.url;
    const context = await newPhoneContext(suite.browser);
    context.setDefaultTimeout(10_000);
    try {
      const page = await context.newPage();
      const seen = watch(page);
      await signInThroughUi(page, url, 71001, 'Alice');
      const bob = await signInTestUser(url, 71002, { displayName: 'Bob' });
      const carol = await signInTestUser(url, 71003, { displayName: 'Carol' });
      const alice = await userIdOf(url, 71001, bob);
      const direct = (await post(url, 'chats.createDirect', { userId: alice }, bob.token)) as {
        id: string;
      };
      const group = async (title: string): Promise<string> => {
        const chat = (await post(
          url,
          'chats.createGroup',
          { title, memberIds: [alice, bob.userId] },
          carol.token,
        )) as { id: string };
        return chat.id;
      };
      const book = await group('Book club');
      const hiking = await group('Hiking');
      // Ten more, to reach the limit of chosen chats.
      for (let i = 1; i <= 10; i++) await group(`Group ${i}`);
      await say(url, bob, direct.id, 'Concert tickets are on sale');
      const photo = await uploadTestFile(url, bob.token, testPhoto(200), {
        chatId: direct.id,
        filename: 'poster.jpg',
        filetype: 'image/jpeg',
      });
      await say(url, bob, direct.id, '', [photo]);
      const deleted = await say(url, bob, direct.id, 'Oops, wrong chat');
      await post(
        url,
        'messages.delete',
        { chatId: direct.id, seq: deleted, forEveryone: true },
        bob.token,
      );

      await openChat(page, 'Bob');
      await page.locator('.message-row .album-image').waitFor();
      expect(await openMenu(page, 'Concert tickets')).toEqual([
        en.chat.reply,
        en.chat.copy,
        en.chat.forward,
        en.chat.pin,
        en.chat.delete,
      ]);
      await page.locator('.message-menu .action-forward').click();
      const dialog = page.locator('dialog.forward-dialog[open]');
      await dialog.waitFor();
      expect(await dialog.locator('.forward-preview').textContent()).toBe(
        'Concert tickets are on sale',
      );
      // Thirteen chats; the search finds two of them.
      expect(await dialog.locator('.forward-row').count()).toBe(13);
      await dialog.locator('.forward-search input').fill('hik');
      expect(await dialog.locator('.forward-row').allInnerTexts()).toEqual([
        expect.stringContaining('Hiking'),
      ]);
      await dialog.locator('.forward-search input').fill('nothing like this');
      await dialog.locator('.forward-empty').waitFor();
      await dialog.locator('.forward-search input').fill('');

      // Ten at most: the others cannot be chosen, and it says why.
      const rows = dialog.locator('.forward-row');
      for (let i = 0; i < 10; i++) await rows.nth(i).locator('input').check();
      expect(await dialog.locator('.forward-count').textContent()).toBe('10/10');
      expect(await dialog.locator('.forward-check:disabled').count()).toBe(3);
      await dialog
        .locator('.forward-hint', { hasText: en.forward.limit.replace('{{max}}', '10') })
        .waitFor();
      for (let i = 0; i < 10; i++) await rows.nth(i).locator('input').uncheck();
      expect(await dialog.locator('.forward-send').isDisabled()).toBe(true);

      await dialog.locator('.forward-row', { hasText: 'Book club' }).locator('input').check();
      await dialog.locator('.forward-row', { hasText: 'Hiking' }).locator('input').check();
      await dialog.locator('.forward-send').click();
      await dialog.waitFor({ state: 'detached' });
      await page
        .locator('.chat-notice', { hasText: en.forward.done_other.replace('{{count}}', '2') })
        .waitFor();
      for (const chatId of [book, hiking]) {
        expect((await history(url, carol, chatId))[0]).toMatchObject({
          senderId: alice,
          text: 'Concert tickets are on sale',
        });
      }

      // The photo forwards too, as Alice's own.
      await page
        .locator('.message-row', { has: page.locator('.album-image') })
        .last()
        .hover();
      await page
        .locator('.message-row', { has: page.locator('.album-image') })
        .last()
        .locator('.message-more')
        .click();
      expect(
        await page.locator('dialog.message-menu[open] [role="menuitem"]').allInnerTexts(),
      ).toEqual([en.chat.reply, en.chat.forward, en.chat.pin, en.chat.delete]);
      await page.locator('.message-menu .action-forward').click();
      await dialog.locator('.forward-row', { hasText: 'Book club' }).locator('input').check();
      await dialog.locator('.forward-send').click();
      await dialog.waitFor({ state: 'detached' });
      await expect
        .poll(async () => (await history(url, carol, book))[0]?.files?.[0]?.kind)
        .toBe('image');

      // A tombstone cannot be forwarded.
      await page.locator('.bubble.deleted').click({ button: 'right' });
      expect(
        await page.locator('dialog.message-menu[open] [role="menuitem"]').allInnerTexts(),
      ).toEqual([en.chat.delete]);
      await page.keyboard.press('Escape');

      // Carol removes Alice from Hiking while Alice is choosing: nothing is forwarded, not even
      // to Book club, and Alice is told; Hiking leaves the list.
      const before = (await history(url, carol, book)).length;
      await openMenu(page, 'Concert tickets');
      await page.locator('.message-menu .action-forward').click();
      await dialog.locator('.forward-row', { hasText: 'Book club' }).locator('input').check();
      await dialog.locator('.forward-row', { hasText: 'Hiking' }).locator('input').check();
      await post(url, 'chats.removeMember', { chatId: hiking, userId: alice }, carol.token);
      await dialog.locator('.forward-send').click();
      await dialog.locator('.forward-error', { hasText: en.forward.notMember }).waitFor();
      await expect
        .poll(() => dialog.locator('.forward-row', { hasText: 'Hiking' }).count())
        .toBe(0);
      expect(await dialog.locator('.forward-count').textContent()).toBe('1/10');
      expect((await history(url, carol, book)).length).toBe(before);
      // Choosing again works.
      await dialog.locator('.forward-send').click();
      await dialog.waitFor({ state: 'detached' });
      expect((await history(url, carol, book)).length).toBe(before + 1);

      expect(seen.errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 90_000);

  it('pins a message for every member live, shows it when tapped, and unpins', async () => {
    const url = suite.server.url;
    const alice = await newPhoneContext(suite.browser);
    const bob = await newPhoneContext(suite.browser);
    alice.setDefaultTimeout(10_000);
    bob.setDefaultTimeout(10_000);
    try {
      const a = await alice.newPage();
      const b = await bob.newPage();
      const aSeen = watch(a);
      const bSeen = watch(b);
      await Promise.all([
        signInThroughUi(a, url, 72001, 'Alice'),
        signInThroughUi(b, url, 72002, 'Bob'),
      ]);
      const carol = await signInTestUser(url, 72003, { displayName: 'Carol' });
      const [aliceId, bobId] = [
        await userIdOf(url, 72001, carol),
        await userIdOf(url, 72002, carol),
      ];
      const { id: chatId } = (await post(
        url,
        'chats.createGroup',
        { title: 'Trip planning', memberIds: [aliceId, bobId] },
        carol.token,
      )) as { id: string };
      const rules = await say(url, carol, chatId, 'Meet at gate 12 at 7:40, passports ready');
      const photo = await uploadTestFile(url, carol.token, testPhoto(40), {
        chatId,
        filename: 'map.jpg',
        filetype: 'image/jpeg',
      });
      await say(url, carol, chatId, '', [photo]);
      await say(url, carol, chatId, 'Who brings snacks?');
      await openChat(a, 'Trip planning');
      await openChat(b, 'Trip planning');

      // Alice pins Carol's line: both see the banner.
      await openMenu(a, 'Meet at gate 12');
      await a.locator('.message-menu .action-pin').click();
      for (const page of [a, b]) {
        await page
          .locator('.pinned-banner .pinned-message', { hasText: 'Meet at gate 12' })
          .waitFor();
      }
      expect(await openMenu(b, 'Meet at gate 12')).toContain(en.chat.unpin);
      await b.keyboard.press('Escape');

      // A photo pinned says "Photo".
      const photoRow = a.locator('.message-row', { has: a.locator('.album-image') });
      await photoRow.locator('.bubble').click({ button: 'right' });
      await a.locator('.message-menu .action-pin').click();
      for (const page of [a, b]) {
        await page.locator('.pinned-banner .pinned-message', { hasText: en.files.photo }).waitFor();
      }

      // Back to the first line, then 90 more messages: it is older than the loaded page. The
      // banner fetches it, and tapping it pages back to it and marks it.
      await post(url, 'chats.pin', { chatId, seq: rules }, carol.token);
      for (let i = 1; i <= 90; i++) await say(url, carol, chatId, `Line ${i}`);
      await b.reload();
      // Ninety lines caught up at once may leave the list short of the newest (see below).
      await expect
        .poll(
          async () => {
            const jump = b.locator('.jump-button');
            if (await jump.isVisible()) await jump.click();
            return messageRow(b, 'Line 90').isVisible();
          },
          { timeout: 15_000 },
        )
        .toBe(true);
      expect(await b.locator(`.message-row[data-seq="${rules}"]`).count()).toBe(0);
      await b.locator('.pinned-banner .pinned-message', { hasText: 'Meet at gate 12' }).waitFor();
      await b.locator('.pinned-show').click();
      await b.locator(`.message-row.focused[data-seq="${rules}"]`).waitFor();
      expect(await b.locator(`.message-row[data-seq="${rules}"]`).isVisible()).toBe(true);

      // Bob unpins from the banner: gone for Alice too.
      await b.locator('.pinned-unpin').click();
      for (const page of [a, b]) {
        await page.locator('.pinned-banner').waitFor({ state: 'detached' });
      }

      // A message deleted for everyone while Alice's menu is open cannot be pinned: she is told.
      // (Ninety lines arrived at once: back to the newest, should the list not have followed.)
      const jump = a.locator('.jump-button');
      if (await jump.isVisible()) await jump.click();
      await messageRow(a, 'Line 90').waitFor();
      await openMenu(a, 'Line 90');
      const line90 = (await history(url, carol, chatId))[0]!;
      await post(
        url,
        'messages.delete',
        { chatId, seq: line90.seq, forEveryone: true },
        carol.token,
      );
      await expect.poll(() => a.locator('.bubble.deleted').count()).toBeGreaterThan(0);
      await a.locator('.message-menu .action-pin').click();
      await a.locator('.chat-notice[role="alert"]', { hasText: en.chat.messageGone }).waitFor();
      expect(await a.locator('.pinned-banner').count()).toBe(0);

      expect(aSeen.errors).toEqual([]);
      expect(bSeen.errors).toEqual([]);
    } finally {
      await alice.close();
      await bob.close();
    }
  }, 120_000);
});
