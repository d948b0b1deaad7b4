import type { Message } from '@tokki/protocol';
import type { MessageAction } from '../components/MessageMenu';
import { withinEditWindow } from './store';

/**
 * What the message menu offers: a tombstone can only be deleted for me; only one's own recent
 * messages are edited; a message of files alone has no text to copy or to edit.
 */
export function actionsFor(
  message: Message,
  myId: string | undefined,
  now = Date.now(),
): MessageAction[] {
  if (message.deletedAt) return ['delete'];
  const hasText = message.text.trim() !== '';
  const editable = hasText && message.senderId === myId && withinEditWindow(message, now);
  return [
    'reply',
    ...(hasText ? (['copy'] as const) : []),
    ...(editable ? (['edit'] as const) : []),
    'delete',
  ];
}
