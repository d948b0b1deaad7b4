import type { Chat } from '@tokki/protocol';
import type { TFunction } from 'i18next';

/** A group's title, or the other person's name in a 1:1 chat. */
export function chatTitle(chat: Chat, t: TFunction): string {
  if (chat.kind === 'direct') return chat.peer?.displayName || t('chat.unknownUser');
  return chat.title || t('chat.unknownUser');
}
