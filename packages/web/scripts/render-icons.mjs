/* eslint-disable no-console -- a command-line script reports on stdout */
// Renders the PWA icons from public/favicon.svg with Debian's Chromium (one-off; the PNGs are
// committed): `npm run icons -w @tokki/web`.
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { chromium } from 'playwright-core';

const root = new URL('../public/', import.meta.url);
const svg = await readFile(new URL('favicon.svg', root), 'utf8');
const toDataUrl = (text) => `data:image/svg+xml;base64,${Buffer.from(text).toString('base64')}`;
// Maskable and Apple icons are full-bleed squares (the platform rounds them) with the rabbit
// inside the safe zone.
const fullBleed = svg
  .replace('rx="116"', 'rx="0"')
  .replace('translate(256 276)', 'translate(256 268) scale(0.8)');

const targets = [
  { file: 'icons/icon-192.png', size: 192, maskable: false },
  { file: 'icons/icon-512.png', size: 512, maskable: false },
  { file: 'apple-touch-icon.png', size: 180, maskable: true },
  // Maskable: the mark inside the 80% safe zone on a full-bleed background.
  { file: 'icons/icon-maskable-512.png', size: 512, maskable: true },
];

await mkdir(new URL('icons/', root), { recursive: true });
const browser = await chromium.launch({
  executablePath: process.env.TOKKI_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
try {
  for (const { file, size, maskable } of targets) {
    const page = await browser.newPage({ viewport: { width: size, height: size } });
    const src = toDataUrl(maskable ? fullBleed : svg);
    await page.setContent(
      `<html><body style="margin:0;background:transparent">` +
        `<img src="${src}" width="${size}" height="${size}" style="display:block"></body></html>`,
    );
    // eslint-disable-next-line no-undef -- runs in the page
    await page.waitForFunction(() => document.images[0]?.complete);
    const png = await page.screenshot({ omitBackground: !maskable });
    await writeFile(new URL(file, root), png);
    await page.close();
    console.log(`${file} ${size}×${size}`);
  }
} finally {
  await browser.close();
}
