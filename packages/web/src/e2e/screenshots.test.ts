// Screenshots of the first screens at phone size in every language, light and dark, written to
// SCREENSHOT_DIR for people to look at; and a check that no text there overflows or overlaps.
import { join } from 'node:path';
import { SCREENSHOT_DIR, testPhone } from '@tokki/dev-env';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  imagesLoaded,
  layoutProblems,
  newPhoneContext,
  openChat,
  openTab,
  browserSuitesAvailable,
  useServerAndBrowser,
} from './helpers';
import {
  seedChats,
  seedFriends,
  seedOpenChats,
  type SeedLanguage,
  type Seeded,
  type SeededFriends,
  type SeededOpen,
} from './seed';

const browserSuites = browserSuitesAvailable();

/** What I answer the friend's long question with, quoting it. */
const MY_REPLY: Record<SeedLanguage, string> = {
  ko: '좋아, 비 오면 일요일로 하자 ☔',
  en: 'Sure, Sunday if it rains ☔',
  ja: 'いいよ、雨なら日曜にしよう ☔',
};

const LANGUAGES: { lng: SeedLanguage; locale: string; base: number }[] = [
  { lng: 'ko', locale: 'ko-KR', base: 40001 },
  { lng: 'en', locale: 'en-US', base: 50001 },
  { lng: 'ja', locale: 'ja-JP', base: 60001 },
];

describe.skipIf(!browserSuites)('web app: screenshots and layout at 360×740', () => {
  const suite = useServerAndBrowser();
  const seeded = new Map<SeedLanguage, Seeded>();
  const friends = new Map<SeedLanguage, SeededFriends>();

  beforeAll(async () => {
    for (const { lng, base } of LANGUAGES) {
      seeded.set(lng, await seedChats(suite.server.url, lng, base));
      friends.set(lng, await seedFriends(suite.server.url, lng, base + 100));
    }
  });

  async function signIn(page: Page, n: number): Promise<void> {
    const { phone, code } = testPhone(n);
    await page.goto(suite.server.url);
    await page.locator('input[name="phone"]').fill(phone);
    await page.locator('form button[type="submit"]').click();
    await page.locator('input[name="code"]').fill(code);
    await page.locator('form button[type="submit"]').click();
    await page.locator('.chat-list-screen').waitFor();
  }

  async function shoot(page: Page, name: string): Promise<string[]> {
    await page.evaluate(() => document.fonts.ready);
    await imagesLoaded(page);
    await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`) });
    return (await layoutProblems(page)).map((problem) => `${name}: ${problem}`);
  }

  for (const { lng, locale } of LANGUAGES) {
    it(`${lng}: sign-in, chat list and chat rooms, light and dark`, async () => {
      const problems: string[] = [];
      const data = seeded.get(lng)!;
      for (const colorScheme of ['light', 'dark'] as const) {
        const context = await newPhoneContext(suite.browser, { locale, colorScheme });
        try {
          const page = await context.newPage();
          await page.goto(suite.server.url);
          await page.locator('input[name="phone"]').waitFor();
          problems.push(...(await shoot(page, `signin-${lng}-${colorScheme}`)));

          const { phone, code } = testPhone(data.me);
          await page.locator('input[name="phone"]').fill(phone);
          await page.locator('form button[type="submit"]').click();
          await page.locator('input[name="code"]').fill(code);
          problems.push(...(await shoot(page, `signin-code-${lng}-${colorScheme}`)));
          await page.locator('form button[type="submit"]').click();
          await page.locator('.chat-row').nth(1).waitFor();
          problems.push(...(await shoot(page, `chatlist-${lng}-${colorScheme}`)));

          await openChat(page, data.friendName);
          await page.locator('.message-row').nth(4).waitFor();
          problems.push(...(await shoot(page, `chatroom-${lng}-${colorScheme}`)));

          await page.goBack();
          await openChat(page, data.groupTitle);
          await page.locator('.message-row .unread-counter').first().waitFor();
          problems.push(...(await shoot(page, `group-${lng}-${colorScheme}`)));
        } finally {
          await context.close();
        }
      }
      expect(problems).toEqual([]);
    });
  }

  for (const { lng, locale } of LANGUAGES) {
    it(`${lng}: friends, a profile and editing my own, light and dark`, async () => {
      const problems: string[] = [];
      const people = friends.get(lng)!;
      for (const colorScheme of ['light', 'dark'] as const) {
        const context = await newPhoneContext(suite.browser, { locale, colorScheme });
        try {
          const page = await context.newPage();
          await signIn(page, people.me);
          await openTab(page, 'friends');
          await page.locator('.section-recommended .friend-row-item').nth(1).waitFor();
          await page.locator('.section-favorites .friend-row-item').nth(1).waitFor();
          problems.push(...(await shoot(page, `friends-${lng}-${colorScheme}`)));

          // The end of the list, hidden friends unfolded.
          await page.locator('.hidden-friends > summary').click();
          await page.locator('.hidden-friends .friend-row').first().scrollIntoViewIfNeeded();
          problems.push(...(await shoot(page, `friends-end-${lng}-${colorScheme}`)));

          await page
            .locator('.section-favorites .friend-row', { hasText: people.contactName })
            .click();
          await page.locator('.profile-screen .action-chat').waitFor();
          problems.push(...(await shoot(page, `profile-${lng}-${colorScheme}`)));
          await page.locator('.profile-screen .action-block').click();
          await page.locator('dialog[open]').waitFor();
          problems.push(...(await shoot(page, `profile-block-${lng}-${colorScheme}`)));
          await page.keyboard.press('Escape');
          await page.locator('dialog[open]').waitFor({ state: 'detached' });

          await page.goBack();
          await page
            .locator('.section-recommended .friend-row', { hasText: people.recommendedName })
            .click();
          await page.locator('.profile-screen .action-add').waitFor();
          problems.push(...(await shoot(page, `profile-recommended-${lng}-${colorScheme}`)));

          await page.goBack();
          await page.locator('.my-profile .friend-row').click();
          await page.locator('.profile-screen .action-edit').click();
          await page.locator('.edit-profile input[name="tokkiId"]').waitFor();
          problems.push(...(await shoot(page, `edit-profile-${lng}-${colorScheme}`)));
        } finally {
          await context.close();
        }
      }
      expect(problems).toEqual([]);
    });
  }

  for (const { lng, locale } of LANGUAGES) {
    it(`${lng}: the message menu, editing, deleting and a tombstone, light and dark`, async () => {
      const problems: string[] = [];
      const data = seeded.get(lng)!;
      // One sign-in for both schemes: the number has few sign-in codes an hour.
      const context = await newPhoneContext(suite.browser, { locale });
      try {
        const page = await context.newPage();
        await signIn(page, data.me);
        await openChat(page, data.friendName);
        await page.locator('.message-row').nth(4).waitFor();
        for (const colorScheme of ['light', 'dark'] as const) {
          await page.emulateMedia({ colorScheme });
          const mine = page.locator('.message-row.mine:not([data-pending]) .bubble');
          const menu = page.locator('dialog.message-menu[open]');
          if (colorScheme === 'light') {
            // Once per language (the dark run sees the result): delete my first message for
            // everyone, edit my last one.
            await mine.first().click({ button: 'right' });
            await menu.locator('.action-delete').click();
            await page.locator('.delete-message-dialog[open] .action-delete-everyone').click();
            await page.locator('.bubble.deleted').waitFor();
            await mine.last().click({ button: 'right' });
            await menu.locator('.action-edit').click();
            await page.locator('.composer-input').press('End');
            await page.locator('.composer-input').pressSequentially(' 🍙');
            await page.locator('.composer-input').press('Enter');
            await page.locator('.editing-bar').waitFor({ state: 'detached' });
          }
          await page.locator('.message-edited').waitFor();
          await page.locator('.bubble.deleted').waitFor();
          // No hover: a phone has no mouse ("⋯" shows on hover).
          await page.mouse.move(0, 0);
          problems.push(...(await shoot(page, `message-deleted-${lng}-${colorScheme}`)));

          await mine.last().click({ button: 'right' });
          await menu.waitFor();
          problems.push(...(await shoot(page, `message-menu-${lng}-${colorScheme}`)));
          await menu.locator('.action-delete').click();
          await page.locator('.delete-message-dialog[open]').waitFor();
          await page.mouse.move(0, 0);
          problems.push(...(await shoot(page, `message-delete-${lng}-${colorScheme}`)));
          await page.keyboard.press('Escape');
          await page.locator('.delete-message-dialog[open]').waitFor({ state: 'detached' });

          await mine.last().click({ button: 'right' });
          await menu.locator('.action-edit').click();
          await page.locator('.editing-bar').waitFor();
          await page.mouse.move(0, 0);
          problems.push(...(await shoot(page, `message-edit-${lng}-${colorScheme}`)));
          await page.locator('.composer-input').press('Escape');

          // Replying to the friend's long question (the one I liked), then the chat with the
          // quotes and reaction chips, and the menu with its reaction row (my heart chosen).
          const question = page.locator('.message-row.theirs', {
            has: page.locator('.reaction-chip.reaction-like'),
          });
          await question.locator('.bubble').click({ button: 'right' });
          await menu.locator('.action-reply').click();
          await page.locator('.replying-bar').waitFor();
          await page.mouse.move(0, 0);
          problems.push(...(await shoot(page, `reply-compose-${lng}-${colorScheme}`)));
          if (colorScheme === 'light') {
            await page.locator('.composer-input').fill(MY_REPLY[lng]);
            await page.locator('.composer-input').press('Enter');
          } else {
            await page.locator('.composer-input').press('Escape');
          }
          await page.locator('.replying-bar').waitFor({ state: 'detached' });
          await page.locator('.message-row.mine:not([data-pending]) .reply-quote').waitFor();
          await page.mouse.move(0, 0);
          problems.push(...(await shoot(page, `reply-chat-${lng}-${colorScheme}`)));

          await page
            .locator('.message-row', { has: page.locator('.reaction-chip.reaction-heart') })
            .locator('.bubble')
            .click({ button: 'right' });
          await menu.locator('.reaction-option.chosen').waitFor();
          await page.mouse.move(0, 0);
          problems.push(...(await shoot(page, `reaction-menu-${lng}-${colorScheme}`)));
          await page.keyboard.press('Escape');
          await menu.waitFor({ state: 'detached' });
        }
      } finally {
        await context.close();
      }
      expect(problems).toEqual([]);
    });
  }

  it('desktop, 1280×800: friends beside a profile', async () => {
    const problems: string[] = [];
    for (const { lng, locale } of LANGUAGES) {
      const data = friends.get(lng)!;
      const context = await suite.browser.newContext({
        viewport: { width: 1280, height: 800 },
        locale,
        serviceWorkers: 'block',
      });
      try {
        const page = await context.newPage();
        await signIn(page, data.me);
        await openTab(page, 'friends');
        await page.locator('.section-favorites .friend-row', { hasText: data.friendName }).click();
        await page.locator('.profile-screen .action-chat').waitFor();
        expect(await page.locator('.friend-list-screen').isVisible()).toBe(true);
        problems.push(...(await shoot(page, `desktop-friends-${lng}`)));
      } finally {
        await context.close();
      }
    }
    expect(problems).toEqual([]);
  });

  it('desktop, 1280×800: the chat list and the open chat side by side', async () => {
    const problems: string[] = [];
    for (const { lng, locale } of LANGUAGES) {
      const data = seeded.get(lng)!;
      const context = await suite.browser.newContext({
        viewport: { width: 1280, height: 800 },
        locale,
        serviceWorkers: 'block',
      });
      try {
        const page = await context.newPage();
        const { phone, code } = testPhone(data.me);
        await page.goto(suite.server.url);
        await page.locator('input[name="phone"]').fill(phone);
        await page.locator('form button[type="submit"]').click();
        await page.locator('input[name="code"]').fill(code);
        await page.locator('form button[type="submit"]').click();
        await page.locator('.chat-row').nth(1).waitFor();
        await openChat(page, data.groupTitle);
        await page.locator('.message-row .unread-counter').first().waitFor();
        // Both panes at once.
        expect(await page.locator('.chat-list-screen').isVisible()).toBe(true);
        expect(await page.locator('.chat-room').isVisible()).toBe(true);
        problems.push(...(await shoot(page, `desktop-${lng}`)));
      } finally {
        await context.close();
      }
    }
    expect(problems).toEqual([]);
  });
});

describe.skipIf(!browserSuites)('web app: open chats and last seen at 390×844', () => {
  const suite = useServerAndBrowser();
  const seeded = new Map<SeedLanguage, SeededOpen>();

  beforeAll(async () => {
    for (const { lng, base } of LANGUAGES) {
      seeded.set(lng, await seedOpenChats(suite.server.url, lng, base + 200));
    }
  });

  async function shoot(page: Page, name: string): Promise<string[]> {
    await page.evaluate(() => document.fonts.ready);
    await imagesLoaded(page);
    await page.mouse.move(0, 0);
    await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`) });
    return (await layoutProblems(page)).map((problem) => `${name}: ${problem}`);
  }

  for (const { lng, locale } of LANGUAGES) {
    it(`${lng}: open chat search, the create form, a room with nicknames, and "last seen"`, async () => {
      const problems: string[] = [];
      const data = seeded.get(lng)!;
      const context = await suite.browser.newContext({
        viewport: { width: 390, height: 844 },
        deviceScaleFactor: 2,
        locale,
        serviceWorkers: 'block',
      });
      try {
        const page = await context.newPage();
        const { phone, code } = testPhone(data.me);
        await page.goto(suite.server.url);
        await page.locator('input[name="phone"]').fill(phone);
        await page.locator('form button[type="submit"]').click();
        await page.locator('input[name="code"]').fill(code);
        await page.locator('form button[type="submit"]').click();
        await page.locator('.chat-row').nth(1).waitFor();
        problems.push(...(await shoot(page, `open-chatlist-${lng}`)));

        await page.locator('.chat-list-screen .action-open-chats').click();
        await page.locator('.open-row').nth(3).waitFor();
        problems.push(...(await shoot(page, `open-search-${lng}`)));
        await page.locator('.open-row', { hasText: data.otherTitle }).click();
        await page.locator('.open-join-form').waitFor();
        problems.push(...(await shoot(page, `open-join-${lng}`)));

        await page.goto(`${suite.server.url}/join/${data.otherToken}`);
        await page.locator('.join-open .open-join-form').waitFor();
        problems.push(...(await shoot(page, `open-join-link-${lng}`)));

        await page.goto(`${suite.server.url}/new/open`);
        const form = page.locator('.open-create-form');
        await form.waitFor();
        problems.push(...(await shoot(page, `open-create-${lng}`)));
        await form.locator('input[name="memberLimit"]').fill('5000');
        await form.locator('.action-create-open').click();
        await form.locator('.field-error').nth(2).waitFor();
        await page.locator('.scroll-body').evaluate((el) => el.scrollTo(0, 0));
        problems.push(...(await shoot(page, `open-create-errors-${lng}`)));

        await page.goto(suite.server.url);
        await openChat(page, data.roomTitle);
        await page.locator('.message-row').nth(4).waitFor();
        await page.locator('.message-row .unread-counter').first().waitFor();
        problems.push(...(await shoot(page, `open-room-${lng}`)));
        await page.locator('.chat-room .action-info').click();
        await page.locator('.people .person').nth(3).waitFor();
        problems.push(...(await shoot(page, `open-info-${lng}`)));

        await page.goto(suite.server.url);
        await openChat(page, data.friendName);
        await page.locator('.top-bar-subtitle .presence').waitFor();
        await page.locator('.message-row').nth(1).waitFor();
        problems.push(...(await shoot(page, `last-seen-${lng}`)));

        await page.goto(`${suite.server.url}/settings`);
        await page.locator('.last-seen-setting .segment.active').waitFor();
        await page.locator('.last-seen-setting').scrollIntoViewIfNeeded();
        problems.push(...(await shoot(page, `settings-last-seen-${lng}`)));
      } finally {
        await context.close();
      }
      expect(problems).toEqual([]);
    });
  }
});
