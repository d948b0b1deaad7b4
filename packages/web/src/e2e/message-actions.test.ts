// Editing and deleting messages in two browsers: the other member sees an edit and a deletion for
// everyone live, a deletion for oneself stays one's own, and after 24 hours (the server's clock
// moved ahead) a refused edit or deletion is said clearly.
import { launchBrowser, startTestServer, testPhone, type TestServer } from '@tokki/dev-env';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { en } from '../i18n/locales/en';
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

const browserSuites = browserSuitesAvailable();
const HOUR = 3600 * 1000;

/** The items of the open message menu, by their English labels. */
async function menuItems(page: Page): Promise<string[]> {
  const menu = page.locator('dialog.message-menu[open]');
  await menu.waitFor();
  return menu.locator('[role="menuitem"]').allInnerTexts();
}

async function closeMenu(page: Page): Promise<void> {
  await page.keyboard.press('Escape');
  await page.locator('dialog.message-menu[open]').waitFor({ state: 'detached' });
}

describe.skipIf(!browserSuites)('web app: editing and deleting messages', () => {
  // The server's clock: tests move it ahead to be past the 24 hours.
  let ahead = 0;
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    [server, browser] = await Promise.all([
      startTestServer({ web: true, overrides: { clock: () => Date.now() + ahead } }),
      launchBrowser(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('edits and deletes live for the other member, deletes for oneself only, and refuses after 24 hours', async () => {
    const alice = await newPhoneContext(browser!);
    const bob = await newPhoneContext(browser!);
    alice.setDefaultTimeout(10_000);
    bob.setDefaultTimeout(10_000);
    try {
      const a = await alice.newPage();
      const b = await bob.newPage();
      const aSeen = watch(a);
      const bSeen = watch(b);
      await Promise.all([
        signInThroughUi(a, server!.url, 11001, 'Alice'),
        signInThroughUi(b, server!.url, 11002, 'Bob'),
      ]);
      await startDirectChat(a, testPhone(11002).phone);
      await sendMessage(a, 'Lunch at noon?');
      await sendMessage(a, 'Wrong chat, sorry');
      await sendMessage(a, 'Bring the tickets');
      await openChat(b, 'Alice');
      await messageRow(b, 'Bring the tickets').waitFor();
      await sendMessage(b, 'See you there');
      await messageRow(a, 'See you there').waitFor();

      // Alice edits through the "⋯" button: the composer holds the old text under an
      // "Editing" bar; saving shows the new text, marked "edited", to both.
      await messageRow(a, 'Lunch at noon?').hover();
      await messageRow(a, 'Lunch at noon?').locator('.message-more').click();
      expect(await menuItems(a)).toEqual([
        en.chat.reply,
        en.chat.copy,
        en.chat.forward,
        en.chat.edit,
        en.chat.pin,
        en.chat.delete,
      ]);
      await a.locator('.message-menu .action-edit').click();
      await a.locator('.editing-bar', { hasText: en.chat.editing }).waitFor();
      const input = a.locator('.composer-input');
      expect(await input.inputValue()).toBe('Lunch at noon?');
      await input.fill('Lunch at 1 pm?');
      await input.press('Enter');
      await a.locator('.editing-bar').waitFor({ state: 'detached' });
      expect(await input.inputValue()).toBe('');
      for (const page of [a, b]) {
        const row = messageRow(page, 'Lunch at 1 pm?');
        await row.locator('.message-edited', { hasText: en.chat.edited }).waitFor();
        expect(await page.locator('.bubble', { hasText: 'Lunch at noon?' }).count()).toBe(0);
      }

      // Escape leaves edit mode and gives back what was being written.
      await input.fill('half-written');
      await messageRow(a, 'Bring the tickets').locator('.bubble').click({ button: 'right' });
      await a.locator('.message-menu .action-edit').click();
      expect(await input.inputValue()).toBe('Bring the tickets');
      await input.press('Escape');
      await a.locator('.editing-bar').waitFor({ state: 'detached' });
      expect(await input.inputValue()).toBe('half-written');
      await input.fill('');

      // Alice deletes one for everyone (the menu by keyboard): Bob sees the tombstone live.
      await messageRow(a, 'Wrong chat, sorry').locator('.message-more').focus();
      await a.keyboard.press('Enter');
      await a.locator('dialog.message-menu[open]').waitFor();
      await a.keyboard.press('End');
      await a.keyboard.press('Enter');
      await a.locator('.delete-message-dialog[open] .action-delete-everyone').click();
      for (const page of [a, b]) {
        await page.locator('.bubble.deleted', { hasText: en.chat.deleted }).waitFor();
        expect(await page.locator('.bubble', { hasText: 'Wrong chat, sorry' }).count()).toBe(0);
      }
      // A tombstone can only be deleted for oneself.
      await b.locator('.bubble.deleted').click({ button: 'right' });
      expect(await menuItems(b)).toEqual([en.chat.delete]);
      await closeMenu(b);

      // Alice cannot edit Bob's message.
      await messageRow(a, 'See you there').locator('.bubble').click({ button: 'right' });
      expect(await menuItems(a)).toEqual([
        en.chat.reply,
        en.chat.copy,
        en.chat.forward,
        en.chat.pin,
        en.chat.delete,
      ]);
      await closeMenu(a);

      // Bob deletes Alice's edited message for himself: gone for him, even after a reload;
      // Alice still has it.
      await messageRow(b, 'Lunch at 1 pm?').locator('.bubble').click({ button: 'right' });
      await b.locator('.message-menu .action-delete').click();
      const dialog = b.locator('.delete-message-dialog[open]');
      await dialog.waitFor();
      expect(await dialog.locator('.action-delete-everyone').count()).toBe(0);
      await dialog.locator('.action-delete-me').click();
      await expect.poll(() => b.locator('.bubble', { hasText: 'Lunch at 1 pm?' }).count()).toBe(0);
      await b.reload();
      await messageRow(b, 'See you there').waitFor();
      expect(await b.locator('.bubble', { hasText: 'Lunch at 1 pm?' }).count()).toBe(0);
      expect(await messageRow(a, 'Lunch at 1 pm?').isVisible()).toBe(true);

      // 25 hours later by the server's clock, while Alice's clock still says "within 24 hours":
      // the server refuses, and she is told why; nothing changes for Bob.
      ahead = 25 * HOUR;
      await messageRow(a, 'Bring the tickets').locator('.bubble').click({ button: 'right' });
      await a.locator('.message-menu .action-edit').click();
      await input.fill('Bring the tickets and snacks');
      await input.press('Enter');
      await a.locator('.composer-error', { hasText: en.chat.editTooLate }).waitFor();
      await a.locator('.editing-bar').waitFor(); // still editing: she can cancel
      await input.press('Escape');
      await messageRow(a, 'Bring the tickets').locator('.bubble').click({ button: 'right' });
      await a.locator('.message-menu .action-delete').click();
      await a.locator('.delete-message-dialog[open] .action-delete-everyone').click();
      await a.locator('.chat-notice[role="alert"]', { hasText: en.chat.deleteTooLate }).waitFor();
      expect(await messageRow(b, 'Bring the tickets').isVisible()).toBe(true);
      expect(await b.locator('.bubble', { hasText: 'snacks' }).count()).toBe(0);

      expect(aSeen.errors).toEqual([]);
      expect(bSeen.errors).toEqual([]);
    } finally {
      await alice.close();
      await bob.close();
    }
  }, 90_000);

  it('offers no edit and no deletion for everyone once the app’s own clock is past 24 hours', async () => {
    ahead = 0;
    const context = await newPhoneContext(browser!);
    context.setDefaultTimeout(10_000);
    try {
      const page = await context.newPage();
      await signInThroughUi(page, server!.url, 11003, 'Carol');
      await startDirectChat(page, testPhone(11002).phone);
      await sendMessage(page, 'An old message');
      await messageRow(page, 'An old message').waitFor();
      await expect
        .poll(() => messageRow(page, 'An old message').getAttribute('data-pending'))
        .toBeNull();

      // A day and an hour later on this device.
      await page.clock.install({ time: Date.now() + 25 * HOUR });
      await page.reload();
      await messageRow(page, 'An old message').locator('.bubble').click({ button: 'right' });
      expect(await menuItems(page)).toEqual([
        en.chat.reply,
        en.chat.copy,
        en.chat.forward,
        en.chat.pin,
        en.chat.delete,
      ]);
      await page.locator('.message-menu .action-delete').click();
      const dialog = page.locator('.delete-message-dialog[open]');
      await dialog.waitFor();
      expect(await dialog.locator('.action-delete-everyone').count()).toBe(0);
      await dialog.locator('.action-delete-me').click();
      await expect
        .poll(() => page.locator('.bubble', { hasText: 'An old message' }).count())
        .toBe(0);
    } finally {
      await context.close();
    }
  }, 60_000);
});
