// Every screen in Korean, English and Japanese: no raw i18n keys, no missing keys, and in Korean
// and Japanese no English text from the English resources. Plus switching the language in
// settings, which is remembered.
import { post, signInTestUser, testPhone } from '@tokki/dev-env';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { en, type Messages } from '../i18n/locales/en';
import { ja } from '../i18n/locales/ja';
import { ko } from '../i18n/locales/ko';
import { join } from 'node:path';
import { SCREENSHOT_DIR } from '@tokki/dev-env';
import {
  layoutProblems,
  newPhoneContext,
  sendMessage,
  watch,
  browserSuitesAvailable,
  useServerAndBrowser,
} from './helpers';

const browserSuites = browserSuitesAvailable();

type Tree = { [key: string]: string | Tree };

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') out.set(path, value);
    else for (const [k, v] of flatten(value, path)) out.set(k, v);
  }
  return out;
}

const english = flatten(en as Tree);
const NAMESPACES = Object.keys(en).join('|');
const RAW_KEY = new RegExp(`\\b(?:${NAMESPACES})\\.[A-Za-z_]+\\b`);

/**
 * The English phrases that must not show in another language: each resource string's fixed
 * parts (between {{placeholders}}) that have Latin words in them. None is exempt, not even one
 * the other language left unchanged: that is exactly the mistake to catch.
 */
function englishPhrases(): { key: string; phrase: RegExp }[] {
  const phrases: { key: string; phrase: RegExp }[] = [];
  for (const [key, value] of english) {
    for (const part of value.split(/\{\{[^}]+\}\}/)) {
      const text = part.trim().replace(/^[\s:.,()]+|[\s:.,()]+$/g, '');
      if (!/[A-Za-z]{2,}/.test(text) || text === 'Tokki') continue;
      const escaped = text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      phrases.push({ key, phrase: new RegExp(`(?<![A-Za-z])${escaped}(?![A-Za-z])`) });
    }
  }
  return phrases;
}

/** What a person can see or hear: visible text and the labels of controls. */
async function visibleText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const texts = [document.title, document.body.innerText];
    for (const el of document.querySelectorAll('[aria-label], [placeholder], [title], [alt]')) {
      for (const name of ['aria-label', 'placeholder', 'title', 'alt']) {
        const value = el.getAttribute(name);
        if (value) texts.push(value);
      }
    }
    for (const option of document.querySelectorAll('option')) texts.push(option.textContent ?? '');
    return texts.join('\n');
  });
}

const LANGUAGES = [
  { lng: 'ko', locale: 'ko-KR', base: 91001, resources: ko },
  { lng: 'en', locale: 'en-US', base: 92001, resources: en },
  { lng: 'ja', locale: 'ja-JP', base: 93001, resources: ja },
] satisfies { lng: string; locale: string; base: number; resources: Messages }[];

describe.skipIf(!browserSuites)('web app: languages', () => {
  const suite = useServerAndBrowser();

  for (const { lng, locale, base, resources } of LANGUAGES) {
    it(`${lng}: every screen is in ${lng}`, { timeout: 60_000 }, async () => {
      await signInTestUser(suite.server.url, base + 1, { displayName: 'Seojun' });
      const jiwoo = await signInTestUser(suite.server.url, base + 2, { displayName: 'Jiwoo' });
      const context = await newPhoneContext(suite.browser, { locale });
      const phrases = lng === 'en' ? [] : englishPhrases();
      const problems: string[] = [];
      try {
        const page = await context.newPage();
        const seen = watch(page);
        const scan = async (screen: string) => {
          await page.waitForTimeout(100);
          const text = await visibleText(page);
          const raw = RAW_KEY.exec(text);
          if (raw) problems.push(`${screen}: raw key ${raw[0]}`);
          for (const { key, phrase } of phrases) {
            if (phrase.test(text)) problems.push(`${screen}: English "${phrase.source}" (${key})`);
          }
          // Every screen must also fit a phone in every language.
          for (const problem of await layoutProblems(page)) problems.push(`${screen}: ${problem}`);
          const file = `screen-${lng}-${screen.toLowerCase().replace(/[^a-z]+/g, '-')}.png`;
          await page.screenshot({ path: join(SCREENSHOT_DIR, file) });
        };
        await page.goto(`${suite.server.url}/?i18n-debug`);
        await page.locator('input[name="phone"]').waitFor();
        expect(await page.evaluate(() => document.documentElement.lang)).toBe(lng);
        await scan('sign-in');

        // A typed error, in the user's language.
        await page.locator('input[name="phone"]').fill('12');
        await page.locator('form button[type="submit"]').click();
        await page.locator('.form-error').waitFor();
        expect(await page.locator('.form-error').textContent()).toBe(
          resources.errors.PHONE_INVALID,
        );
        await scan('sign-in error');

        // Rate limited: the wait is said in the user's language too.
        const limited = testPhone(base + 60).phone;
        for (let i = 0; i < 5; i++)
          await post(suite.server.url, 'auth.requestCode', { phone: limited });
        await page.locator('input[name="phone"]').fill(limited);
        await page.locator('form button[type="submit"]').click();
        await expect
          .poll(() => page.locator('.form-error').textContent())
          .toContain(resources.errors.RATE_LIMITED.split('{{wait}}')[0]!.trim());
        await scan('rate limited');

        const { phone, code } = testPhone(base);
        await page.locator('input[name="phone"]').fill(phone);
        await page.locator('form button[type="submit"]').click();
        await page.locator('input[name="code"]').fill('000000');
        await page.locator('form button[type="submit"]').click();
        await page.locator('.form-error').waitFor();
        await scan('code, wrong');
        await page.locator('input[name="code"]').fill(code);
        await page.locator('form button[type="submit"]').click();
        await page.locator('input[name="displayName"]').waitFor();
        await scan('profile');
        await page.locator('input[name="displayName"]').fill('Minji');
        await page.locator('form button[type="submit"]').click();
        await page.locator('.chat-list-screen .empty').waitFor();
        await scan('empty chat list');

        // New chat: 1:1, someone not on Tokki, then a group.
        await page.locator('.chat-list-screen .empty button').click();
        await page.locator('input[name="phone"]').fill(testPhone(base + 50).phone);
        await page.locator('form button[type="submit"]').click();
        await page.locator('.form-error').waitFor();
        await scan('new chat, not on Tokki');
        await page.locator('.segment').nth(1).click();
        await page.locator('input[name="phone"]').fill(testPhone(base + 1).phone);
        await page.locator('form button[type="submit"]').click();
        await page.locator('.people .person').waitFor();
        await page.locator('input[name="title"]').fill('Seojun & Minji');
        await scan('new group');
        await page.locator('.sub-screen .button.block').click();
        await page.locator('.chat-room .composer-input').waitFor();
        await scan('empty group');
        await sendMessage(page, 'Hello');
        await page.locator('.message-row .unread-counter').waitFor();
        await scan('chat room');

        // Chat info and its leave dialog.
        await page.locator('.chat-room .action-info').click();
        await page.locator('.sub-screen .people .person').nth(1).waitFor();
        await scan('chat info');
        await page.locator('.leave-button').click();
        await page.locator('dialog[open]').waitFor();
        await scan('leave dialog');
        await page.keyboard.press('Escape');
        await page.locator('dialog[open]').waitFor({ state: 'detached' });
        await page.keyboard.press('Escape');
        await page.locator('.chat-room .composer-input').waitFor();

        // Settings and its sign-out dialog.
        await page.goBack();
        await page.locator('.chat-list-screen .action-settings').click();
        await page.locator('.sub-screen .device').first().waitFor();
        await scan('settings');
        await page.locator('.sub-screen .scroll-body > .button.danger').click();
        await page.locator('dialog[open]').waitFor();
        await scan('sign-out dialog');
        await page.keyboard.press('Escape');
        await page.locator('dialog[open]').waitFor({ state: 'detached' });
        await page.keyboard.press('Escape');
        await page.locator('.chat-list-screen').waitFor();

        // Friends: none yet, but someone who has this number is recommended (live).
        await page.locator('.tab[data-tab="friends"]').click();
        await page.locator('.friend-list-screen .empty').waitFor();
        await post(
          suite.server.url,
          'contacts.sync',
          { add: [{ phone: testPhone(base).phone }] },
          jiwoo.token,
        );
        await page.locator('.section-recommended .friend-row-item').waitFor();
        await scan('friends, empty, recommended');

        // Adding: a number not on Tokki, an unknown Tokki ID, then contacts pasted in.
        await page.locator('.friend-list-screen .empty .button').click();
        await page.locator('input[name="phone"]').fill(testPhone(base + 50).phone);
        await page.locator('input[name="phone"]').press('Enter');
        await page.locator('.form-error').waitFor();
        await scan('add friend, not on Tokki');
        await page.locator('.segment').nth(1).click();
        await page.locator('input[name="tokkiId"]').fill('no.such.id');
        await page.locator('input[name="tokkiId"]').press('Enter');
        await page.locator('.form-error').waitFor();
        await scan('add friend by ID, unknown');
        await page
          .locator('textarea[name="contacts"]')
          .fill(`${testPhone(base + 1).phone}, Seojun\nnot a number`);
        await page.locator('.import-contacts button[type="submit"]').click();
        await page.locator('.import-contacts .form-notice').waitFor();
        await scan('import contacts');

        // The list, a friend's profile and its block dialog, my own profile and editing it.
        await page.keyboard.press('Escape');
        await page.locator('.section-friends .friend-row').waitFor();
        await scan('friends');
        await page.locator('.section-friends .friend-row').click();
        await page.locator('.profile-screen .action-chat').waitFor();
        await scan('profile');
        await page.locator('.profile-screen .action-block').click();
        await page.locator('dialog[open]').waitFor();
        await scan('block dialog');
        await page.keyboard.press('Escape');
        await page.locator('dialog[open]').waitFor({ state: 'detached' });
        await page.keyboard.press('Escape');
        await page.locator('.section-recommended .friend-row').click();
        await page.locator('.profile-screen .action-add').waitFor();
        await scan('recommended profile');
        await page.keyboard.press('Escape');
        await page.locator('.my-profile .friend-row').click();
        await page.locator('.profile-screen .action-edit').click();
        await page.locator('.edit-profile input[name="tokkiId"]').fill('no');
        await page.locator('.edit-profile form button[type="submit"]').click();
        await page.locator('.edit-profile .form-error').waitFor();
        await page.locator('.edit-profile input[name="photo"]').setInputFiles({
          name: 'notes.txt',
          mimeType: 'text/plain',
          buffer: Buffer.from('not a picture'),
        });
        await page.locator('.photo-editor .form-error').waitFor();
        await scan('edit profile, errors');

        expect(
          await page.evaluate(() => (window as { __i18nMissing?: string[] }).__i18nMissing ?? []),
        ).toEqual([]);
        expect(seen.errors).toEqual([]);
      } finally {
        await context.close();
      }
      expect(problems).toEqual([]);
    });
  }

  it('switches language in settings and remembers it', async () => {
    await signInTestUser(suite.server.url, 94001, { displayName: 'Switcher' });
    const context = await newPhoneContext(suite.browser, { locale: 'en-US' });
    try {
      const page = await context.newPage();
      const { phone, code } = testPhone(94001);
      await page.goto(`${suite.server.url}/settings`);
      await page.locator('input[name="phone"]').fill(phone);
      await page.locator('form button[type="submit"]').click();
      await page.locator('input[name="code"]').fill(code);
      await page.locator('form button[type="submit"]').click();
      await page.locator('.chat-list-screen').waitFor();
      await page.locator('.chat-list-screen .action-settings').click();
      await page.locator('#settings-title', { hasText: en.settings.title }).waitFor();

      await page.locator('label.segment', { hasText: '한국어' }).click();
      await page.locator('#settings-title', { hasText: ko.settings.title }).waitFor();
      expect(await page.evaluate(() => document.documentElement.lang)).toBe('ko');
      await page.locator('label.segment', { hasText: '日本語' }).click();
      await page.locator('#settings-title', { hasText: ja.settings.title }).waitFor();
      expect(await page.evaluate(() => document.documentElement.lang)).toBe('ja');

      await page.reload();
      await page.locator('#settings-title', { hasText: ja.settings.title }).waitFor();
      expect(await page.evaluate(() => document.documentElement.lang)).toBe('ja');
    } finally {
      await context.close();
    }
  });
});
