// Screenshots of secret chats at phone size in Korean, English and Japanese: the chat list with a
// secret chat, the secret room (light and dark; a timer line and a new-device line), its timer
// menu and the verification screen, written to SCREENSHOT_DIR for people to look at; and a check
// that no text overflows or overlaps. The friend on the other side is a real secret client in Node (the SDK), through the
// same server.
import { join } from 'node:path';
import { post, SCREENSHOT_DIR, signInTestUser, testPhone } from '@tokki/dev-env';
import type { Page } from 'playwright-core';
import { TokkiClient } from '@tokki/sdk';
import { MemoryStateStore, SecretClient } from '@tokki/sdk/secret';
import { describe, expect, it } from 'vitest';
import { en } from '../i18n/locales/en';
import { ja } from '../i18n/locales/ja';
import { ko } from '../i18n/locales/ko';
import {
  browserSuitesAvailable,
  imagesLoaded,
  layoutProblems,
  newPhoneContext,
  signInThroughUi,
  useServerAndBrowser,
} from './helpers';

const browserSuites = browserSuitesAvailable();
const WAIT = { timeout: 60_000 };

const LANGUAGES = [
  {
    lng: 'ko',
    locale: 'ko-KR',
    base: 7201,
    strings: ko,
    me: '김민지',
    friend: '박준호',
    theirs: ['오늘 얘기한 거 여기서 하자', '비밀번호는 내일 알려줄게 🔑'],
    mine: '좋아, 읽으면 사라지게 해둘게',
    after: '알았어. 고마워!',
  },
  {
    lng: 'en',
    locale: 'en-US',
    base: 7301,
    strings: en,
    me: 'Emma Wilson',
    friend: 'Jack Taylor',
    theirs: ["Let's talk about it here", "I'll send you the door code tomorrow 🔑"],
    mine: "Sure, I'll make them disappear once read",
    after: 'Got it. Thanks!',
  },
  {
    lng: 'ja',
    locale: 'ja-JP',
    base: 7401,
    strings: ja,
    me: '佐藤美咲',
    friend: '鈴木大輔',
    theirs: ['今日の話はここでしよう', '暗証番号は明日送るね 🔑'],
    mine: 'いいよ、読んだら消えるようにしておくね',
    after: 'わかった、ありがとう！',
  },
] as const;

describe.skipIf(!browserSuites)('web app: secret chat screenshots at 360×740', () => {
  const suite = useServerAndBrowser();

  async function shoot(page: Page, name: string): Promise<string[]> {
    await page.evaluate(() => document.fonts.ready);
    await imagesLoaded(page);
    await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`) });
    return (await layoutProblems(page)).map((problem) => `${name}: ${problem}`);
  }

  for (const language of LANGUAGES) {
    const { lng, locale, base, strings } = language;
    it(
      `${lng}: the chat list, a secret room (light, dark), its timer menu and verification`,
      { timeout: 180_000 },
      async () => {
        const url = suite.server.url;
        const [me, friend] = await Promise.all([
          signInTestUser(url, base, { displayName: language.me }),
          signInTestUser(url, base + 1, { displayName: language.friend }),
        ]);
        await post(url, 'friends.add', { phone: testPhone(base + 1).phone }, me.token);
        await post(url, 'friends.add', { phone: testPhone(base).phone }, friend.token);
        const client = new TokkiClient({ server: url, token: friend.token });
        const secret = await SecretClient.open({
          client,
          userId: friend.userId,
          deviceId: friend.deviceId,
          store: new MemoryStateStore(),
          keyPackageTarget: 5,
        });
        secret.follow();
        await client.connect();
        const context = await newPhoneContext(suite.browser, { locale });
        const problems: string[] = [];
        let secondDevice: SecretClient | undefined;
        const secondClients: TokkiClient[] = [];
        try {
          const page = await context.newPage();
          await signInThroughUi(page, url, base, language.me);

          // The friend starts it once this browser's device can be added (it publishes its
          // identity and key packages on its own after signing in).
          let chatId = '';
          await expect
            .poll(
              async () => {
                chatId = await secret.createChat([me.userId]).catch(() => '');
                return chatId;
              },
              { ...WAIT, interval: 500 },
            )
            .not.toBe('');
          for (const text of language.theirs) await secret.send(chatId, text);

          const row = page.locator('.chat-row', { has: page.locator('.secret-lock') });
          await row.locator('.chat-row-preview', { hasText: language.theirs[1] }).waitFor(WAIT);
          problems.push(...(await shoot(page, `secret-chatlist-${lng}`)));

          await row.click();
          await page.locator('.secret-bubble', { hasText: language.theirs[1] }).waitFor(WAIT);
          await page.locator('.secret-room .action-timer').click();
          await page.locator('.secret-timer-menu [aria-checked="true"]').waitFor(WAIT);
          problems.push(...(await shoot(page, `secret-timer-menu-${lng}`)));
          await page.locator('.secret-timer-menu [data-timer="30"]').click();
          const time = strings.secret.timers.t30;
          await page
            .locator('.secret-service[data-kind="timer"]', {
              hasText: strings.secret.timerSetMe.replace('{{time}}', time),
            })
            .waitFor(WAIT);
          const input = page.locator('.secret-room .composer-input');
          await input.fill(language.mine);
          await input.press('Enter');
          await page.locator('.secret-bubble', { hasText: language.mine }).waitFor(WAIT);
          await expect.poll(() => secret.history(chatId).length, WAIT).toBeGreaterThan(3);
          await secret.send(chatId, language.after);
          await page.locator('.secret-bubble', { hasText: language.after }).waitFor(WAIT);
          // The friend signs in on a new device: it is added, and the room says so.
          const second = await signInTestUser(url, base + 1, { displayName: language.friend });
          const secondClient = new TokkiClient({ server: url, token: second.token });
          secondDevice = await SecretClient.open({
            client: secondClient,
            userId: second.userId,
            deviceId: second.deviceId,
            store: new MemoryStateStore(),
            keyPackageTarget: 5,
          });
          secondDevice.follow();
          secondClients.push(secondClient);
          await secondClient.connect();
          const added = strings.secret.members.newDevice.replace('{{name}}', language.friend);
          await page
            .locator('.secret-service[data-kind="members"]', { hasText: added })
            .waitFor(WAIT);
          problems.push(...(await shoot(page, `secret-room-${lng}-light`)));
          await page.emulateMedia({ colorScheme: 'dark' });
          problems.push(...(await shoot(page, `secret-room-${lng}-dark`)));
          await page.emulateMedia({ colorScheme: 'light' });

          await page.locator('.secret-room .action-verify').click();
          const number = page.locator('.safety-number');
          await number.waitFor(WAIT);
          problems.push(...(await shoot(page, `secret-verify-${lng}`)));
          // The same number on the friend's side.
          const theirs = await secret.verification(chatId, me.userId);
          expect(await number.getAttribute('data-number')).toBe(theirs.safetyNumber);

          // The friend's profile, with "Secret chat" among its actions.
          await page.goto(`${url}/users/${friend.userId}`);
          await page.locator('.profile-screen .action-secret').waitFor(WAIT);
          problems.push(...(await shoot(page, `secret-profile-${lng}`)));

          // The new-chat screen's secret form: friends to pick.
          await page.goto(`${url}/new`);
          await page.locator('.new-chat-kinds input[value="secret"]').check();
          await page.locator('.secret-chat-form .person-pick').first().waitFor(WAIT);
          problems.push(...(await shoot(page, `secret-new-${lng}`)));
        } finally {
          await context.close();
          await secret.close();
          client.disconnect();
          await secondDevice?.close();
          for (const c of secondClients) c.disconnect();
        }
        expect(problems).toEqual([]);
      },
    );
  }
});
