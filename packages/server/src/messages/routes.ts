import type { Metrics } from '../metrics.js';
import type { Namespace, Routes } from '../rpc/route.js';
import type { MessagesService } from './service.js';

/**
 * Sending, history, message actions and search; `chats.pin` too, since pins are messages. Each
 * service method takes the caller's principal and the method's params.
 */
export function messagesRoutes(
  messages: MessagesService,
  metrics: Metrics,
): Routes<Namespace<'messages'> | 'chats.pin'> {
  /** The answer of a method that only changes something. */
  const ok = async (change: Promise<void>) => {
    await change;
    return {};
  };
  return {
    'messages.send': async ({ principal }, p) => {
      const message = await messages.send(principal, p);
      metrics.messagesSent.inc();
      return { message };
    },
    'messages.forward': async ({ principal }, p) => {
      const copies = await messages.forward(principal, p);
      metrics.messagesSent.inc(copies.length);
      return { messages: copies };
    },
    'messages.get': async ({ principal }, p) => ({
      messages: await messages.get(principal, p),
    }),
    'messages.history': ({ principal }, p) => messages.history(principal, p),
    'messages.search': ({ principal }, p) => messages.search(principal, p),
    'messages.edit': async ({ principal }, p) => ({
      message: await messages.edit(principal, p),
    }),
    'messages.react': ({ principal }, p) => ok(messages.react(principal, p)),
    'messages.delete': ({ principal }, p) => ok(messages.delete(principal, p)),
    'messages.markRead': async ({ principal }, p) => ({
      readSeq: await messages.markRead(principal, p),
    }),
    'chats.pin': ({ principal }, p) => ok(messages.pin(principal, p)),
  };
}
