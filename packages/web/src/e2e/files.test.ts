// Photos and files in two browsers: Alice attaches two photos and a document with a caption; each
// uploads through tus with a progress bar, then one message carries them. Bob sees the album (the
// thumbnails loaded) and the file card live, opens the photos full screen and downloads the
// document byte for byte. A file over the limit is refused before a byte is sent. Screenshots of
// the album, the file card and the viewer in every language, light and dark.
import { randomBytes } from 'node:crypto';
import { open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SCREENSHOT_DIR, testPhone } from '@tokki/dev-env';
import { LIMITS } from '@tokki/protocol';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { en } from '../i18n/locales/en';
import { ja } from '../i18n/locales/ja';
import { ko } from '../i18n/locales/ko';
import {
  browserSuitesAvailable,
  imagesLoaded,
  layoutProblems,
  newPhoneContext,
  openChat,
  signInThroughUi,
  startDirectChat,
  useServerAndBrowser,
  watch,
} from './helpers';

const browserSuites = browserSuitesAvailable();

/** A JPEG drawn by the browser's own encoder: a gradient with a circle, `width`×`height`. */
async function jpeg(page: Page, hue: number, width: number, height: number): Promise<Buffer> {
  const bytes = await page.evaluate(
    async ({ hue, width, height }) => {
      const canvas = new OffscreenCanvas(width, height);
      const context = canvas.getContext('2d')!;
      const gradient = context.createLinearGradient(0, 0, width, height);
      gradient.addColorStop(0, `hsl(${hue} 70% 75%)`);
      gradient.addColorStop(1, `hsl(${hue + 60} 60% 45%)`);
      context.fillStyle = gradient;
      context.fillRect(0, 0, width, height);
      context.fillStyle = `hsl(${hue + 180} 60% 40%)`;
      context.beginPath();
      context.arc(width / 2, height / 2, Math.min(width, height) / 4, 0, Math.PI * 2);
      context.fill();
      const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.9 });
      return [...new Uint8Array(await blob.arrayBuffer())];
    },
    { hue, width, height },
  );
  return Buffer.from(bytes);
}

/** Something that is not a picture: a PDF header and random bytes, which must arrive unchanged. */
function documentBytes(): Buffer {
  return Buffer.concat([Buffer.from('%PDF-1.4\n%âãÏÓ\n'), randomBytes(20_000)]);
}

/** Picks files with the composer's attach button (through the hidden file input). */
async function attachFiles(
  page: Page,
  files: { name: string; mimeType: string; buffer: Buffer }[] | string,
): Promise<void> {
  const chooser = page.waitForEvent('filechooser');
  await page.locator('.attach-button').click();
  await (await chooser).setFiles(files);
}

/** The row of the newest message with files. */
function filesRow(page: Page) {
  return page
    .locator('.message-row:not([data-pending])', { has: page.locator('.message-files') })
    .last();
}

async function thumbnailsLoaded(page: Page, count: number): Promise<void> {
  await page.waitForFunction((count) => {
    const images = [...document.querySelectorAll<HTMLImageElement>('.album-image')];
    return images.length >= count && images.every((i) => i.complete && i.naturalWidth > 0);
  }, count);
}

describe.skipIf(!browserSuites)('web app: photos and files', () => {
  const suite = useServerAndBrowser();

  it('sends an album and a file with a caption; the other member sees, opens and downloads them', async () => {
    const alice = await newPhoneContext(suite.browser);
    const bob = await newPhoneContext(suite.browser);
    alice.setDefaultTimeout(15_000);
    bob.setDefaultTimeout(15_000);
    const huge = join(tmpdir(), `tokki-huge-${process.pid}.bin`);
    try {
      const a = await alice.newPage();
      const b = await bob.newPage();
      const aSeen = watch(a);
      const bSeen = watch(b);
      await Promise.all([
        signInThroughUi(a, suite.server.url, 13001, 'Alice'),
        signInThroughUi(b, suite.server.url, 13002, 'Bob'),
      ]);
      await startDirectChat(a, testPhone(13002).phone);
      await a.locator('.composer-input').fill('Hello');
      await a.locator('.composer-input').press('Enter');
      await openChat(b, 'Alice');

      const photos = [await jpeg(a, 20, 640, 480), await jpeg(a, 200, 480, 640)];
      const pdf = documentBytes();
      await a.locator('.composer-input').fill('Picnic photos and the plan');
      await attachFiles(a, [
        { name: 'picnic-1.jpg', mimeType: 'image/jpeg', buffer: photos[0]! },
        { name: 'picnic-2.jpg', mimeType: 'image/jpeg', buffer: photos[1]! },
        { name: 'plan.pdf', mimeType: 'application/pdf', buffer: pdf },
      ]);
      // The caption went with the files: the composer is empty again.
      expect(await a.locator('.composer-input').inputValue()).toBe('');

      // Bob: one message, live, with the two photos as an album and the document as a card.
      const row = filesRow(b);
      await row.waitFor();
      expect(await row.locator('.album-item').count()).toBe(2);
      await thumbnailsLoaded(b, 2);
      expect(await row.locator('.message-text').textContent()).toBe('Picnic photos and the plan');
      const card = row.locator('.file-card');
      expect(await card.locator('.file-card-name').textContent()).toBe('plan.pdf');
      expect(await card.locator('.file-card-size').textContent()).toBe('19.5 KB');
      // Sized from the photos' proportions: two square cells side by side.
      const box = (await row.locator('.album-item').first().boundingBox())!;
      expect(Math.abs(box.width - box.height)).toBeLessThan(2);

      // Alice sees her own message sent (not pending), and the chat list names it by its caption.
      await filesRow(a).waitFor();
      await thumbnailsLoaded(a, 2);

      // The viewer: the full image, next and previous, Escape closes.
      await row.locator('.album-item').first().click();
      const viewer = b.locator('.image-viewer');
      await viewer.waitFor();
      await b.waitForFunction(() => {
        const image = document.querySelector<HTMLImageElement>('.image-viewer-image');
        return image?.complete && image.naturalWidth === 640 && image.naturalHeight === 480;
      });
      expect(await viewer.locator('.image-viewer-count').textContent()).toBe('1 of 2');
      expect(await viewer.locator('.image-viewer-previous').count()).toBe(0);
      await viewer.locator('.image-viewer-next').click();
      await b.waitForFunction(() => {
        const image = document.querySelector<HTMLImageElement>('.image-viewer-image');
        return image?.complete && image.naturalWidth === 480 && image.naturalHeight === 640;
      });
      expect(await viewer.locator('.image-viewer-count').textContent()).toBe('2 of 2');
      await b.keyboard.press('ArrowLeft');
      expect(await viewer.locator('.image-viewer-count').textContent()).toBe('1 of 2');
      await b.keyboard.press('Escape');
      await viewer.waitFor({ state: 'detached' });
      await row.locator('.album-item').nth(1).click();
      await viewer.locator('.image-viewer-close').click();
      await viewer.waitFor({ state: 'detached' });

      // The document downloads with its name, byte for byte.
      const downloading = b.waitForEvent('download');
      await card.click();
      const download = await downloading;
      expect(download.suggestedFilename()).toBe('plan.pdf');
      expect((await readFile(await download.path())).equals(pdf)).toBe(true);

      // Photos alone: the chat list says so.
      await attachFiles(a, [{ name: 'one.jpg', mimeType: 'image/jpeg', buffer: photos[0]! }]);
      await b.locator('.message-row:not([data-pending]) .album.single').waitFor();
      await b.getByRole('button', { name: en.common.back }).click();
      await b.locator('.chat-row-preview', { hasText: en.files.photo }).waitFor();

      // Over 300 MiB: refused at once, nothing uploaded (a sparse file: no disk used).
      const handle = await open(huge, 'w');
      await handle.truncate(LIMITS.FILE_MAX_BYTES + 1);
      await handle.close();
      const uploads: string[] = [];
      a.on('request', (request) => {
        if (request.url().includes('/v1/uploads')) uploads.push(request.method());
      });
      await attachFiles(a, huge);
      const error = a.locator('.composer-error');
      await error.waitFor();
      expect(await error.textContent()).toBe(
        en.files.fileTooLarge
          .replace('{{name}}', `tokki-huge-${process.pid}.bin`)
          .replace('{{max}}', '300 MB'),
      );
      expect(await a.locator('.upload-row').count()).toBe(0);
      expect(uploads).toEqual([]);

      expect(aSeen.errors).toEqual([]);
      expect(bSeen.errors).toEqual([]);
      expect([...aSeen.dialogs, ...bSeen.dialogs]).toEqual([]);
    } finally {
      await rm(huge, { force: true });
      await alice.close();
      await bob.close();
    }
  });

  it('shows a failed upload translated, with retry and cancel', async () => {
    const context = await newPhoneContext(suite.browser);
    const friend = await newPhoneContext(suite.browser);
    context.setDefaultTimeout(15_000);
    try {
      const page = await context.newPage();
      const other = await friend.newPage();
      await signInThroughUi(other, suite.server.url, 13004, 'Dana');
      await signInThroughUi(page, suite.server.url, 13003, 'Carol');
      await startDirectChat(page, testPhone(13004).phone);
      // A "photo" that is not one: the server refuses it on the last PATCH.
      const broken = Buffer.concat([(await jpeg(page, 90, 300, 200)).subarray(0, 600)]);
      await attachFiles(page, [{ name: 'broken.jpg', mimeType: 'image/jpeg', buffer: broken }]);
      const upload = page.locator('.upload-row[data-upload="failed"]');
      await upload.waitFor();
      expect(await upload.locator('.upload-error').textContent()).toContain(en.files.invalid);
      await page.mouse.move(0, 0);
      expect(await shoot(page, 'files-upload-failed-en-light')).toEqual([]);
      await upload.locator('.upload-retry').click();
      await upload.waitFor();
      await upload.locator('.upload-cancel').click();
      await page.locator('.upload-row').waitFor({ state: 'detached' });
      expect(await page.locator('.message-files').count()).toBe(0);
    } finally {
      await context.close();
      await friend.close();
    }
  });

  const LANGUAGES = [
    { lng: 'ko', locale: 'ko-KR', base: 13101, messages: ko, caption: '소풍 사진이랑 일정표야 🧺' },
    {
      lng: 'en',
      locale: 'en-US',
      base: 13111,
      messages: en,
      caption: 'Picnic photos and the plan 🧺',
    },
    {
      lng: 'ja',
      locale: 'ja-JP',
      base: 13121,
      messages: ja,
      caption: 'ピクニックの写真と予定表だよ 🧺',
    },
  ] as const;

  for (const { lng, locale, base, caption } of LANGUAGES) {
    it(`${lng}: screenshots of an album, a file card and the viewer, light and dark`, async () => {
      const alice = await newPhoneContext(suite.browser, { locale });
      const bob = await newPhoneContext(suite.browser, { locale });
      alice.setDefaultTimeout(15_000);
      bob.setDefaultTimeout(15_000);
      const problems: string[] = [];
      try {
        const a = await alice.newPage();
        const b = await bob.newPage();
        const names = { ko: ['지민', '서준'], en: ['Mina', 'Sam'], ja: ['さくら', 'ゆうと'] }[
          lng
        ] as [string, string];
        await Promise.all([
          signInThroughUi(a, suite.server.url, base, names[0]),
          signInThroughUi(b, suite.server.url, base + 1, names[1]),
        ]);
        await startDirectChat(a, testPhone(base + 1).phone);
        await a.locator('.composer-input').fill(caption);
        await attachFiles(a, [
          { name: 'IMG_2031.jpg', mimeType: 'image/jpeg', buffer: await jpeg(a, 30, 800, 600) },
          { name: 'IMG_2032.jpg', mimeType: 'image/jpeg', buffer: await jpeg(a, 150, 600, 800) },
          { name: 'IMG_2033.jpg', mimeType: 'image/jpeg', buffer: await jpeg(a, 260, 800, 800) },
        ]);
        await attachFiles(a, [
          { name: 'picnic-plan.pdf', mimeType: 'application/pdf', buffer: documentBytes() },
        ]);
        await attachFiles(a, [
          { name: 'sunset.jpg', mimeType: 'image/jpeg', buffer: await jpeg(a, 10, 900, 600) },
        ]);
        await openChat(b, names[0]);
        await b.locator('.message-row:not([data-pending]) .album.single').waitFor();
        await thumbnailsLoaded(b, 4);
        await b.locator('.file-card:not(.loading)').waitFor();
        for (const colorScheme of ['light', 'dark'] as const) {
          await b.emulateMedia({ colorScheme });
          await b.mouse.move(0, 0);
          problems.push(...(await shoot(b, `files-chat-${lng}-${colorScheme}`)));
          await b.locator('.album-3 .album-item').nth(1).click();
          await b.waitForFunction(() => {
            const image = document.querySelector<HTMLImageElement>('.image-viewer-image');
            return image?.complete && image.naturalWidth > 0;
          });
          problems.push(...(await shoot(b, `files-viewer-${lng}-${colorScheme}`)));
          await b.keyboard.press('Escape');
          await b.locator('.image-viewer').waitFor({ state: 'detached' });
        }
        await a.locator('.message-row:not([data-pending]) .album.single').waitFor();
        await thumbnailsLoaded(a, 4);
        await a.mouse.move(0, 0);
        problems.push(...(await shoot(a, `files-mine-${lng}-light`)));
      } finally {
        await alice.close();
        await bob.close();
      }
      expect(problems).toEqual([]);
    });
  }
});

async function shoot(page: Page, name: string): Promise<string[]> {
  await page.evaluate(() => document.fonts.ready);
  await imagesLoaded(page);
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`) });
  return (await layoutProblems(page)).map((problem) => `${name}: ${problem}`);
}
