// Replies and reactions in two browsers: a reply quotes the message it answers, live for the other
// member; reactions (KakaoTalk's 공감) show as chips under the bubble, counted live as members
// add, change and take back theirs; a message deleted for everyone keeps none.
import { testPhone } from '@tokki/dev-env';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { en } from '../i18n/locales/en';
import {
  browserSuitesAvailable,
  messageRow,
  newPhoneContext,
  openChat,
  sendMessage,
  signInThroughUi,
  startDirectChat,
  useServerAndBrowser,
  watch,
} from './helpers';

const browserSuites = browserSuitesAvailable();

async function openMenu(page: Page, text: string) {
  await messageRow(page, text).locator('.bubble').click({ button: 'right' });
  const menu = page.locator('dialog.message-menu[open]');
  await menu.waitFor();
  return menu;
}

/** The chip of a reaction under the message with this text. */
function chip(page: Page, text: string, reaction: string) {
  return messageRow(page, text).locator(`.reaction-chip.reaction-${reaction}`);
}

describe.skipIf(!browserSuites)('web app: replies and reactions', () => {
  const suite = useServerAndBrowser();

  it('quotes a reply live, counts reactions live, and drops them from a deleted message', async () => {
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
        signInThroughUi(a, suite.server.url, 12001, 'Alice'),
        signInThroughUi(b, suite.server.url, 12002, 'Bob'),
      ]);
      await startDirectChat(a, testPhone(12002).phone);
      await sendMessage(a, 'Dinner on Friday?');
      await sendMessage(a, 'Or maybe Saturday');
      await openChat(b, 'Alice');
      await messageRow(b, 'Or maybe Saturday').waitFor();

      // Bob answers Alice's first message: a "Replying to Alice" bar over the composer, which
      // Escape and ✕ cancel, and which editing replaces (one at a time).
      const input = b.locator('.composer-input');
      let menu = await openMenu(b, 'Dinner on Friday?');
      expect(await menu.locator('.reaction-option').count()).toBe(6);
      await menu.locator('.action-reply').click();
      const bar = b.locator('.replying-bar');
      await bar.filter({ hasText: 'Replying to Alice' }).waitFor();
      expect(await bar.locator('.editing-original').textContent()).toBe('Dinner on Friday?');
      await input.press('Escape');
      await bar.waitFor({ state: 'detached' });
      await (await openMenu(b, 'Dinner on Friday?')).locator('.action-reply').click();
      await bar.locator('.replying-cancel').click();
      await bar.waitFor({ state: 'detached' });
      await (await openMenu(b, 'Dinner on Friday?')).locator('.action-reply').click();
      await sendMessage(b, 'Friday works for me');
      await bar.waitFor({ state: 'detached' });

      // Both see the quote: who said it and what.
      for (const page of [a, b]) {
        const quote = messageRow(page, 'Friday works for me').locator('.reply-quote');
        await quote.waitFor();
        expect(await quote.locator('.reply-quote-name').textContent()).toBe('Replying to Alice');
        expect(await quote.locator('.reply-quote-text').textContent()).toBe('Dinner on Friday?');
      }
      // Tapping the quote shows the quoted message.
      await messageRow(a, 'Friday works for me').locator('.reply-quote').click();
      await a.locator('.message-row.focused', { hasText: 'Dinner on Friday?' }).waitFor();

      // Starting an edit while replying leaves the reply.
      await (await openMenu(b, 'Or maybe Saturday')).locator('.action-reply').click();
      await bar.waitFor();
      await (await openMenu(b, 'Friday works for me')).locator('.action-edit').click();
      await b.locator('.editing-bar:not(.replying-bar)').waitFor();
      expect(await bar.count()).toBe(0);
      await input.press('Escape');
      await b.locator('.editing-bar').waitFor({ state: 'detached' });

      // Alice gives Bob's reply a heart: Bob sees a chip with 1, live; hers is marked as hers.
      menu = await openMenu(a, 'Friday works for me');
      await menu.locator(`.reaction-heart[aria-label="${en.reactions.heart}"]`).click();
      await chip(b, 'Friday works for me', 'heart').filter({ hasText: '1' }).waitFor();
      expect(await chip(b, 'Friday works for me', 'heart').getAttribute('aria-pressed')).toBe(
        'false',
      );
      await expect
        .poll(() => chip(a, 'Friday works for me', 'heart').getAttribute('aria-pressed'))
        .toBe('true');

      // Bob taps the chip: 2 for both.
      await chip(b, 'Friday works for me', 'heart').click();
      for (const page of [a, b]) {
        await chip(page, 'Friday works for me', 'heart').filter({ hasText: '2' }).waitFor();
      }
      expect(await chip(b, 'Friday works for me', 'heart').getAttribute('aria-label')).toBe(
        'Heart, 2 people',
      );

      // Alice takes hers back from the menu, where her heart is chosen: 1 again.
      menu = await openMenu(a, 'Friday works for me');
      const heart = menu.locator('.reaction-heart');
      expect(await heart.getAttribute('aria-checked')).toBe('true');
      await heart.click();
      for (const page of [a, b]) {
        await chip(page, 'Friday works for me', 'heart').filter({ hasText: '1' }).waitFor();
      }
      expect(await chip(a, 'Friday works for me', 'heart').getAttribute('aria-pressed')).toBe(
        'false',
      );

      // Reactions come back with the history after a reload.
      await b.reload();
      await chip(b, 'Friday works for me', 'heart').filter({ hasText: '1' }).waitFor();
      await messageRow(b, 'Friday works for me').locator('.reply-quote').waitFor();

      // Bob likes Alice's second message; she deletes it for everyone: no reactions remain, and
      // the tombstone takes none.
      menu = await openMenu(b, 'Or maybe Saturday');
      await menu.locator('.reaction-like').click();
      await chip(a, 'Or maybe Saturday', 'like').waitFor();
      menu = await openMenu(a, 'Or maybe Saturday');
      await menu.locator('.action-delete').click();
      await a.locator('.delete-message-dialog[open] .action-delete-everyone').click();
      for (const page of [a, b]) {
        await page.locator('.bubble.deleted').waitFor();
        await expect.poll(() => page.locator('.reaction-like').count()).toBe(0);
      }
      menu = await openMenu(b, en.chat.deleted);
      expect(await menu.locator('.reaction-option').count()).toBe(0);
      await b.keyboard.press('Escape');

      expect(aSeen.errors).toEqual([]);
      expect(bSeen.errors).toEqual([]);
    } finally {
      await alice.close();
      await bob.close();
    }
  }, 90_000);
});
