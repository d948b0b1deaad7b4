// Shared by the browser suites: signing in through the real UI, and reading what a person sees.
import {
  browserAvailability,
  launchBrowser,
  startTestServer,
  testPhone,
  type TestServer,
} from '@tokki/dev-env';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

export const PHONE_VIEWPORT = { width: 360, height: 740 };

/** A phone-sized context in a language, with the browser's own service worker off or on. */
export async function newPhoneContext(
  browser: Browser,
  options: {
    locale?: string;
    colorScheme?: 'light' | 'dark';
    serviceWorkers?: 'allow' | 'block';
  } = {},
): Promise<BrowserContext> {
  return browser.newContext({
    viewport: PHONE_VIEWPORT,
    deviceScaleFactor: 2,
    isMobile: false,
    locale: options.locale ?? 'en-US',
    colorScheme: options.colorScheme ?? 'light',
    serviceWorkers: options.serviceWorkers ?? 'block',
  });
}

/** Collects page errors and dialogs, so a test can assert that nothing went wrong. */
export function watch(page: Page): { errors: string[]; dialogs: string[] } {
  const seen = { errors: [] as string[], dialogs: [] as string[] };
  page.on('pageerror', (error) => seen.errors.push(String(error)));
  page.on('dialog', (dialog) => {
    seen.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  return seen;
}

/**
 * Signs test number n in through the sign-in screens (typing the full +99966… number), naming a
 * new account `name`. Resolves when the chat list shows.
 */
export async function signInThroughUi(
  page: Page,
  url: string,
  n: number,
  name: string,
): Promise<void> {
  const { phone, code } = testPhone(n);
  await page.goto(url);
  await page.locator('input[name="phone"]').fill(phone);
  await page.locator('form button[type="submit"]').click();
  await page.locator('input[name="code"]').fill(code);
  await page.locator('form button[type="submit"]').click();
  const nameInput = page.locator('input[name="displayName"]');
  const list = page.locator('.chat-list-screen');
  await nameInput.or(list).first().waitFor();
  if (await nameInput.isVisible()) {
    await nameInput.fill(name);
    await page.locator('form button[type="submit"]').click();
  }
  await list.waitFor();
}

/** Opens "new chat", finds the person by phone and starts a 1:1 chat with them. */
export async function startDirectChat(page: Page, phone: string): Promise<void> {
  await page.locator('.chat-list-screen .action-new-chat').click();
  await page.locator('input[name="phone"]').fill(phone);
  await page.locator('form button[type="submit"]').click();
  await page.locator('.chat-room .composer-input').waitFor();
}

/** A translation with its `{{placeholders}}` filled in, to find the text a screen shows. */
export const fill = (text: string, values: Record<string, string>) =>
  text.replace(/\{\{(\w+)\}\}/g, (_, key: string) => values[key] ?? '');

/** Types a message into the open chat and presses Enter. */
export async function sendMessage(page: Page, text: string): Promise<void> {
  const input = page.locator('.composer-input');
  await input.fill(text);
  await input.press('Enter');
}

/** The bubble row of the message with this text (the last one if several). */
export function messageRow(page: Page, text: string) {
  return page.locator('.message-row', { has: page.locator('.bubble', { hasText: text }) }).last();
}

/** Resolves when every picture on the page has loaded (or failed). */
export async function imagesLoaded(page: Page): Promise<void> {
  await page.waitForFunction(() => [...document.images].every((image) => image.complete));
}

/** Switches to a tab: `friends` or `chats`. */
export async function openTab(page: Page, tab: 'friends' | 'chats'): Promise<void> {
  await page.locator(`.tab[data-tab="${tab}"]`).click();
  await page.locator(tab === 'friends' ? '.friend-list-screen' : '.chat-list-screen').waitFor();
}

/** Opens the chat whose row shows this title. */
export async function openChat(page: Page, title: string): Promise<void> {
  await page.locator('.chat-row', { hasText: title }).first().click();
  await page.locator('.chat-room .composer-input').waitFor();
}

/**
 * Text that does not fit: an element whose own text overflows its box without an intended
 * ellipsis, or sibling text boxes in one row (list rows, bubbles, the header) that overlap.
 */
export async function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const describe = (el: Element) =>
      `${el.tagName.toLowerCase()}.${[...el.classList].join('.')} "${(el.textContent ?? '').slice(0, 40)}"`;
    const visible = (el: Element) => {
      const rect = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      return rect.width > 0 && rect.height > 0 && style.visibility !== 'hidden';
    };
    const hidden = (el: Element) => el.closest('.visually-hidden') !== null;
    for (const el of document.body.querySelectorAll('*')) {
      if (!(el instanceof HTMLElement) || hidden(el) || !visible(el)) continue;
      const ownText = [...el.childNodes].some(
        (node) => node.nodeType === Node.TEXT_NODE && node.textContent!.trim() !== '',
      );
      if (!ownText || el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) continue;
      if (el instanceof HTMLSelectElement || el instanceof HTMLOptionElement) continue;
      const style = getComputedStyle(el);
      const ellipsis = style.textOverflow === 'ellipsis';
      if (!ellipsis && el.scrollWidth > el.clientWidth + 1 && style.display !== 'inline') {
        problems.push(`overflows its box: ${describe(el)} (${el.scrollWidth} > ${el.clientWidth})`);
      }
      // Text that sticks out of the viewport is cut off.
      const rect = el.getBoundingClientRect();
      const clipped = (() => {
        for (let node: Element | null = el; node; node = node.parentElement) {
          if (getComputedStyle(node).textOverflow === 'ellipsis') return true;
        }
        return false;
      })();
      if (!clipped && (rect.right > window.innerWidth + 1 || rect.left < -1)) {
        problems.push(`outside the screen: ${describe(el)}`);
      }
    }
    const rows = document.querySelectorAll(
      '.chat-row-top, .chat-row-bottom, .message-bubble-line, .top-bar, .message-line, .person, .input-row, .phone-row, .form-links, .dialog-actions, .friend-row-item, .friend-row, .friend-section-title, .profile-actions, .photo-buttons, .tab-bar, .tab, .profile-link',
    );
    for (const row of rows) {
      const children = [...row.children].filter((c) => visible(c) && !hidden(c));
      for (let i = 0; i < children.length; i++) {
        for (let j = i + 1; j < children.length; j++) {
          const a = children[i]!.getBoundingClientRect();
          const b = children[j]!.getBoundingClientRect();
          const overlap =
            Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 &&
            Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
          if (overlap) {
            problems.push(
              `overlap in ${describe(row)}: ${describe(children[i]!)} / ${describe(children[j]!)}`,
            );
          }
        }
      }
    }
    return problems;
  });
}

/** Whether this machine can run the browser suites; says why not, once per file, when not. */
export function browserSuitesAvailable(): boolean {
  const { available, reason } = browserAvailability();
  if (!available) console.warn(reason);
  return available;
}

/**
 * A test server that serves the web app and a browser, started before the suite's own hooks and
 * closed after its tests.
 */
export function useServerAndBrowser(): { readonly server: TestServer; readonly browser: Browser } {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer({ web: true }), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  return {
    get server() {
      if (!server) throw new Error('the test server starts in beforeAll');
      return server;
    },
    get browser() {
      if (!browser) throw new Error('the browser starts in beforeAll');
      return browser;
    },
  };
}
