import type { Message } from '@tokki/protocol';
import type { MessageAction } from '../components/MessageMenu';
import { withinEditWindow } from '@tokki/sdk';

/**
 * What the message menu offers: a tombstone can only be deleted for me; only one's own recent
 * messages are edited; a message of files alone has no text to copy or to edit; any other
 * message can be forwarded and pinned (or unpinned, when it is the chat's pinned one).
 */
export function actionsFor(
  message: Message,
  myId: string | undefined,
  now = Date.now(),
  pinnedSeq?: number,
): MessageAction[] {
  if (message.deletedAt) return ['delete'];
  const hasText = message.text.trim() !== '';
  const editable = hasText && message.senderId === myId && withinEditWindow(message, now);
  return [
    'reply',
    ...(hasText ? (['copy'] as const) : []),
    'forward',
    ...(editable ? (['edit'] as const) : []),
    pinnedSeq === message.seq ? 'unpin' : 'pin',
    'delete',
  ];
}
