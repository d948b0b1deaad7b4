// Screenshots of forwarding, pinning, group admins, muting and invite links at phone size
// (390×844) in every language, written to SCREENSHOT_DIR for people to look at; and a check that
// no text there overflows or overlaps.
import { join } from 'node:path';
import { post, SCREENSHOT_DIR, signInTestUser } from '@tokki/dev-env';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  browserSuitesAvailable,
  imagesLoaded,
  layoutProblems,
  openChat,
  signInThroughUi,
  useServerAndBrowser,
} from './helpers';

const browserSuites = browserSuitesAvailable();

const PEOPLE = {
  ko: {
    me: '김민지',
    admin: '이서준',
    member: '박지우',
    removed: '최하늘',
    leaver: '강도윤',
    joiner: '윤서아',
    friend: '한예린',
    group: '주말 등산 모임 🏔️ 북한산 백운대 코스',
    muted: '회사 공지방 (전체)',
    lines: [
      ['member', '토요일 9시, 북한산 입구 매표소 앞에서 만나요. 늦으면 단톡에 꼭 말해 주세요!'],
      ['admin', '저는 김밥 챙겨갈게요'],
      ['me', '좋아요 😊 물은 제가 준비할게요'],
    ],
    direct: ['민지야, 이번 주 토요일 시간 돼?', '사진 보내줄게!'],
  },
  en: {
    me: 'Minji Kim',
    admin: 'Alexander Montgomery-Whitfield',
    member: 'Jiwoo Park',
    removed: 'Haneul Choi',
    leaver: 'Doyun Kang',
    joiner: 'Seoa Yoon',
    friend: 'Yerin Han',
    group: 'Weekend hiking club — Bukhansan Baegundae trail',
    muted: 'Company announcements (everyone)',
    lines: [
      [
        'member',
        'Saturday 9 am at the Bukhansan ticket office. If you are running late, say so here!',
      ],
      ['admin', "I'll bring the gimbap"],
      ['me', 'Great 😊 I will bring water'],
    ],
    direct: ['Are you free this Saturday?', "I'll send you the photos!"],
  },
  ja: {
    me: '佐藤美咲',
    admin: '高橋健太郎',
    member: '山本さくら',
    removed: '伊藤翔',
    leaver: '中村大輝',
    joiner: '小林陽菜',
    friend: '渡辺結衣',
    group: '週末ハイキング部 🏔️ 高尾山 稲荷山コース',
    muted: '会社のお知らせ（全員）',
    lines: [
      ['member', '土曜9時に高尾山口駅の改札前で集合です。遅れる場合はここで連絡してください！'],
      ['admin', 'おにぎりを持っていきます'],
      ['me', 'いいね 😊 飲み物は私が用意します'],
    ],
    direct: ['今週の土曜日は空いてる？', '写真送るね！'],
  },
} as const;

type Lng = keyof typeof PEOPLE;

const LANGUAGES: { lng: Lng; locale: string; base: number }[] = [
  { lng: 'ko', locale: 'ko-KR', base: 81001 },
  { lng: 'en', locale: 'en-US', base: 82001 },
  { lng: 'ja', locale: 'ja-JP', base: 83001 },
];

describe.skipIf(!browserSuites)('web app: group features, screenshots at 390×844', () => {
  const suite = useServerAndBrowser();

  async function shoot(page: Page, name: string): Promise<string[]> {
    await page.evaluate(() => document.fonts.ready);
    await imagesLoaded(page);
    await page.mouse.move(0, 0);
    await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`) });
    return (await layoutProblems(page)).map((problem) => `${name}: ${problem}`);
  }

  for (const { lng, locale, base } of LANGUAGES) {
    it(`${lng}: muted chats, a pinned message, forwarding, admins, invite links`, async () => {
      const url = suite.server.url;
      const people = PEOPLE[lng];
      const problems: string[] = [];
      const names = ['me', 'admin', 'member', 'removed', 'leaver', 'joiner', 'friend'] as const;
      const users = {} as Record<(typeof names)[number], { token: string; userId: string }>;
      for (const [i, key] of names.entries()) {
        users[key] = await signInTestUser(url, base + i, { displayName: people[key] });
      }
      let n = 0;
      const say = async (chatId: string, who: keyof typeof users, text: string) => {
        const { message } = (await post(
          url,
          'messages.send',
          { chatId, clientMsgId: `s${n++}`, text },
          users[who].token,
        )) as { message: { seq: number } };
        return message.seq;
      };
      const { id: group } = (await post(
        url,
        'chats.createGroup',
        {
          title: people.group,
          memberIds: ['admin', 'member', 'removed', 'leaver'].map(
            (k) => users[k as keyof typeof users].userId,
          ),
        },
        users.me.token,
      )) as { id: string };
      const seqs: number[] = [];
      for (const [who, text] of people.lines) seqs.push(await say(group, who, text));
      await post(
        url,
        'chats.setRole',
        { chatId: group, userId: users.admin.userId, role: 'admin' },
        users.me.token,
      );
      await post(url, 'chats.pin', { chatId: group, seq: seqs[0] }, users.me.token);
      const { id: muted } = (await post(
        url,
        'chats.createGroup',
        { title: people.muted, memberIds: [users.me.userId, users.member.userId] },
        users.friend.token,
      )) as { id: string };
      for (let i = 0; i < 12; i++) await say(muted, 'friend', `#${i + 1}`);
      await post(url, 'chats.mute', { chatId: muted, muted: true }, users.me.token);
      const direct = (await post(
        url,
        'chats.createDirect',
        { userId: users.me.userId },
        users.friend.token,
      )) as { id: string };
      for (const text of people.direct) await say(direct.id, 'friend', text);

      const context = await suite.browser.newContext({
        viewport: { width: 390, height: 844 },
        deviceScaleFactor: 2,
        locale,
        serviceWorkers: 'block',
      });
      context.setDefaultTimeout(10_000);
      try {
        const page = await context.newPage();
        await signInThroughUi(page, url, base, people.me);
        await page.locator('.chat-row .badge.muted').waitFor();
        problems.push(...(await shoot(page, `groups-chatlist-muted-${lng}`)));

        // The group: its pinned message, then events while it is open.
        await openChat(page, people.group);
        await page.locator('.pinned-banner .pinned-message').waitFor();
        await post(
          url,
          'chats.removeMember',
          { chatId: group, userId: users.removed.userId },
          users.admin.token,
        );
        await post(url, 'chats.leave', { chatId: group }, users.leaver.token);
        const { token } = (await post(
          url,
          'chats.createInvite',
          { chatId: group },
          users.me.token,
        )) as { token: string };
        await post(url, 'chats.joinByInvite', { token }, users.joiner.token);
        await page.locator('.system-line').nth(2).waitFor();
        problems.push(...(await shoot(page, `groups-room-pinned-${lng}`)));
        await page.emulateMedia({ colorScheme: 'dark' });
        problems.push(...(await shoot(page, `groups-room-pinned-${lng}-dark`)));
        await page.emulateMedia({ colorScheme: 'light' });

        // The message menu of the pinned line (Unpin), and of mine (Forward, Pin).
        await page.locator('.message-row.theirs .bubble').first().click({ button: 'right' });
        await page.locator('dialog.message-menu[open] .action-unpin').waitFor();
        problems.push(...(await shoot(page, `groups-menu-unpin-${lng}`)));
        await page.keyboard.press('Escape');
        await page.locator('.message-row.mine .bubble').last().click({ button: 'right' });
        await page.locator('dialog.message-menu[open] .action-forward').click();
        const dialog = page.locator('dialog.forward-dialog[open]');
        await dialog.locator('.forward-row').nth(2).waitFor();
        await dialog.locator('.forward-row input').nth(1).check();
        await dialog.locator('.forward-row input').nth(2).check();
        problems.push(...(await shoot(page, `groups-forward-${lng}`)));
        await page.emulateMedia({ colorScheme: 'dark' });
        problems.push(...(await shoot(page, `groups-forward-${lng}-dark`)));
        await page.emulateMedia({ colorScheme: 'light' });
        await dialog.locator('.forward-send').click();
        await page.locator('.chat-notice').waitFor();
        problems.push(...(await shoot(page, `groups-forwarded-${lng}`)));

        // Chat info as the owner: badges, mute, the invite link just made.
        await page.locator('.chat-room .action-info').click();
        await page.locator('.people .person').nth(3).waitFor();
        await page.locator('.create-link').click();
        await page.locator('.invite-link-url').waitFor();
        problems.push(...(await shoot(page, `groups-info-owner-${lng}`)));
        await page.locator('.people').scrollIntoViewIfNeeded();
        await page.locator('.leave-button').scrollIntoViewIfNeeded();
        problems.push(...(await shoot(page, `groups-info-members-${lng}`)));
        await page.locator('.person', { hasText: people.admin }).locator('.manage-member').click();
        await page.locator('dialog.member-menu[open]').waitFor();
        problems.push(...(await shoot(page, `groups-member-menu-${lng}`)));
        await page.locator('dialog.member-menu[open] .action-remove').click();
        await page.locator('dialog[open] .dialog-message').waitFor();
        problems.push(...(await shoot(page, `groups-remove-confirm-${lng}`)));
        await page.keyboard.press('Escape');

        // An invite link to the muted group, and a dead one.
        const invite = (await post(
          url,
          'chats.createInvite',
          { chatId: muted },
          users.friend.token,
        )) as { token: string };
        await page.goto(`${url}/join/${invite.token}`);
        await page.locator('.join-button').waitFor();
        problems.push(...(await shoot(page, `groups-join-${lng}`)));
        await page.goto(`${url}/join/revoked-or-wrong`);
        await page.locator('.join-button').click();
        await page.locator('.join-error').waitFor();
        problems.push(...(await shoot(page, `groups-join-invalid-${lng}`)));

        // The owner removes the admin while the admin's app has the group open.
        const other = await context.browser()!.newContext({
          viewport: { width: 390, height: 844 },
          deviceScaleFactor: 2,
          locale,
          serviceWorkers: 'block',
        });
        try {
          const adminPage = await other.newPage();
          await signInThroughUi(adminPage, url, base + 1, people.admin);
          await openChat(adminPage, people.group);
          await post(
            url,
            'chats.removeMember',
            { chatId: group, userId: users.admin.userId },
            users.me.token,
          );
          await adminPage.locator('.chat-left-notice').waitFor();
          problems.push(...(await shoot(adminPage, `groups-removed-${lng}`)));
        } finally {
          await other.close();
        }
      } finally {
        await context.close();
      }
      expect(problems).toEqual([]);
    }, 120_000);
  }
});
