// Group admins, removing members, muting and invite links in the browser: buttons only for what
// the server allows (a plain member sees none), roles and removals live for everyone, "X removed
// Y" and "Y left" between the messages, a removed member's room says so; muting on one device
// greys the chat's badge and takes it out of the tab's total on the other; an invite link
// joins (after signing in too), and a reset or turned-off one says it does not work.
import { post, signInTestUser, testPhone } from '@tokki/dev-env';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { en } from '../i18n/locales/en';
import {
  browserSuitesAvailable,
  newPhoneContext,
  openChat,
  signInThroughUi,
  useServerAndBrowser,
  watch,
  fill,
} from './helpers';

const browserSuites = browserSuitesAvailable();

async function userIdOf(url: string, n: number, token: string): Promise<string> {
  const { user } = (await post(url, 'users.lookupPhone', { phone: testPhone(n).phone }, token)) as {
    user: { id: string };
  };
  return user.id;
}

/** From the open chat room to its info screen, members listed. */
async function openInfo(page: Page): Promise<void> {
  await page.locator('.chat-room .action-info').click();
  await page.locator('.people .person').first().waitFor();
}

function person(page: Page, name: string) {
  return page.locator('.people .person', { hasText: name });
}

describe.skipIf(!browserSuites)('web app: group admins, muting and invite links', () => {
  const suite = useServerAndBrowser();

  it('shows role badges, lets the owner name admins and admins remove plain members, and tells the removed member', async () => {
    const url = suite.server.url;
    // Olivia owns the group (made through the API on another device of hers); Mia is a member.
    const olivia = await signInTestUser(url, 73001, { displayName: 'Olivia' });
    const max = await signInTestUser(url, 73003, { displayName: 'Max' });
    const ann = await signInTestUser(url, 73004, { displayName: 'Ann' });
    const owner = await newPhoneContext(suite.browser);
    const member = await newPhoneContext(suite.browser);
    owner.setDefaultTimeout(10_000);
    member.setDefaultTimeout(10_000);
    try {
      const o = await owner.newPage();
      const m = await member.newPage();
      const oSeen = watch(o);
      const mSeen = watch(m);
      await signInThroughUi(m, url, 73002, 'Mia');
      const mia = await userIdOf(url, 73002, olivia.token);
      const { id: chatId } = (await post(
        url,
        'chats.createGroup',
        { title: 'Book club', memberIds: [mia, max.userId, ann.userId] },
        olivia.token,
      )) as { id: string };
      await post(
        url,
        'messages.send',
        { chatId, clientMsgId: 'hello', text: 'Welcome, readers' },
        olivia.token,
      );
      await signInThroughUi(o, url, 73001, 'Olivia');

      // Mia, a plain member: the owner's badge, no buttons to manage anyone, no invite link.
      await openChat(m, 'Book club');
      await openInfo(m);
      await person(m, 'Olivia').locator('.tag', { hasText: en.info.owner }).waitFor();
      expect(await m.locator('.manage-member').count()).toBe(0);
      expect(await m.locator('.invite-link').count()).toBe(0);

      // Olivia, the owner, may manage all three; she makes Mia and Max admins: Mia sees it live.
      await openChat(o, 'Book club');
      await openInfo(o);
      await expect.poll(() => o.locator('.manage-member').count()).toBe(3);
      for (const name of ['Mia', 'Max']) {
        await person(o, name).locator('.manage-member').click();
        const menu = o.locator('dialog.member-menu[open]');
        expect(await menu.locator('[role="menuitem"]').allInnerTexts()).toEqual([
          en.info.makeAdmin,
          en.info.removeMember,
        ]);
        await menu.locator('.action-admin').click();
        await person(o, name).locator('.tag', { hasText: en.info.admin }).waitFor();
        await o.locator('.form-notice', { hasText: fill(en.info.madeAdmin, { name }) }).waitFor();
      }
      await person(m, 'Max').locator('.tag', { hasText: en.info.admin }).waitFor();
      await person(m, 'Mia').locator('.tag', { hasText: en.info.admin }).waitFor();

      // Mia, now an admin: only Ann (a plain member) has a button, with removing only; and the
      // invite link is hers to manage.
      await expect.poll(() => m.locator('.manage-member').count()).toBe(1);
      expect(await person(m, 'Ann').locator('.manage-member').count()).toBe(1);
      await m.locator('.invite-link').waitFor();
      await person(m, 'Ann').locator('.manage-member').click();
      const menu = m.locator('dialog.member-menu[open]');
      expect(await menu.locator('[role="menuitem"]').allInnerTexts()).toEqual([
        en.info.removeMember,
      ]);
      await menu.locator('.action-remove').click();
      const confirm = m.locator('dialog[open]', {
        hasText: fill(en.info.removeConfirm, { name: 'Ann', title: 'Book club' }),
      });
      // Cancel first: nothing happens.
      await confirm.locator('.button.secondary').click();
      await confirm.waitFor({ state: 'detached' });
      expect(await person(m, 'Ann').count()).toBe(1);
      await person(m, 'Ann').locator('.manage-member').click();
      await menu.locator('.action-remove').click();
      await confirm.locator('.button.danger').click();
      for (const page of [m, o]) await expect.poll(() => person(page, 'Ann').count()).toBe(0);
      const annChats = (await post(url, 'chats.list', {}, ann.token)) as { chats: unknown[] };
      expect(annChats.chats).toEqual([]);

      // Max leaves on his own; Olivia's chat room says who left and who was removed.
      await post(url, 'chats.leave', { chatId }, max.token);
      await expect.poll(() => person(o, 'Max').count()).toBe(0);
      await o.goBack();
      await o
        .locator('.system-line', { hasText: fill(en.system.removed, { by: 'Mia', name: 'Ann' }) })
        .waitFor();
      await o.locator('.system-line', { hasText: fill(en.system.left, { name: 'Max' }) }).waitFor();

      // Olivia makes Mia a plain member again: her buttons and the invite link go, live.
      await openInfo(o);
      await person(o, 'Mia').locator('.manage-member').click();
      await o.locator('dialog.member-menu[open] .action-unadmin').click();
      await expect.poll(() => person(m, 'Mia').locator('.tag').count()).toBe(0);
      await expect.poll(() => m.locator('.manage-member').count()).toBe(0);
      expect(await m.locator('.invite-link').count()).toBe(0);

      // Olivia removes Mia while Mia has the chat open: Mia's room says so, the list drops it.
      await m.goBack();
      await m.locator('.chat-room .composer-input').waitFor();
      await person(o, 'Mia').locator('.manage-member').click();
      await o.locator('dialog.member-menu[open] .action-remove').click();
      await o.locator('dialog[open] .button.danger').click();
      await m
        .locator('.chat-left-notice', {
          hasText: fill(en.chat.removedBy, { name: 'Olivia', title: 'Book club' }),
        })
        .waitFor();
      expect(await m.locator('.composer-input').count()).toBe(0);
      await m.goBack();
      await m.locator('.chat-list-screen').waitFor();
      expect(await m.locator('.chat-row', { hasText: 'Book club' }).count()).toBe(0);
      await o.goBack();
      await o
        .locator('.system-line', { hasText: fill(en.system.removedByMe, { name: 'Mia' }) })
        .waitFor();

      expect(oSeen.errors).toEqual([]);
      expect(mSeen.errors).toEqual([]);
    } finally {
      await owner.close();
      await member.close();
    }
  }, 120_000);

  it('mutes a chat on every device of the user: a greyed badge, left out of the tab total', async () => {
    const url = suite.server.url;
    const friend = await signInTestUser(url, 74002, { displayName: 'Dana' });
    const phone = await newPhoneContext(suite.browser);
    const laptop = await newPhoneContext(suite.browser);
    phone.setDefaultTimeout(10_000);
    laptop.setDefaultTimeout(10_000);
    try {
      const p = await phone.newPage();
      const l = await laptop.newPage();
      await signInThroughUi(p, url, 74001, 'Eve');
      await signInThroughUi(l, url, 74001, 'Eve');
      const eve = await userIdOf(url, 74001, friend.token);
      const direct = (await post(url, 'chats.createDirect', { userId: eve }, friend.token)) as {
        id: string;
      };
      const group = (await post(
        url,
        'chats.createGroup',
        { title: 'Noisy group', memberIds: [eve] },
        friend.token,
      )) as { id: string };
      let n = 0;
      const send = (chatId: string) =>
        post(
          url,
          'messages.send',
          { chatId, clientMsgId: `m${n++}`, text: `Hi ${n}` },
          friend.token,
        );
      for (let i = 0; i < 2; i++) await send(direct.id);
      for (let i = 0; i < 5; i++) await send(group.id);
      const tabBadge = (page: Page) => page.locator('.tab[data-tab="chats"] .tab-badge');
      const rowOf = (page: Page) => page.locator('.chat-row', { hasText: 'Noisy group' });
      for (const page of [p, l]) await expect.poll(() => tabBadge(page).textContent()).toBe('7');

      // Muted on the phone, from the group's info (opened by its address: the chat stays unread).
      await p.goto(`${url}/chats/${group.id}/info`);
      await p.locator('.mute-switch').check();
      expect(await p.locator('.mute-switch').isChecked()).toBe(true);

      // The laptop sees it too: a muted icon, a grey badge of 5, and 2 on the tab.
      await rowOf(l).locator('.chat-row-muted').waitFor();
      expect(await rowOf(l).locator('.badge.muted').textContent()).toBe('5');
      await expect.poll(() => tabBadge(l).textContent()).toBe('2');
      await send(group.id);
      await expect.poll(() => rowOf(l).locator('.badge.muted').textContent()).toBe('6');
      expect(await tabBadge(l).textContent()).toBe('2');

      // The room says it is muted.
      await openChat(l, 'Noisy group');
      await l.locator('.top-bar-subtitle .muted-mark').waitFor();

      // Unmuted on the laptop: the phone's total counts it again.
      await p.goto(url);
      await rowOf(p).locator('.chat-row-muted').waitFor();
      await openInfo(l);
      expect(await l.locator('.mute-switch').isChecked()).toBe(true);
      await l.locator('.mute-switch').uncheck();
      await expect.poll(() => p.locator('.chat-row-muted').count()).toBe(0);
      expect(await rowOf(p).locator('.badge.muted').count()).toBe(0);
      // The laptop read the group when it opened it.
      await expect.poll(() => tabBadge(p).textContent()).toBe('2');
    } finally {
      await phone.close();
      await laptop.close();
    }
  }, 90_000);

  it('creates, copies, resets and turns off an invite link; it joins, after signing in too, and a dead link says so', async () => {
    const url = suite.server.url;
    const owner = await newPhoneContext(suite.browser);
    const guest = await newPhoneContext(suite.browser);
    const stranger = await newPhoneContext(suite.browser);
    for (const context of [owner, guest, stranger]) context.setDefaultTimeout(10_000);
    try {
      const o = await owner.newPage();
      const g = await guest.newPage();
      const s = await stranger.newPage();
      const seen = [watch(o), watch(g), watch(s)];
      await signInThroughUi(o, url, 75001, 'Olivia');
      await signInThroughUi(g, url, 75002, 'Gus');
      const oliviaApi = await signInTestUser(url, 75001, { displayName: 'Olivia' });
      await post(url, 'chats.createGroup', { title: 'Film night', memberIds: [] }, oliviaApi.token);
      await openChat(o, 'Film night');
      await openInfo(o);

      await o.locator('.create-link').click();
      const input = o.locator('.invite-link-url');
      await input.waitFor();
      const first = await input.inputValue();
      expect(first).toMatch(new RegExp(`^${url}/join/[A-Za-z0-9_-]{16,}$`));
      await o.locator('.form-notice', { hasText: en.info.linkCreated }).waitFor();
      await o.locator('.copy-link').click();
      await o.locator('.form-notice', { hasText: en.info.linkCopied }).waitFor();

      // A wrong token says so, and joins nothing.
      await g.goto(`${url}/join/not-a-real-token`);
      await g.locator('.join-screen .join-button').click();
      await g.locator('.join-error', { hasText: en.join.invalid }).waitFor();

      // Gus opens the link: "Join this group?", then the chat.
      await g.goto(first);
      await g.locator('.join-question', { hasText: en.join.question }).waitFor();
      await g.locator('.join-button').click();
      await g.locator('#chat-room-title', { hasText: 'Film night' }).waitFor();
      await g.locator('.chat-room .composer-input').waitFor();
      await person(o, 'Gus').waitFor();

      // Reset (asked first): a new link, and the old one stops working.
      await o.locator('.create-link', { hasText: en.info.resetLink }).click();
      await o
        .locator('dialog[open]', { hasText: en.info.resetConfirm })
        .locator('.button')
        .last()
        .click();
      await expect.poll(() => input.inputValue()).not.toBe(first);
      const second = await input.inputValue();

      // Someone signed out opens the old link: after signing in, the join screen is there, and
      // the link is refused.
      await s.goto(first);
      const { phone, code } = testPhone(75003);
      await s.locator('input[name="phone"]').fill(phone);
      await s.locator('form button[type="submit"]').click();
      await s.locator('input[name="code"]').fill(code);
      await s.locator('form button[type="submit"]').click();
      await s.locator('input[name="displayName"]').fill('Sam');
      await s.locator('form button[type="submit"]').click();
      await s.locator('.join-screen').waitFor();
      expect(new URL(s.url()).pathname).toBe(new URL(first).pathname);
      await s.locator('.join-button').click();
      await s.locator('.join-error', { hasText: en.join.invalid }).waitFor();
      // The new link works.
      await s.goto(second);
      await s.locator('.join-button').click();
      await s.locator('#chat-room-title', { hasText: 'Film night' }).waitFor();

      // Turned off: the link box goes, and the link no longer works.
      await o.locator('.revoke-link').click();
      await o
        .locator('dialog[open]', { hasText: en.info.revokeConfirm })
        .locator('.button.danger')
        .click();
      await o.locator('.form-notice', { hasText: en.info.linkRevoked }).waitFor();
      expect(await input.count()).toBe(0);
      await g.goto(second);
      await g.locator('.join-button').click();
      await g.locator('.join-error', { hasText: en.join.invalid }).waitFor();

      for (const page of seen) expect(page.errors).toEqual([]);
    } finally {
      await owner.close();
      await guest.close();
      await stranger.close();
    }
  }, 120_000);
});
