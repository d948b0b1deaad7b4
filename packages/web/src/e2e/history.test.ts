// A chat with 10,000 messages: the room opens at the newest, scrolls back through older pages,
// and keeps only what is near the screen in the DOM.
import { post, signInTestUser } from '@tokki/dev-env';
import { describe, expect, it } from 'vitest';
import {
  newPhoneContext,
  openChat,
  signInThroughUi,
  browserSuitesAvailable,
  useServerAndBrowser,
} from './helpers';

const browserSuites = browserSuitesAvailable();

const MESSAGES = 10_000;
const CONCURRENCY = 64;

describe.skipIf(!browserSuites)('web app: a chat with 10,000 messages', () => {
  const suite = useServerAndBrowser();

  it('scrolls back without putting every message in the DOM', { timeout: 180_000 }, async () => {
    const sender = await signInTestUser(suite.server.url, 80001, { displayName: 'Chatty' });
    const reader = await signInTestUser(suite.server.url, 80002, { displayName: 'Reader' });
    const chat = (await post(
      suite.server.url,
      'chats.createDirect',
      { userId: reader.userId },
      sender.token,
    )) as {
      id: string;
    };
    let next = 1;
    const worker = async () => {
      for (let n = next++; n <= MESSAGES; n = next++) {
        await post(
          suite.server.url,
          'messages.send',
          { chatId: chat.id, clientMsgId: `bulk-${n}`, text: `Bulk message number ${n}` },
          sender.token,
        );
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));

    const context = await newPhoneContext(suite.browser);
    try {
      const page = await context.newPage();
      await signInThroughUi(page, suite.server.url, 80002, 'Reader');
      await openChat(page, 'Chatty');
      const rows = page.locator('.message-row');
      await rows.first().waitFor();
      const seqs = async () =>
        (
          await rows.evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-seq'))))
        ).filter((seq) => seq > 0);
      // Opens at the newest message.
      await expect.poll(async () => Math.max(...(await seqs()))).toBe(MESSAGES);
      expect(await rows.count()).toBeLessThan(200);

      // Scroll up page after page: older pages load, the DOM stays small.
      const scroller = page.locator('.message-scroller');
      let oldest = Math.min(...(await seqs()));
      for (let i = 0; i < 12; i++) {
        await scroller.evaluate((el) => el.scrollBy(0, -el.clientHeight * 3));
        await page.waitForTimeout(150);
      }
      await expect
        .poll(async () => Math.min(...(await seqs())), { timeout: 15_000 })
        .toBeLessThan(oldest - 100);
      oldest = Math.min(...(await seqs()));
      const count = await rows.count();
      expect(count).toBeLessThan(200);
      console.log(`10,000-message chat: ${count} message rows in the DOM, oldest shown #${oldest}`);

      // What is shown is consecutive: no gaps and no duplicates while paging.
      const shown = await seqs();
      for (let i = 1; i < shown.length; i++) expect(shown[i]).toBe(shown[i - 1]! + 1);
    } finally {
      await context.close();
    }
  });
});
