// Acceptance 1 (Chromium): the same vector checks as vectors.test.ts, bundled into a page and
// run by the browser's own WebCrypto; the page reports each file's counts back here.
import { readFile } from 'node:fs/promises';
import { chromiumAvailability, launchBrowser } from '@tokki/dev-env';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { servePage, type PageServer } from '../browser-test/harness.js';
import { EXPECTED_ENTRIES, VECTOR_DIR } from './expected.js';
import type { VectorFileResult } from './index.js';

const { available, reason } = chromiumAvailability();
if (!available) console.warn(reason);

describe.skipIf(!available)('MLS test vectors (Chromium)', () => {
  let server: PageServer;
  let browser: Browser;
  beforeAll(async () => {
    server = await servePage();
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('passes every entry of every file in the page', { timeout: 300_000 }, async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    await page.goto(server.url);
    await page.waitForFunction(() => window.tokkiE2e !== undefined);
    const results: VectorFileResult[] = await page.evaluate(() => window.tokkiE2e.runVectors());
    const counts = Object.fromEntries(results.map((r) => [r.file, r.passed]));
    expect(
      results.flatMap((r) => r.failures.map((f) => `${r.file}[${f.index}]: ${f.error}`)),
    ).toEqual([]);
    expect(counts).toEqual(EXPECTED_ENTRIES);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('reports a changed entry as a failure', { timeout: 120_000 }, async () => {
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.waitForFunction(() => window.tokkiE2e !== undefined);
    const entries = JSON.parse(
      await readFile(new URL('key-schedule.json', VECTOR_DIR), 'utf8'),
    ) as { epochs: { epoch_authenticator: string }[] }[];
    const epoch = entries[0]?.epochs[1];
    if (epoch === undefined) throw new Error('key-schedule.json has no second epoch');
    epoch.epoch_authenticator = epoch.epoch_authenticator.replace(/^./, (c) =>
      c === '0' ? '1' : '0',
    );
    const result = await page.evaluate(
      (changed) => window.tokkiE2e.runVectorEntries('key-schedule', changed),
      entries,
    );
    expect(result.passed).toBe(0);
    expect(result.failures).toEqual([
      { index: 0, error: expect.stringContaining('epoch 1 epoch_authenticator') },
    ]);
    await page.close();
  });
});
