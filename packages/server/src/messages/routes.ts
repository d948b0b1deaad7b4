import { LIMITS } from '@tokki/protocol';
import type { Metrics } from '../metrics.js';
import type { Namespace, Routes } from '../rpc/route.js';
import type { MessagesService } from './service.js';

/** Sending, history, message actions and search; `chats.pin` too, since pins are messages. */
export function messagesRoutes(
  messages: MessagesService,
  metrics: Metrics,
): Routes<Namespace<'messages'> | 'chats.pin'> {
  return {
    'messages.send': async ({ principal }, p) => {
      const message = await messages.send(
        principal.userId,
        p.chatId,
        p.clientMsgId,
        p.text,
        p.replyToSeq,
        p.fileIds,
      );
      metrics.messagesSent.inc();
      return { message };
    },
    'messages.get': async ({ principal }, p) => ({
      messages: await messages.get(principal.userId, p.chatId, p.seqs),
    }),
    'messages.history': ({ principal }, p) =>
      messages.history(principal.userId, p.chatId, p.limit ?? 50, p.cursor),
    'messages.edit': async ({ principal }, p) => ({
      message: await messages.edit(principal.userId, p.chatId, p.seq, p.text),
    }),
    'messages.forward': async ({ principal }, p) => {
      const copies = await messages.forward(
        principal.userId,
        p.chatId,
        p.seq,
        p.toChatIds,
        p.clientMsgId,
      );
      metrics.messagesSent.inc(copies.length);
      return { messages: copies };
    },
    'messages.react': async ({ principal }, p) => {
      await messages.react(principal.userId, p.chatId, p.seq, p.reaction);
      return {};
    },
    'messages.delete': async ({ principal }, p) => {
      await messages.delete(principal.userId, p.chatId, p.seq, p.forEveryone);
      return {};
    },
    'messages.search': ({ principal }, p) =>
      messages.search(principal.userId, p.query, {
        chatId: p.chatId,
        limit: p.limit ?? LIMITS.SEARCH_PAGE_MAX,
        cursor: p.cursor,
      }),
    'messages.markRead': async ({ principal }, p) => ({
      readSeq: await messages.markRead(principal.userId, p.chatId, p.seq),
    }),
    'chats.pin': async ({ principal }, p) => {
      await messages.pin(principal.userId, p.chatId, p.seq);
      return {};
    },
  };
}
