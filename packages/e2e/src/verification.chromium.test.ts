// Safety numbers and key images computed in Chromium equal the known answers pinned in
// safety-number.test.ts and key-image.test.ts (the web app computes them in the page).
import { chromiumAvailability, launchBrowser } from '@tokki/dev-env';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { servePage, type PageServer } from './browser-test/harness.js';

const { available, reason } = chromiumAvailability();
if (!available) console.warn(reason);

// libsignal's fingerprint test identities and displayable fingerprint (fingerprint.rs).
const alice = {
  userId: '+14152222222',
  keys: [bytes('0506863bc66d02b40d27b8d49ca7c09e9239236f9d7d25d6fcca5ce13c7064d868')],
};
const bob = {
  userId: '+14153333333',
  keys: [bytes('05f781b6fb32fed9ba1cf2de978d4d5da28dc34046ae814402b5c0dbd96fda907b')],
};
const SIGNAL_DISPLAYABLE = '300354477692869396892869876765458257569162576843440918079131';
// The key image pinned in key-image.test.ts for the same two sides.
const ALICE_BOB_CELLS =
  '331132300302032212211200213222202210030301020103013121300111020112131203' +
  '121113122100203202001022302203300201331203023131221121330121110031223021';

describe.skipIf(!available)('safety number and key image (Chromium)', () => {
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

  it("match Signal's known answer and the pinned image, on both sides", async () => {
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.waitForFunction(() => window.tokkiE2e !== undefined);
    const verify = (sides: { a: typeof alice; b: typeof alice }) =>
      page.evaluate(({ a, b }) => window.tokkiE2e.verification(a, b), sides);
    const mine = await verify({ a: alice, b: bob });
    const theirs = await verify({ a: bob, b: alice });
    expect(mine.safetyNumber).toBe(SIGNAL_DISPLAYABLE);
    expect(mine.keyImage.flat().join('')).toBe(ALICE_BOB_CELLS);
    expect(theirs).toEqual(mine);
    await page.close();
  });
});

function bytes(hex: string): number[] {
  return Array.from(Buffer.from(hex, 'hex'));
}
