import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium; Playwright's own browser downloads are not available here. */
export const CHROMIUM = process.env.TOKKI_CHROMIUM ?? '/usr/bin/chromium';

/** Where browser tests write screenshots: artifacts, never committed. */
export const SCREENSHOT_DIR = fileURLToPath(
  new URL('../../../test-results/screenshots/', import.meta.url),
);

/** The built web app that test servers serve (`npm run build` makes it). */
export const WEB_DIST = fileURLToPath(new URL('../../web/dist/', import.meta.url));

/**
 * Whether browser suites run. Under CI a missing Chromium or web build is an error, never a
 * skip; elsewhere the suite is skipped with one line saying how to enable it.
 */
export function browserAvailability(): { available: boolean; reason?: string } {
  return availability(
    !existsSync(`${WEB_DIST}index.html`) ? 'the web app is not built (npm run build)' : undefined,
  );
}

/** The same rule for suites that need Chromium but not the web app (they serve their own page). */
export function chromiumAvailability(): { available: boolean; reason?: string } {
  return availability(undefined);
}

function availability(otherwiseMissing: string | undefined): {
  available: boolean;
  reason?: string;
} {
  const missing = !existsSync(CHROMIUM)
    ? `no Chromium at ${CHROMIUM} (apt-get install chromium fonts-noto-cjk, or set TOKKI_CHROMIUM)`
    : otherwiseMissing;
  if (!missing) return { available: true };
  if (process.env.CI === 'true') throw new Error(`Browser tests need ${missing}.`);
  return { available: false, reason: `Browser suites skipped: ${missing}.` };
}

/** Headless Chromium with the flags this sandboxed, offline machine needs. */
export async function launchBrowser(): Promise<Browser> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}
