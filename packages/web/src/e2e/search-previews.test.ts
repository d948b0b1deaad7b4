// Searching messages and link previews in the browser: search finds Korean, Japanese and English
// text by a part of it, never shows a chat the user is not in, and opens the chat at the result;
// a link to a page with Open Graph tags shows a preview card live for the other member, a page
// without any shows none. Plus screenshots of both at phone size in every language.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  launchBrowser,
  post,
  SCREENSHOT_DIR,
  signInTestUser,
  startTestServer,
  testPhone,
  type TestServer,
} from '@tokki/dev-env';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  browserSuitesAvailable,
  imagesLoaded,
  layoutProblems,
  messageRow,
  newPhoneContext,
  openChat,
  sendMessage,
  signInThroughUi,
  startDirectChat,
  watch,
} from './helpers';
import { testPhoto } from './photo';

const browserSuites = browserSuitesAvailable();

const ARTICLE = {
  ko: {
    site: '토끼 블로그',
    title: '서울 봄 소풍 명소 10곳: 여의도부터 서울숲까지',
    description:
      '벚꽃이 피는 4월, 가족·친구와 함께 가기 좋은 서울의 공원과 산책길을 골랐어요. 돗자리와 도시락만 챙기면 준비 끝!',
  },
  en: {
    site: 'Tokki Blog',
    title: 'Ten spring picnic spots in Seoul, from Yeouido to Seoul Forest',
    description:
      'Cherry blossoms bloom in April: we picked the parks and walks that are best with family and friends. Bring a mat and a lunch box and you are ready!',
  },
  ja: {
    site: 'トッキブログ',
    title: 'ソウルの春ピクニックスポット10選：汝矣島からソウルの森まで',
    description:
      '桜が咲く4月、家族や友だちと行きたいソウルの公園と散歩道を選びました。レジャーシートとお弁当があれば準備完了！',
  },
} as const;

type Language = keyof typeof ARTICLE;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A local website: pages with Open Graph tags (one per language), one without, an image. */
async function startSite(): Promise<{
  url: string;
  requests: string[];
  close: () => Promise<void>;
}> {
  const requests: string[] = [];
  const image = testPhoto(200, 600);
  let origin = '';
  const server: Server = createServer((request, response) => {
    const path = request.url ?? '/';
    requests.push(path);
    const article = /^\/article\/(ko|en|ja)$/.exec(path);
    if (article) {
      const page = ARTICLE[article[1] as Language];
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(`<!doctype html><html><head>
<meta property="og:site_name" content="${escapeHtml(page.site)}">
<meta property="og:title" content="${escapeHtml(page.title)}">
<meta property="og:description" content="${escapeHtml(page.description)}">
<meta property="og:image" content="${origin}/picnic.png">
<title>${escapeHtml(page.title)}</title></head><body><p>…</p></body></html>`);
    } else if (path === '/plain') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end('<!doctype html><html><head></head><body><p>Nothing to see.</p></body></html>');
    } else if (path === '/picnic.png') {
      response.writeHead(200, { 'content-type': 'image/png' });
      response.end(image);
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: origin,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The texts of the search results on screen, newest first. */
async function resultTexts(page: Page): Promise<string[]> {
  return page.locator('.search-result .search-result-text').allInnerTexts();
}

/** Types a query and waits until the results (or the empty state) are for it. */
async function search(page: Page, query: string): Promise<void> {
  const input = page.locator('.search-input');
  await input.fill(query);
  await page
    .locator('.search-results, .search-screen .empty-title')
    .first()
    .waitFor({ state: 'visible' });
  // The debounce: results for an earlier query may still be on screen for a moment.
  await page.waitForFunction((q) => {
    const marks = [...document.querySelectorAll('.search-result mark')];
    const empty = document.querySelector('.search-screen .empty-title');
    return (
      empty !== null ||
      (marks.length > 0 && marks.every((m) => m.textContent!.toLowerCase() === q.toLowerCase()))
    );
  }, query);
}

describe.skipIf(!browserSuites)('web app: search and link previews', () => {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  let site: Awaited<ReturnType<typeof startSite>> | undefined;
  beforeAll(async () => {
    site = await startSite();
    [server, browser] = await Promise.all([
      startTestServer({ web: true, config: { linkPreviews: { allowHosts: ['127.0.0.1'] } } }),
      launchBrowser(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await site?.close();
  });

  it('finds Korean, Japanese and English by a part, only in my chats, and opens the chat there', async () => {
    const url = server!.url;
    const alice = await signInTestUser(url, 71001, { displayName: 'Alice' });
    const bob = await signInTestUser(url, 71002, { displayName: 'Bob' });
    const carol = await signInTestUser(url, 71003, { displayName: 'Carol' });
    const direct = (await post(url, 'chats.createDirect', { userId: bob.userId }, alice.token)) as {
      id: string;
    };
    const secret = (await post(url, 'chats.createDirect', { userId: carol.userId }, bob.token)) as {
      id: string;
    };
    let n = 0;
    const say = (chatId: string, token: string, text: string) =>
      post(url, 'messages.send', { chatId, clientMsgId: `s-${n++}`, text }, token);
    await say(direct.id, bob.token, '안녕하세요, 앨리스 씨!');
    await say(direct.id, alice.token, 'こんにちは、元気ですか？');
    await say(direct.id, bob.token, 'The Quick brown fox jumps over the lazy dog');
    // Enough after them that the first message is far above the newest.
    for (let i = 1; i <= 35; i++) await say(direct.id, bob.token, `filler line ${i}`);
    await say(direct.id, bob.token, '<b>안녕</b> <img src=x onerror=alert(1)>');
    await say(secret.id, carol.token, '안녕 밥, 비밀 이야기야');

    const context = await newPhoneContext(browser!);
    context.setDefaultTimeout(10_000);
    try {
      const page = await context.newPage();
      const seen = watch(page);
      await signInThroughUi(page, url, 71001, 'Alice');
      await page.locator('.chat-list-screen .action-search').click();
      await expect
        .poll(() => page.locator('.search-input').evaluate((el) => el === document.activeElement))
        .toBe(true);
      await expect(page.locator('.search-screen .empty-text').innerText()).resolves.toContain(
        'Find messages',
      );

      // Korean by its first two syllables; never Carol's chat with Bob; markup shown as text.
      await search(page, '안녕');
      expect(await resultTexts(page)).toEqual([
        '<b>안녕</b> <img src=x onerror=alert(1)>',
        '안녕하세요, 앨리스 씨!',
      ]);
      expect(await page.locator('.search-result mark').allInnerTexts()).toEqual(['안녕', '안녕']);
      expect(await page.locator('.search-result img').count()).toBe(0);
      expect(await page.locator('.search-result .search-result-chat').first().innerText()).toBe(
        'Bob',
      );
      expect(await page.locator('.search-result .search-result-sender').allInnerTexts()).toEqual([
        'Bob',
        'Bob',
      ]);

      await search(page, 'こんにち');
      expect(await resultTexts(page)).toEqual(['こんにちは、元気ですか？']);
      expect(await page.locator('.search-result .search-result-sender').innerText()).toBe('You');

      // English by a word, in another case.
      await search(page, 'quick');
      expect(await resultTexts(page)).toEqual(['The Quick brown fox jumps over the lazy dog']);
      expect(await page.locator('.search-result mark').innerText()).toBe('Quick');

      await search(page, '비밀');
      expect(await page.locator('.search-screen .empty-title').innerText()).toBe(
        'No messages found',
      );

      // Pages: 30 first, the rest on "Show more".
      await search(page, 'FILLER');
      await expect.poll(() => page.locator('.search-result').count()).toBe(30);
      expect((await resultTexts(page))[0]).toBe('filler line 35');
      await page.locator('.search-more-button').click();
      await expect.poll(() => page.locator('.search-result').count()).toBe(35);
      expect((await resultTexts(page)).at(-1)).toBe('filler line 1');
      expect(await page.locator('.search-more-button').count()).toBe(0);

      // Opening a result opens the chat at that message, far above the newest.
      await search(page, '안녕하세요');
      await page.locator('.search-result').first().click();
      await page.locator('.chat-room .composer-input').waitFor();
      const first = page.locator('.message-row[data-seq="1"]');
      await first.waitFor();
      await expect.poll(() => first.evaluate((el) => el.classList.contains('focused'))).toBe(true);
      await expect.poll(() => first.locator('.bubble').isVisible()).toBe(true);
      const box = (await first.locator('.bubble').boundingBox())!;
      expect(box.y).toBeGreaterThan(0);
      expect(box.y + box.height).toBeLessThan(740);

      // Back returns to the results as they were.
      await page.goBack();
      await page.locator('.search-result').first().waitFor();
      expect(await page.locator('.search-input').inputValue()).toBe('안녕하세요');

      // Search in one chat, from its top bar.
      await page.goBack();
      await page.locator('.chat-list-screen').waitFor();
      await openChat(page, 'Bob');
      await page.locator('.chat-room .action-search').click();
      await page.locator('.search-screen .top-bar-title', { hasText: 'Search in Bob' }).waitFor();
      await search(page, 'fox');
      expect(await resultTexts(page)).toEqual(['The Quick brown fox jumps over the lazy dog']);
      expect(await page.locator('.search-result .search-result-chat').innerText()).toBe('Bob');

      expect(seen.errors).toEqual([]);
      expect(seen.dialogs).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('shows a link preview card live to the other member, and none for a page without metadata', async () => {
    const url = server!.url;
    await signInTestUser(url, 72001, { displayName: 'Minji' });
    await signInTestUser(url, 72002, { displayName: 'Seojun' });
    const alice = await newPhoneContext(browser!);
    const bobContext = await newPhoneContext(browser!, { colorScheme: 'dark' });
    alice.setDefaultTimeout(10_000);
    bobContext.setDefaultTimeout(10_000);
    try {
      const a = await alice.newPage();
      const b = await bobContext.newPage();
      const aSeen = watch(a);
      const bSeen = watch(b);
      await Promise.all([
        signInThroughUi(a, url, 72001, 'Minji'),
        signInThroughUi(b, url, 72002, 'Seojun'),
      ]);
      await startDirectChat(a, testPhone(72002).phone);
      await sendMessage(a, 'hi');
      await b.locator('.chat-row', { hasText: 'Minji' }).waitFor();
      await openChat(b, 'Minji');

      const article = `${site!.url}/article/en`;
      await sendMessage(a, `Look at this: ${article} 🌸`);
      const row = messageRow(b, 'Look at this');
      const card = row.locator('a.link-card');
      await card.waitFor();
      expect(await card.locator('.link-card-site').innerText()).toBe(ARTICLE.en.site);
      expect(await card.locator('.link-card-title').innerText()).toBe(ARTICLE.en.title);
      expect(await card.locator('.link-card-description').innerText()).toContain('Cherry blossoms');
      expect(await card.getAttribute('href')).toBe(article);
      expect(await card.getAttribute('target')).toBe('_blank');
      expect(await card.getAttribute('rel')).toBe('noopener noreferrer');
      const image = card.locator('img.link-card-image');
      expect(await image.getAttribute('referrerpolicy')).toBe('no-referrer');
      expect(await image.getAttribute('loading')).toBe('lazy');
      // Served by Tokki (the server fetched it), never from the site.
      expect(await image.getAttribute('src')).toMatch(/^\/v1\/link-images\/l_\w+\?t=/);
      await expect
        .poll(() => image.evaluate((el) => (el as HTMLImageElement).naturalWidth))
        .toBe(600);
      // The sender sees it too; the server fetched the page and its image once for both.
      await messageRow(a, 'Look at this').locator('a.link-card img.link-card-image').waitFor();
      expect(site!.requests.filter((path) => path === '/article/en')).toHaveLength(1);
      expect(site!.requests.filter((path) => path === '/picnic.png')).toHaveLength(1);

      // A page without a title or description: no card, and no error shown.
      const plain = `${site!.url}/plain`;
      await sendMessage(a, `and this one ${plain}`);
      const plainRow = messageRow(b, 'and this one');
      await plainRow.waitFor();
      await expect.poll(() => site!.requests.includes('/plain')).toBe(true);
      // Past the server's answer (the page is local and fast) and a render.
      await b.waitForTimeout(1000);
      expect(await plainRow.locator('.link-card').count()).toBe(0);
      expect(await messageRow(a, 'and this one').locator('.link-card').count()).toBe(0);

      // A link the server never previews (a local name): no card either.
      await sendMessage(a, 'local http://localhost:1/x');
      await messageRow(b, 'local http').waitFor();
      await b.waitForTimeout(500);
      expect(await messageRow(b, 'local http').locator('.link-card').count()).toBe(0);

      expect(aSeen.errors).toEqual([]);
      expect(bSeen.errors).toEqual([]);
    } finally {
      await alice.close();
      await bobContext.close();
    }
  });

  const LANGUAGES: { lng: Language; locale: string; base: number; query: string }[] = [
    { lng: 'ko', locale: 'ko-KR', base: 73001, query: '소풍' },
    { lng: 'en', locale: 'en-US', base: 74001, query: 'picnic' },
    { lng: 'ja', locale: 'ja-JP', base: 75001, query: 'ピクニック' },
  ];
  const LINES: Record<Language, { me: string; friend: string; lines: [string, string][] }> = {
    ko: {
      me: '김민지',
      friend: '이서준',
      lines: [
        ['friend', '이번 주말에 소풍 갈래?'],
        ['me', '좋아! 어디로 갈까?'],
        ['friend', '여기 봐봐, 소풍 명소 정리한 글이야: ARTICLE'],
        ['me', '여의도 좋다. 소풍 도시락은 내가 쌀게 🍱'],
      ],
    },
    en: {
      me: 'Minji Kim',
      friend: 'Alexander Montgomery-Whitfield',
      lines: [
        ['friend', 'Fancy a picnic this weekend?'],
        ['me', 'Yes! Where should we go?'],
        ['friend', 'Look, a list of picnic spots: ARTICLE'],
        ['me', 'Yeouido sounds great. I will bring the picnic lunch 🍱'],
      ],
    },
    ja: {
      me: '佐藤美咲',
      friend: '高橋健太郎',
      lines: [
        ['friend', '今週末ピクニックに行かない？'],
        ['me', 'いいね！どこに行く？'],
        ['friend', 'ここ見て、ピクニックスポットのまとめ: ARTICLE'],
        ['me', '汝矣島いいね。ピクニックのお弁当は私が作るね 🍱'],
      ],
    },
  };

  for (const { lng, locale, base, query } of LANGUAGES) {
    it(`${lng}: screenshots of search results and a preview card, light and dark`, async () => {
      const url = server!.url;
      const data = LINES[lng];
      const me = await signInTestUser(url, base, { displayName: data.me });
      const friend = await signInTestUser(url, base + 1, { displayName: data.friend });
      const users = { me, friend };
      const chat = (await post(url, 'chats.createDirect', { userId: friend.userId }, me.token)) as {
        id: string;
      };
      let n = 0;
      for (const [who, text] of data.lines) {
        await post(
          url,
          'messages.send',
          {
            chatId: chat.id,
            clientMsgId: `shot-${n++}`,
            text: text.replace('ARTICLE', `${site!.url}/article/${lng}`),
          },
          users[who as 'me' | 'friend'].token,
        );
      }
      const problems: string[] = [];
      const shoot = async (page: Page, name: string) => {
        await page.evaluate(() => document.fonts.ready);
        await imagesLoaded(page);
        await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`) });
        problems.push(...(await layoutProblems(page)).map((problem) => `${name}: ${problem}`));
      };
      const context = await newPhoneContext(browser!, { locale });
      context.setDefaultTimeout(10_000);
      try {
        const page = await context.newPage();
        await signInThroughUi(page, url, base, data.me);
        for (const colorScheme of ['light', 'dark'] as const) {
          await page.emulateMedia({ colorScheme });
          await page.locator('.chat-list-screen .action-search').click();
          await search(page, query);
          await page.locator('.search-input').blur();
          await shoot(page, `search-${lng}-${colorScheme}`);

          await page.locator('.search-result').nth(1).click();
          await page.locator('.link-card img').waitFor();
          await page.locator('.message-row.focused').waitFor({ state: 'detached' });
          await page.mouse.move(0, 0);
          await shoot(page, `link-preview-${lng}-${colorScheme}`);
          await page.goBack();
          await page.goBack();
          await page.locator('.chat-list-screen').waitFor();
        }
      } finally {
        await context.close();
      }
      expect(problems).toEqual([]);
    });
  }
});
