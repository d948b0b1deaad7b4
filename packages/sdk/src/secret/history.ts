import type { ChatState, SecretMessage } from './state.js';

/** History stays in seq order: our own message can be stored before an earlier one arrives. */
export function insertBySeq(messages: SecretMessage[], message: SecretMessage): void {
  let i = messages.length;
  while (i > 0 && messages[i - 1]!.seq > message.seq) i--;
  messages.splice(i, 0, message);
}

/** The user saw the chat: unread messages are read now, and those with a timer get their end. */
export function markMessagesRead(chat: ChatState, now: number): boolean {
  let changed = false;
  for (const message of chat.messages) {
    if (message.readAt !== undefined) continue;
    message.readAt = now;
    const timer = message.content.type === 'text' ? message.content.timer : 0;
    if (timer > 0) message.destroyAt = now + timer * 1000;
    changed = true;
  }
  return changed;
}

/** Deletes the messages whose time is up; the seqs that went, by chat. */
export function expireMessages(
  chats: Iterable<ChatState>,
  now: number,
): { chatId: string; seqs: number[] }[] {
  const deleted: { chatId: string; seqs: number[] }[] = [];
  for (const chat of chats) {
    const gone = chat.messages.filter((m) => m.destroyAt !== undefined && m.destroyAt <= now);
    if (gone.length === 0) continue;
    chat.messages = chat.messages.filter((m) => !gone.includes(m));
    deleted.push({ chatId: chat.chatId, seqs: gone.map((m) => m.seq) });
  }
  return deleted;
}

/** When the next message self-destructs, if any does. */
export function nextExpiry(chats: Iterable<ChatState>): number | undefined {
  let next = Infinity;
  for (const chat of chats) {
    for (const message of chat.messages) {
      if (message.destroyAt !== undefined) next = Math.min(next, message.destroyAt);
    }
  }
  return next === Infinity ? undefined : next;
}
