import type { Update } from '@tokki/protocol';
import { selfId, updateChat } from './chats';
import type { State } from './types';

type SecretMessageUpdate = Extract<Update, { kind: 'secret.message' }>;

/**
 * A secret chat's message arrived: only the chat list's counters move (seq, unread, activity).
 * Its plaintext never enters this state (nor the cache written from it): the secret client
 * decrypts it and keeps it in its own encrypted store.
 */
export function secretMessageArrived(state: State, update: SecretMessageUpdate): State {
  const mine = update.senderId === selfId(state, update.chatId);
  return updateChat(state, update.chatId, (chat) => {
    if (update.seq <= chat.lastSeq) return chat;
    const readSeq = mine ? Math.max(chat.readSeq, update.seq) : chat.readSeq;
    return {
      ...chat,
      lastSeq: update.seq,
      lastActivityAt: Math.max(chat.lastActivityAt, update.sentAt),
      readSeq,
      unreadCount: Math.max(0, update.seq - readSeq),
    };
  });
}
