// Open chats in two browsers: one user makes a room, another finds it in the search and joins
// under a nickname. Inside, members are room profiles: the joiner's screen must never show the
// host's name, number or user id — not in the list, the room, the members, the info. Then
// nicknames changing live, a removed member who cannot come back, a full room, input checked
// before it is sent; and a 1:1 chat's "online" / "last seen" with its privacy setting.
import { post, signInTestUser, testPhone, type TestUser } from '@tokki/dev-env';
import type { Chat } from '@tokki/protocol';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { en } from '../i18n/locales/en';
import {
  browserSuitesAvailable,
  fill,
  messageRow,
  newPhoneContext,
  sendMessage,
  signInThroughUi,
  startDirectChat,
  useServerAndBrowser,
  watch,
} from './helpers';

const browserSuites = browserSuitesAvailable();

const HOST = { n: 76001, name: 'Hana Realname' };
const GUEST = { n: 76002, name: 'Gil Realname' };
const TITLE = 'Bukhansan hikers';

/** Every method call a page sends over its WebSocket, by name. */
function sentCalls(page: Page): string[] {
  const methods: string[] = [];
  page.on('websocket', (ws) =>
    ws.on('framesent', ({ payload }) => {
      try {
        const frame = JSON.parse(String(payload)) as { type?: string; method?: string };
        if (frame.type === 'req' && frame.method) methods.push(frame.method);
      } catch {
        // Not JSON: not a call.
      }
    }),
  );
  return methods;
}

/** Whether the page's text or markup holds any of these strings anywhere. */
async function leaks(page: Page, secrets: string[]): Promise<string[]> {
  const { text, html } = await page.evaluate(() => ({
    text: document.body.innerText,
    html: document.documentElement.outerHTML,
  }));
  return secrets.filter((secret) => text.includes(secret) || html.includes(secret));
}

describe.skipIf(!browserSuites)('web app: open chats and presence', () => {
  const suite = useServerAndBrowser();
  const contexts: BrowserContext[] = [];
  let host: Page, guest: Page;
  let hostApi: TestUser;
  let chatId: string;
  let guestCalls: string[];
  /** The host's name, number (as typed and as digits) and user id. */
  let hostSecrets: string[];

  afterAll(async () => {
    for (const context of contexts) await context.close();
  });

  const hostCall = <T = unknown>(method: string, params: unknown) =>
    post(suite.server.url, method, params, hostApi.token) as Promise<T>;

  it('makes an open chat, and another user finds and joins it seeing only nicknames', async () => {
    for (let i = 0; i < 2; i++) {
      const context = await newPhoneContext(suite.browser);
      context.setDefaultTimeout(10_000);
      contexts.push(context);
    }
    host = await contexts[0]!.newPage();
    guest = await contexts[1]!.newPage();
    const hostSeen = watch(host);
    const guestSeen = watch(guest);
    guestCalls = sentCalls(guest);
    await Promise.all([
      signInThroughUi(host, suite.server.url, HOST.n, HOST.name),
      signInThroughUi(guest, suite.server.url, GUEST.n, GUEST.name),
    ]);
    hostApi = await signInTestUser(suite.server.url, HOST.n);
    const phone = testPhone(HOST.n).phone;
    hostSecrets = [HOST.name, phone, phone.slice(1), hostApi.userId];

    // The host: New chat → Open chat → the form → the room.
    await host.locator('.chat-list-screen .action-new-chat').click();
    await host.locator('.segment', { has: host.locator('input[value="open"]') }).click();
    const form = host.locator('.open-create-form');
    await form.locator('input[name="title"]').fill(TITLE);
    await form.locator('input[name="nickname"]').fill('Mountain rabbit');
    await form.locator('textarea[name="description"]').fill('Saturday hikes, all levels');
    expect(await form.locator('input[name="memberLimit"]').inputValue()).toBe('1500');
    expect(await form.locator('input[name="listed"]').isChecked()).toBe(true);
    await form.locator('.action-create-open').click();
    await host.locator('.chat-room .composer-input').waitFor();
    await host.locator('.chat-room .top-bar .open-badge').waitFor();
    chatId = decodeURIComponent(new URL(host.url()).pathname.split('/')[2]!);

    // The guest: Open chats → search → the room's summary → a nickname → Join.
    await guest.locator('.chat-list-screen .action-open-chats').click();
    await guest.locator('.open-chats-screen input[name="query"]').fill('bukhansan');
    const result = guest.locator('.open-row', { hasText: TITLE });
    await result.waitFor();
    expect(await result.textContent()).toContain('Saturday hikes, all levels');
    expect(await result.textContent()).toContain('1 / 1,500 members');
    await result.click();
    await guest.locator('.open-card', { hasText: 'Saturday hikes, all levels' }).waitFor();
    await guest.locator('.open-join-form input[name="nickname"]').fill('Cloud');
    await guest.locator('.open-join-form .action-join').click();
    await guest.locator('.chat-room .composer-input').waitFor();
    await guest.locator('.chat-room .top-bar .open-badge').waitFor();

    // Typing is named by the nickname (the host has typed nothing yet: no throttle).
    await host.locator('.composer-input').fill('Wel');
    await guest
      .locator('.top-bar-subtitle .typing', { hasText: 'Mountain rabbit is typing' })
      .waitFor();

    // The host's room says who joined, by nickname.
    await host
      .locator('.system-line', { hasText: fill(en.system.joined, { name: 'Cloud' }) })
      .waitFor();

    // Names are nicknames, each one's own messages on the right.
    await sendMessage(host, 'Welcome, everyone');
    const welcome = messageRow(guest, 'Welcome, everyone');
    await welcome.waitFor();
    expect(await welcome.getAttribute('class')).toContain('theirs');
    expect(await welcome.locator('.message-sender').textContent()).toBe('Mountain rabbit');
    await sendMessage(guest, 'Hi, first time here');
    const mine = messageRow(guest, 'Hi, first time here');
    expect(await mine.getAttribute('class')).toContain('mine');
    // Acknowledged: the pending bubble gave way to the real message.
    await expect.poll(() => mine.getAttribute('data-pending')).toBeNull();
    expect(await messageRow(host, 'Welcome, everyone').getAttribute('class')).toContain('mine');
    const arrived = messageRow(host, 'Hi, first time here');
    await arrived.waitFor();
    expect(await arrived.getAttribute('class')).toContain('theirs');
    expect(await arrived.locator('.message-sender').textContent()).toBe('Cloud');
    // Read by the guest, so no "1" by the host's message; the guest's own has none for itself.
    await expect
      .poll(() => messageRow(host, 'Welcome, everyone').locator('.unread-counter').count())
      .toBe(0);
    expect(await arrived.locator('.unread-counter').count()).toBe(0);

    // A reaction of one's own is marked as one's own.
    await welcome.locator('.bubble').click({ button: 'right' });
    await guest.locator('dialog.message-menu[open] .reaction-option.reaction-heart').click();
    await welcome.locator('.reaction-chip.reaction-heart.mine').waitFor();
    await messageRow(host, 'Welcome, everyone')
      .locator('.reaction-chip.reaction-heart:not(.mine)')
      .waitFor();

    // The guest's menu on the host's message has no Edit (not theirs); on their own, it has.
    await welcome.locator('.bubble').click({ button: 'right' });
    let menu = guest.locator('dialog.message-menu[open]');
    expect(await menu.locator('.action-edit').count()).toBe(0);
    await guest.keyboard.press('Escape');
    await mine.locator('.bubble').click({ button: 'right' });
    menu = guest.locator('dialog.message-menu[open]');
    await menu.locator('.action-edit').waitFor();
    await guest.keyboard.press('Escape');
    expect(await leaks(guest, hostSecrets)).toEqual([]);

    // The info: nicknames, the host marked, no profile links, no inviting by phone.
    await guest.locator('.chat-room .action-info').click();
    const people = guest.locator('.people .person');
    await expect.poll(() => people.count()).toBe(2);
    expect(await people.first().textContent()).toContain('Cloud');
    expect(await people.first().textContent()).toContain('(you)');
    expect(await people.nth(1).textContent()).toContain('Mountain rabbit');
    expect(await people.nth(1).textContent()).toContain('Host');
    expect(await guest.locator('.people a').count()).toBe(0);
    expect(await guest.locator('input[name="phone"]').count()).toBe(0);
    expect(await guest.locator('.open-info').textContent()).toContain('2 / 1,500 members');
    // Only the host and co-hosts see the link and the settings.
    expect(await guest.locator('.invite-link, .open-settings').count()).toBe(0);
    expect(await leaks(guest, hostSecrets)).toEqual([]);
    await guest.goto(suite.server.url);
    await guest.locator('.chat-list-screen .chat-row', { hasText: TITLE }).waitFor();
    expect(await leaks(guest, hostSecrets)).toEqual([]);
    // Nobody is looked up by a room profile's id (it is no user's).
    expect(guestCalls).not.toContain('users.get');

    // The host sees the link made with the room, and may make another.
    await host.locator('.chat-room .action-info').click();
    const link = host.locator('.invite-link-url');
    await expect.poll(() => link.inputValue()).toMatch(/\/join\/[\w-]+$/);
    const firstLink = await link.inputValue();
    await host.locator('.invite-link .create-link').click();
    await host.locator('dialog[open] .button:not(.secondary)').click();
    await expect.poll(() => link.inputValue()).not.toBe(firstLink);
    expect(hostSeen.errors).toEqual([]);
    expect(guestSeen.errors).toEqual([]);
  });

  it('shows a nickname and the room settings changed, live, to the other member', async () => {
    await guest.locator('.chat-row', { hasText: TITLE }).click();
    await messageRow(guest, 'Welcome, everyone').waitFor();

    // The host (on the info screen) renames themself: the guest's room follows at once.
    const nickname = host.locator('.nickname-form input[name="nickname"]');
    expect(await nickname.inputValue()).toBe('Mountain rabbit');
    await nickname.fill('Big rabbit');
    await host.locator('.nickname-form button[type="submit"]').click();
    await host.locator('.nickname-form .form-notice').waitFor();
    await messageRow(guest, 'Welcome, everyone')
      .locator('.message-sender', { hasText: 'Big rabbit' })
      .waitFor();

    // Settings: a limit below the members there are, or out of range, is refused before sending.
    const settings = host.locator('.open-settings');
    await settings.locator('textarea[name="description"]').fill('Saturday hikes, bring water');
    await settings.locator('input[name="memberLimit"]').fill('1');
    await settings.locator('.action-save-open').click();
    await settings.locator('.form-error', { hasText: 'from 2 to 3,000' }).waitFor();
    await settings.locator('input[name="memberLimit"]').fill('50');
    await settings.locator('input[name="listed"]').uncheck();
    await settings.locator('.action-save-open').click();
    await settings.locator('.form-notice').waitFor();
    await host.locator('.open-info', { hasText: 'Joined by link only' }).waitFor();

    await guest.locator('.chat-room .action-info').click();
    await guest.locator('.open-info', { hasText: 'Saturday hikes, bring water' }).waitFor();
    await guest.locator('.open-info', { hasText: '2 / 50 members' }).waitFor();
    await guest.locator('.open-info', { hasText: 'Joined by link only' }).waitFor();
    await guest.locator('.people .person', { hasText: 'Big rabbit' }).waitFor();

    // The guest's own nickname: a blank or too long one is refused here, with nothing sent.
    const own = guest.locator('.nickname-form input[name="nickname"]');
    const before = guestCalls.length;
    await own.fill('   ');
    await guest.locator('.nickname-form button[type="submit"]').click();
    await guest.locator('.nickname-form .form-error', { hasText: 'Type a nickname' }).waitFor();
    await own.fill('x'.repeat(21));
    await guest.locator('.nickname-form button[type="submit"]').click();
    await guest.locator('.nickname-form .form-error', { hasText: 'at most 20' }).waitFor();
    expect(guestCalls.slice(before)).not.toContain('open.setNickname');
    await own.fill('Sky cloud');
    await guest.locator('.nickname-form button[type="submit"]').click();
    await guest.locator('.people .person', { hasText: 'Sky cloud' }).waitFor();
    await host.locator('.people .person', { hasText: 'Sky cloud' }).waitFor();
    await guest.goBack();
    await guest.goBack();
    expect(await leaks(guest, hostSecrets)).toEqual([]);
  });

  it('takes a removed member out of the room for good, with a clear reason', async () => {
    // Listed again, so the guest can try to come back through the search.
    await hostCall('open.update', { chatId, listed: true });
    await guest.locator('.chat-row', { hasText: TITLE }).click();
    await messageRow(guest, 'Welcome, everyone').waitFor();

    // The host, on the room's info, makes the guest a co-host, then removes them.
    const member = host.locator('.people .person', { hasText: 'Sky cloud' });
    await member.locator('.manage-member').click();
    await host
      .locator('dialog.member-menu[open] .action-admin', { hasText: en.openChat.makeCoHost })
      .click();
    await member.locator('.tag', { hasText: en.openChat.coHost }).waitFor();
    await member.locator('.manage-member').click();
    await host.locator('dialog.member-menu[open] .action-remove').click();
    await host
      .locator('dialog[open]', { hasText: 'Remove Sky cloud from' })
      .locator('.button.danger')
      .click();
    await member.waitFor({ state: 'detached' });
    // What they said stays in the room under their nickname, after a reload too.
    await host.goto(`${suite.server.url}/chats/${chatId}`);
    await messageRow(host, 'Hi, first time here')
      .locator('.message-sender', { hasText: 'Sky cloud' })
      .waitFor();

    // The guest's room says who removed them (by nickname), and the list no longer has it.
    await guest
      .locator('.chat-left-notice', {
        hasText: fill(en.chat.removedBy, { name: 'Big rabbit', title: TITLE }),
      })
      .waitFor();
    expect(await leaks(guest, hostSecrets)).toEqual([]);
    await guest.goBack();
    await guest.locator('.chat-list-screen').waitFor();
    await expect.poll(() => guest.locator('.chat-row', { hasText: TITLE }).count()).toBe(0);

    await guest.locator('.chat-list-screen .action-open-chats').click();
    await guest.locator('.open-row', { hasText: TITLE }).click();
    await guest.locator('.open-join-form input[name="nickname"]').fill('Cloud again');
    await guest.locator('.open-join-form .action-join').click();
    await guest.locator('.open-join-form .form-error', { hasText: en.openChat.banned }).waitFor();
    await guest.goBack();
  });

  it('joins an unlisted open chat by its link under a nickname', async () => {
    const { chat, inviteToken } = await hostCall<{ chat: Chat; inviteToken: string }>(
      'open.create',
      { title: 'Secret garden', nickname: 'Gardener', description: 'Link only', listed: false },
    );
    await hostCall('messages.send', { chatId: chat.id, clientMsgId: 'g1', text: 'Hello?' });
    await guest.goto(`${suite.server.url}/join/${inviteToken}`);
    const card = guest.locator('.join-open .open-card');
    await card.waitFor();
    expect(await card.textContent()).toContain('Secret garden');
    expect(await card.textContent()).toContain('Link only');
    expect(await card.textContent()).toContain('1 / 1,500 members');
    await guest.locator('.open-join-form .action-join').click();
    await guest.locator('.open-join-form .field-error', { hasText: en.openChat.nicknameBlank });
    await guest.locator('.open-join-form input[name="nickname"]').fill('Visitor');
    await guest.locator('.open-join-form .action-join').click();
    await guest.locator('.chat-room .top-bar .open-badge').waitFor();
    await hostCall('messages.send', { chatId: chat.id, clientMsgId: 'g2', text: 'Welcome in' });
    const row = messageRow(guest, 'Welcome in');
    await row.locator('.message-sender', { hasText: 'Gardener' }).waitFor();
    expect(await leaks(guest, hostSecrets)).toEqual([]);

    // A broken link says so at once.
    await guest.goto(`${suite.server.url}/join/not-a-real-token`);
    await guest.locator('.join-error', { hasText: en.join.invalid }).waitFor();
    await guest.goto(`${suite.server.url}/open`);
  });

  it('says a full room is full, and checks the nickname and limit before sending', async () => {
    // A room for two, filled by the host and a third user.
    const third = await signInTestUser(suite.server.url, 76003);
    const { chat } = await hostCall<{ chat: Chat }>('open.create', {
      title: 'Tiny tea room',
      nickname: 'Tea host',
      memberLimit: 2,
      listed: true,
    });
    await post(
      suite.server.url,
      'open.join',
      { chatId: chat.id, nickname: 'Tea fan' },
      third.token,
    );

    await guest.locator('.open-chats-screen input[name="query"]').fill('tiny tea');
    await guest.locator('.open-row', { hasText: '2 / 2 members' }).click();
    const join = guest.locator('.open-join-form');
    const before = guestCalls.length;
    await join.locator('.action-join').click();
    await join.locator('.field-error', { hasText: en.openChat.nicknameBlank }).waitFor();
    await join.locator('input[name="nickname"]').fill('가'.repeat(21));
    await join.locator('.action-join').click();
    await join.locator('.field-error', { hasText: 'at most 20 characters' }).waitFor();
    expect(guestCalls.slice(before)).not.toContain('open.join');
    await join.locator('input[name="nickname"]').fill('가'.repeat(20));
    await join.locator('.action-join').click();
    await join.locator('.form-error', { hasText: en.openChat.full }).waitFor();

    // The create form: every field checked, beside the field, nothing sent.
    await guest.goto(`${suite.server.url}/new/open`);
    const form = guest.locator('.open-create-form');
    await form.waitFor();
    const formCalls = guestCalls.length;
    await form.locator('.action-create-open').click();
    await form.locator('.field-error', { hasText: en.openChat.titleBlank }).waitFor();
    await form.locator('.field-error', { hasText: en.openChat.nicknameBlank }).waitFor();
    await form.locator('input[name="title"]').fill('My room');
    await form.locator('input[name="nickname"]').fill('n'.repeat(21));
    await form.locator('input[name="memberLimit"]').fill('3001');
    await form.locator('.action-create-open').click();
    await form.locator('.field-error', { hasText: 'at most 20 characters' }).waitFor();
    await form.locator('.field-error', { hasText: 'from 2 to 3,000' }).waitFor();
    await form.locator('input[name="nickname"]').fill('Me');
    await form.locator('input[name="memberLimit"]').fill('1');
    await form.locator('.action-create-open').click();
    await form.locator('.field-error', { hasText: 'from 2 to 3,000' }).waitFor();
    expect(guestCalls.slice(formCalls)).not.toContain('open.create');
    expect(await form.locator('.field-error').count()).toBe(1);
  });

  it('shows “online” and “last seen” in a 1:1 header, as the other person allows', async () => {
    // The host lets everyone see it (the default is friends only).
    await host.goto(`${suite.server.url}/settings`);
    const everyone = host.locator('.last-seen-setting .segment', {
      has: host.locator('input[value="everyone"]'),
    });
    await expect.poll(() => everyone.locator('input').isEnabled()).toBe(true);
    await everyone.click();
    await host.locator('.last-seen-setting .form-notice').waitFor();

    await guest.goto(suite.server.url);
    await guest.locator('.chat-list-screen').waitFor();
    await startDirectChat(guest, testPhone(HOST.n).phone);
    const status = guest.locator('.chat-room .top-bar-subtitle .presence');
    await status.filter({ hasText: 'online' }).waitFor();

    // The host closes the app.
    await host.close();
    await status.filter({ hasText: 'last seen just now' }).waitFor();
    await sendMessage(guest, 'See you Saturday');

    // "Nobody": the line goes at once, and stays gone when the chat is opened again.
    await hostCall('privacy.update', { lastSeen: 'nobody' });
    await expect.poll(() => status.count()).toBe(0);
    await guest.reload();
    await messageRow(guest, 'See you Saturday').waitFor();
    await guest.waitForTimeout(500);
    expect(await status.count()).toBe(0);
  });
});
