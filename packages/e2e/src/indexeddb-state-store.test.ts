// Issue item 7 (browser): the IndexedDB state store in Chromium, through a served page.
import { chromiumAvailability, launchBrowser } from '@tokki/dev-env';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { servePage, type PageServer } from './browser-test/harness.js';

const { available, reason } = chromiumAvailability();
if (!available) console.warn(reason);

const MARKER = 'secret-marker-7f3a';
const plaintext = Array.from(new TextEncoder().encode(`group state: ${MARKER}`));

describe.skipIf(!available)('indexedDbStateStore (Chromium)', () => {
  let server: PageServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    server = await servePage();
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  beforeEach(async () => {
    // A fresh profile per test: its own IndexedDB.
    context = await browser.newContext();
    page = await context.newPage();
    await open(page);
  });
  afterEach(async () => {
    await context.close();
  });

  async function open(p: Page): Promise<void> {
    await p.goto(server.url);
    await p.waitForFunction(() => window.tokkiE2e !== undefined);
  }

  it('saves, survives a reload, and loads back; the key cannot be read', async () => {
    expect(await page.evaluate(() => window.tokkiE2e.load('device'))).toBeNull();
    await page.evaluate((bytes) => window.tokkiE2e.save('device', bytes), plaintext);
    await page.reload();
    await page.waitForFunction(() => window.tokkiE2e !== undefined);
    expect(await page.evaluate(() => window.tokkiE2e.load('device'))).toEqual(plaintext);

    const facts = await page.evaluate(() => window.tokkiE2e.keyFacts('device'));
    expect(facts).toEqual({
      isCryptoKey: true,
      extractable: false,
      algorithm: 'AES-GCM',
      exportRefused: 'InvalidAccessError',
    });

    // What IndexedDB holds is the envelope: magic, IV, ciphertext and tag, never the plaintext.
    const record = (await page.evaluate(() => window.tokkiE2e.record('device'))) as number[];
    expect(record.length).toBe(4 + 12 + plaintext.length + 16);
    expect(String.fromCharCode(...record.slice(0, 4))).toBe('TKS1');
    expect(Buffer.from(record).includes(Buffer.from(MARKER))).toBe(false);

    // Saving again replaces it, under a fresh IV.
    const next = [1, 2, 3];
    await page.evaluate((bytes) => window.tokkiE2e.save('device', bytes), next);
    expect(await page.evaluate(() => window.tokkiE2e.load('device'))).toEqual(next);
  });

  it('keeps names apart and clear deletes the blob and its key', async () => {
    await page.evaluate((bytes) => window.tokkiE2e.save('a', bytes), plaintext);
    await page.evaluate(() => window.tokkiE2e.save('b', [9]));
    expect(await page.evaluate(() => window.tokkiE2e.load('a'))).toEqual(plaintext);
    expect(await page.evaluate(() => window.tokkiE2e.load('b'))).toEqual([9]);
    expect(await page.evaluate(() => window.tokkiE2e.count('keys'))).toBe(2);

    await page.evaluate(() => window.tokkiE2e.clear('a'));
    expect(await page.evaluate(() => window.tokkiE2e.load('a'))).toBeNull();
    expect(await page.evaluate(() => window.tokkiE2e.keyFacts('a'))).toBeNull();
    expect(await page.evaluate(() => window.tokkiE2e.count('blobs'))).toBe(1);
    expect(await page.evaluate(() => window.tokkiE2e.load('b'))).toEqual([9]);
  });

  it('refuses damaged records and foreign keys with a typed error, changing nothing', async () => {
    await page.evaluate((bytes) => window.tokkiE2e.save('state', bytes), plaintext);
    const saved = (await page.evaluate(() => window.tokkiE2e.record('state'))) as number[];
    const loadError = () => page.evaluate(() => window.tokkiE2e.load('state'));

    for (const index of [4, 20, saved.length - 1]) {
      const changed = [...saved];
      changed[index] = (changed[index] as number) ^ 1;
      await page.evaluate((r) => window.tokkiE2e.putRecord('blobs', 'state', r), changed);
      expect(await loadError()).toEqual({ error: 'TAMPERED' });
      expect(await page.evaluate(() => window.tokkiE2e.record('state'))).toEqual(changed);
    }
    await page.evaluate((r) => window.tokkiE2e.putRecord('blobs', 'state', r), saved.slice(0, 20));
    expect(await loadError()).toEqual({ error: 'MALFORMED' });
    await page.evaluate(() => window.tokkiE2e.putRecord('blobs', 'state', 'not bytes'));
    expect(await loadError()).toEqual({ error: 'MALFORMED' });

    // Back to the good record: it opens; under another key, or with no key, it does not.
    await page.evaluate((r) => window.tokkiE2e.putRecord('blobs', 'state', r), saved);
    expect(await loadError()).toEqual(plaintext);
    await page.evaluate(() => window.tokkiE2e.save('other', [7]));
    const other = (await page.evaluate(() => window.tokkiE2e.record('other'))) as number[];
    await page.evaluate((r) => window.tokkiE2e.putRecord('blobs', 'state', r), other);
    expect(await loadError()).toEqual({ error: 'TAMPERED' });
    await page.evaluate((r) => window.tokkiE2e.putRecord('blobs', 'state', r), saved);
    await page.evaluate(() => window.tokkiE2e.putFreshKey('state'));
    expect(await loadError()).toEqual({ error: 'TAMPERED' });
    await page.evaluate(() => window.tokkiE2e.putRecord('keys', 'state', [1, 2, 3]));
    expect(await loadError()).toEqual({ error: 'MALFORMED' });
    await page.evaluate(() => window.tokkiE2e.deleteRecord('keys', 'state'));
    expect(await loadError()).toEqual({ error: 'TAMPERED' });
    expect(await page.evaluate(() => window.tokkiE2e.record('state'))).toEqual(saved);
  });

  it('refuses a bad name', async () => {
    const error = await page.evaluate(() => window.tokkiE2e.load('../x'));
    expect(error).toEqual({ error: 'INVALID_REQUEST' });
  });
});
