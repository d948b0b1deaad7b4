// Secret chats in two browsers through a real server (issue #16, item 8 and acceptance 2, 5, 6):
// two friends start a secret chat from a profile, exchange messages both ways (decrypted in the
// pages only), see the unread badge go, set a 5-second timer (a service line on both sides, and
// the message disappears once read), and compare the same safety number and key image.
import {
  dumpServer,
  findTexts,
  post,
  signInTestUser,
  testPhone,
  type TestUser,
} from '@tokki/dev-env';
import { TokkiClient } from '@tokki/sdk';
import { MemoryStateStore, SecretClient } from '@tokki/sdk/secret';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { en } from '../i18n/locales/en';
import {
  browserSuitesAvailable,
  fill,
  newPhoneContext,
  openTab,
  signInThroughUi,
  useServerAndBrowser,
  watch,
} from './helpers';

const browserSuites = browserSuitesAvailable();

const WAIT = { timeout: 60_000 };

/** The secret bubble with this text. */
const secretBubble = (page: Page, text: string) =>
  page.locator('.secret-message .secret-bubble', { hasText: text });

/** Every string this page keeps in IndexedDB, as text (ArrayBuffers decoded as UTF-8). */
async function indexedDbText(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const decode = (value: unknown): unknown => {
      if (value instanceof ArrayBuffer) return new TextDecoder().decode(value);
      if (ArrayBuffer.isView(value)) {
        return new TextDecoder().decode(
          new Uint8Array(value.buffer, value.byteOffset, value.byteLength),
        );
      }
      if (Array.isArray(value)) return value.map(decode);
      if (value && typeof value === 'object' && !(value instanceof CryptoKey)) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decode(v)]));
      }
      return value instanceof CryptoKey ? '[key]' : value;
    };
    const texts: string[] = [];
    for (const info of await indexedDB.databases()) {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open(info.name!);
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(new Error(String(request.error)));
      });
      for (const name of db.objectStoreNames) {
        const all = await new Promise<unknown[]>((resolve, reject) => {
          const request = db.transaction(name).objectStore(name).getAll();
          request.onsuccess = () => resolve(request.result);
          request.onerror = () => reject(new Error(String(request.error)));
        });
        texts.push(JSON.stringify(decode(all)));
      }
      db.close();
    }
    return texts.join('\n');
  });
}

/** Waits until the server's directory shows a secret-chat identity for one of `user`'s devices. */
async function waitForIdentity(url: string, asker: TestUser, userId: string): Promise<void> {
  for (let i = 0; ; i++) {
    const { devices } = (await post(url, 'secret.devices', { userIds: [userId] }, asker.token)) as {
      devices: unknown[];
    };
    if (devices.length > 0) return;
    if (i > 600) throw new Error(`no secret identity for ${userId}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.skipIf(!browserSuites)('web app: secret chats', () => {
  const suite = useServerAndBrowser();

  it(
    'two friends exchange secret messages both ways, set a timer, and verify each other',
    { timeout: 240_000 },
    async () => {
      const url = suite.server.url;
      const [minji, junho] = await Promise.all([
        signInTestUser(url, 7101, { displayName: 'Minji' }),
        signInTestUser(url, 7102, { displayName: 'Junho' }),
      ]);
      await post(url, 'friends.add', { phone: testPhone(7102).phone }, minji.token);
      await post(url, 'friends.add', { phone: testPhone(7101).phone }, junho.token);

      const contextA = await newPhoneContext(suite.browser);
      const contextB = await newPhoneContext(suite.browser);
      try {
        const a = await contextA.newPage();
        const b = await contextB.newPage();
        const seenA = watch(a);
        const seenB = watch(b);
        await Promise.all([
          signInThroughUi(a, url, 7101, 'Minji'),
          signInThroughUi(b, url, 7102, 'Junho'),
        ]);
        // Each browser publishes its device's identity on its own after signing in (idle time).
        await waitForIdentity(url, minji, junho.userId);

        // Minji starts it from Junho's profile: "Secret chat". The key packages follow the
        // identity by a moment: the error says so, and trying again works.
        await openTab(a, 'friends');
        await a.locator('.friend-row', { hasText: 'Junho' }).click();
        const start = a.locator('.profile-screen .action-secret');
        const room = a.locator('.secret-room .composer-input');
        // Busy while it tries: enabled again after a refusal, gone once the room opens.
        const ready = a.locator('.profile-screen .action-secret:not([disabled])');
        await expect
          .poll(
            async () => {
              await start.click();
              await room.or(ready).first().waitFor(WAIT);
              return room.isVisible();
            },
            { ...WAIT, interval: 500 },
          )
          .toBe(true);
        await room.waitFor(WAIT);
        await expect(a.locator('.secret-room .top-bar .secret-lock').count()).resolves.toBe(1);
        await a.locator('.secret-room .chat-room-title-text', { hasText: 'Junho' }).waitFor(WAIT);

        await room.fill('Only we can read this 🐰');
        await room.press('Enter');
        await secretBubble(a, 'Only we can read this').waitFor(WAIT);

        // Junho's list: the chat with a lock, the decrypted preview and an unread badge.
        const row = b.locator('.chat-row', { has: b.locator('.secret-lock') });
        await row.waitFor(WAIT);
        await row.locator('.badge', { hasText: '1' }).waitFor(WAIT);
        await row.click();
        await secretBubble(b, 'Only we can read this').waitFor(WAIT);
        await b.locator('.secret-room .composer-input').fill('Got it, secretly');
        await b.locator('.secret-room .composer-input').press('Enter');
        await secretBubble(a, 'Got it, secretly').waitFor(WAIT);
        // Read on both sides: no badge left on Junho's list.
        await expect.poll(() => row.locator('.badge').count(), WAIT).toBe(0);

        // The timer: a menu of the eight choices, a service line on both pages.
        await a.locator('.secret-room .action-timer').click();
        const menu = a.locator('.secret-timer-menu');
        await expect(menu.locator('[role="menuitemradio"]').count()).resolves.toBe(8);
        await menu.locator('[data-timer="5"]').click();
        const line = fill(en.secret.timerSet, { name: 'Minji', time: en.secret.timers.t5 });
        await a
          .locator('.secret-service[data-kind="timer"]', {
            hasText: fill(en.secret.timerSetMe, { time: en.secret.timers.t5 }),
          })
          .waitFor(WAIT);
        await b.locator('.secret-service[data-kind="timer"]', { hasText: line }).waitFor(WAIT);
        await b
          .locator('.secret-room .top-bar-subtitle', { hasText: en.secret.timers.t5 })
          .waitFor(WAIT);

        // A message under the timer: shown on both pages, then gone from both once read.
        await a.locator('.secret-room .composer-input').fill('This will vanish');
        await a.locator('.secret-room .composer-input').press('Enter');
        await secretBubble(b, 'This will vanish').waitFor(WAIT);
        await secretBubble(b, 'This will vanish').waitFor({ state: 'detached', ...WAIT });
        await secretBubble(a, 'This will vanish').waitFor({ state: 'detached', ...WAIT });
        // Messages sent before the timer stay.
        await expect(secretBubble(b, 'Only we can read this').count()).resolves.toBe(1);

        // The server holds none of it: every table, the recent-updates memory, the search index
        // and every stored file (dev-env's dump, as the SDK's acceptance test reads it).
        const dump = await dumpServer(suite.server);
        expect(
          findTexts(dump, ['Only we can read this', 'Got it, secretly', 'This will vanish']),
        ).toEqual([]);

        // Verification: the same 60 digits and the same key image on both pages.
        const verify = async (page: Page) => {
          await page.locator('.secret-room .action-verify').click();
          const number = page.locator('.safety-number');
          await number.waitFor(WAIT);
          await expect(number.locator('span').count()).resolves.toBe(12);
          const digits = await number.getAttribute('data-number');
          const image = await page
            .locator('.key-image rect')
            .evaluateAll((rects) => rects.map((r) => r.getAttribute('fill')).join(','));
          return { digits, image, shown: (await number.innerText()).replace(/\s+/g, '') };
        };
        const [va, vb] = await Promise.all([verify(a), verify(b)]);
        expect(va.digits).toMatch(/^\d{60}$/);
        expect(va.shown).toBe(va.digits);
        expect(vb.digits).toBe(va.digits);
        expect(vb.image).toBe(va.image);
        expect(va.image.split(',')).toHaveLength(144);

        // Marking verified asks first; cancelling changes nothing.
        await a.locator('.secret-verify .button.block').click();
        await a.locator('dialog[open] .button.secondary').click();
        await expect(a.locator('.secret-verified').count()).resolves.toBe(0);
        await a.locator('.secret-verify .button.block').click();
        await a.locator('dialog[open] .button:not(.secondary)').click();
        await a.locator('.secret-verified', { hasText: en.secret.verified }).waitFor(WAIT);

        // From the new-chat screen, Junho picks Minji: the 1:1 secret chat they have opens again.
        const chatPath = new URL(b.url()).pathname.replace(/\/verify.*$/, '');
        await b.goto(`${url}/new`);
        await b.locator('.new-chat-kinds input[value="secret"]').check();
        await b.locator('.secret-chat-form .person-pick', { hasText: 'Minji' }).click();
        await b.locator('.secret-chat-form .button.block').click();
        await secretBubble(b, 'Got it, secretly').waitFor(WAIT);
        expect(new URL(b.url()).pathname).toBe(chatPath);

        // No plaintext in IndexedDB outside the sealed secret store, nor inside it as text.
        for (const page of [a, b]) {
          const stored = await indexedDbText(page);
          // The app's own cache is there (the chat list, with the secret chat's counters)…
          expect(stored).toContain('"kind":"secret"');
          // …but no secret text anywhere.
          for (const text of ['Only we can read this', 'Got it, secretly', 'This will vanish']) {
            expect(stored).not.toContain(text);
          }
        }

        // A second tab of the same browser does not run a second secret client: it says so.
        const second = await contextA.newPage();
        await second.goto(`${url}${chatPath}`);
        await second
          .locator('.secret-room .secret-status', { hasText: en.secret.otherTab })
          .waitFor(WAIT);
        await second.close();

        // Signing out deletes this device's secret keys and history (after asking).
        await a.goto(`${url}/settings`);
        await a.locator('.sub-screen .scroll-body > .button.danger').click();
        await a.locator('dialog[open]', { hasText: en.settings.signOutConfirm }).waitFor(WAIT);
        await a.locator('dialog[open] .button.danger').click();
        await a.locator('input[name="phone"]').waitFor(WAIT);
        await expect
          .poll(
            () =>
              a.evaluate(async () => {
                const db = await new Promise<IDBDatabase>((resolve, reject) => {
                  const request = indexedDB.open('tokki-secret-state');
                  request.onsuccess = () => resolve(request.result);
                  request.onerror = () => reject(new Error(String(request.error)));
                });
                let count = 0;
                for (const name of db.objectStoreNames) {
                  count += await new Promise<number>((resolve) => {
                    const request = db.transaction(name).objectStore(name).count();
                    request.onsuccess = () => resolve(request.result);
                  });
                }
                db.close();
                return count;
              }),
            WAIT,
          )
          .toBe(0);

        expect(seenA.errors).toEqual([]);
        expect(seenB.errors).toEqual([]);
      } finally {
        await contextA.close();
        await contextB.close();
      }
    },
  );

  it(
    'starts a secret group from the new-chat screen; members read it and answer',
    { timeout: 180_000 },
    async () => {
      const url = suite.server.url;
      const [me, ...others] = await Promise.all([
        signInTestUser(url, 7111, { displayName: 'Minji' }),
        signInTestUser(url, 7112, { displayName: 'Junho' }),
        signInTestUser(url, 7113, { displayName: 'Sora' }),
      ]);
      // The two friends are secret clients in Node (the SDK), through the same server.
      const friends = await Promise.all(
        others.map(async (user, i) => {
          await post(url, 'friends.add', { phone: testPhone(7112 + i).phone }, me.token);
          await post(url, 'friends.add', { phone: testPhone(7111).phone }, user.token);
          const client = new TokkiClient({ server: url, token: user.token });
          const secret = await SecretClient.open({
            client,
            userId: user.userId,
            deviceId: user.deviceId,
            store: new MemoryStateStore(),
            keyPackageTarget: 5,
          });
          secret.follow();
          await client.connect();
          return { user, client, secret };
        }),
      );
      const context = await newPhoneContext(suite.browser);
      try {
        const page = await context.newPage();
        const seen = watch(page);
        await signInThroughUi(page, url, 7111, 'Minji');
        await page.goto(`${url}/new`);
        await page.locator('.new-chat-kinds input[value="secret"]').check();
        for (const name of ['Junho', 'Sora']) {
          await page.locator('.secret-chat-form .person-pick', { hasText: name }).click();
        }
        await page.locator('.secret-chat-form input[name="title"]').fill('Surprise party');
        await page.locator('.secret-chat-form .button.block').click();
        const input = page.locator('.secret-room .composer-input');
        await input.waitFor(WAIT);
        await page
          .locator('.secret-room .chat-room-title-text', { hasText: 'Surprise party' })
          .waitFor(WAIT);
        await input.fill('Cake at 7, do not tell Yuna');
        await input.press('Enter');

        // Both friends' devices decrypt it; one answers, and the page names who said what.
        for (const { secret } of friends) {
          await expect
            .poll(
              () =>
                secret
                  .chats()
                  .flatMap((c) =>
                    secret
                      .history(c.chatId)
                      .flatMap((m) => (m.content.type === 'text' ? [m.content.text] : [])),
                  ),
              WAIT,
            )
            .toContain('Cake at 7, do not tell Yuna');
        }
        const [junho] = friends;
        const chatId = junho!.secret.chats()[0]!.chatId;
        await junho!.secret.send(chatId, 'I will bring candles');
        const answer = page.locator('.secret-message', {
          has: page.locator('.secret-bubble', { hasText: 'I will bring candles' }),
        });
        await answer.locator('.secret-sender', { hasText: 'Junho' }).waitFor(WAIT);

        // Junho signs in on a new device: a device in the chat adds it, and the page says so.
        const second = await signInTestUser(url, 7112, { displayName: 'Junho' });
        const secondClient = new TokkiClient({ server: url, token: second.token });
        const secondSecret = await SecretClient.open({
          client: secondClient,
          userId: second.userId,
          deviceId: second.deviceId,
          store: new MemoryStateStore(),
          keyPackageTarget: 5,
        });
        secondSecret.follow();
        await secondClient.connect();
        friends.push({ user: second, client: secondClient, secret: secondSecret });
        const added = fill(en.secret.members.newDevice, { name: 'Junho' });
        // After the message it followed; the creation's own adds made no lines.
        await page
          .locator(
            '.secret-message:has-text("I will bring candles") ~ .secret-service[data-kind="members"]',
            { hasText: added },
          )
          .waitFor(WAIT);
        const memberLines = page.locator('.secret-service[data-kind="members"]');
        expect((await memberLines.allTextContents()).map((l) => l.trim())).toEqual([added]);
        await expect.poll(() => secondSecret.chats().map((c) => c.chatId), WAIT).toContain(chatId);

        // Verification in a group: pick whom, then the same number as on their device.
        await page.locator('.secret-room .action-verify').click();
        const people = page.locator('.secret-verify .person-button');
        await expect.poll(() => people.count(), WAIT).toBe(2);
        await people.filter({ hasText: 'Sora' }).click();
        const number = page.locator('.safety-number');
        await number.waitFor(WAIT);
        const sora = friends[1]!;
        const theirs = await sora.secret.verification(chatId, me.userId);
        expect(await number.getAttribute('data-number')).toBe(theirs.safetyNumber);
        expect(seen.errors).toEqual([]);
      } finally {
        await context.close();
        for (const { secret, client } of friends) {
          await secret.close();
          client.disconnect();
        }
      }
    },
  );

  it(
    "warns in the chat when a verified contact's keys change, and drops the mark",
    { timeout: 180_000 },
    async () => {
      const url = suite.server.url;
      const [me, friend] = await Promise.all([
        signInTestUser(url, 7121, { displayName: 'Minji' }),
        signInTestUser(url, 7122, { displayName: 'Junho' }),
      ]);
      await post(url, 'friends.add', { phone: testPhone(7122).phone }, me.token);
      await post(url, 'friends.add', { phone: testPhone(7121).phone }, friend.token);
      /** Junho's device with a state of its own: a fresh one is a new identity key. */
      const device = async () => {
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
        return { client, secret };
      };
      /** A secret chat with Minji, once her browser's device can be added. */
      const chatWithMe = async (secret: SecretClient) => {
        let chatId = '';
        await expect
          .poll(async () => (chatId = await secret.createChat([me.userId]).catch(() => '')), {
            ...WAIT,
            interval: 500,
          })
          .not.toBe('');
        return chatId;
      };
      const context = await newPhoneContext(suite.browser);
      let junho = await device();
      try {
        const page = await context.newPage();
        const seen = watch(page);
        await signInThroughUi(page, url, 7121, 'Minji');
        const chatId = await chatWithMe(junho.secret);
        await junho.secret.send(chatId, 'Before the change');
        await page.goto(`${url}/chats/${chatId}`);
        await secretBubble(page, 'Before the change').waitFor(WAIT);
        await page.locator('.secret-room .action-verify').click();
        await page.locator('.secret-verify .button.block').click();
        await page.locator('dialog[open] .button:not(.secondary)').click();
        await page.locator('.secret-verified').waitFor(WAIT);

        // Junho's device loses its state and comes back with a new key; Minji's browser meets
        // it when he starts another secret chat with her.
        await junho.secret.close();
        junho.client.disconnect();
        junho = await device();
        await chatWithMe(junho.secret);

        await page.goto(`${url}/chats/${chatId}`);
        const warning = fill(en.secret.keyChangedVerified, { name: 'Junho' });
        await page
          .locator('.secret-warning[data-kind="key-change"]', { hasText: warning })
          .waitFor(WAIT);
        await page.locator('.secret-room .action-verify').click();
        await page.locator('.safety-number').waitFor(WAIT);
        await expect(page.locator('.secret-verified').count()).resolves.toBe(0);
        await page.locator('.secret-verify .button.block').waitFor(WAIT);
        expect(seen.errors).toEqual([]);
      } finally {
        await context.close();
        await junho.secret.close();
        junho.client.disconnect();
      }
    },
  );
});
