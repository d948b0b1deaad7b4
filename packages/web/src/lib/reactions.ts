import type { Message, Reaction } from '@tokki/protocol';

/** The emoji each reaction shows as, in KakaoTalk's order. */
export const REACTION_EMOJI: Record<Reaction, string> = {
  heart: '❤️',
  like: '👍',
  check: '✅',
  laugh: '😆',
  surprise: '😮',
  sad: '😢',
};

/** The reaction this user gave the message, or null. */
export function reactionOf(message: Message, userId: string | undefined): Reaction | null {
  if (!userId) return null;
  return message.reactions?.find((r) => r.userIds.includes(userId))?.reaction ?? null;
}

/**
 * The message with one member's reaction set (or taken back with null): one per member, so any
 * other reaction of theirs goes. Returns the same message when nothing changes.
 */
export function withReaction(message: Message, userId: string, reaction: Reaction | null): Message {
  if (reactionOf(message, userId) === reaction) return message;
  const reactions: NonNullable<Message['reactions']> = [];
  let added = false;
  for (const entry of message.reactions ?? []) {
    let userIds = entry.userIds.filter((id) => id !== userId);
    if (entry.reaction === reaction) {
      userIds = [...userIds, userId];
      added = true;
    }
    if (userIds.length > 0) reactions.push({ reaction: entry.reaction, userIds });
  }
  if (reaction && !added) reactions.push({ reaction, userIds: [userId] });
  const next: Message = { ...message, reactions };
  if (reactions.length === 0) delete next.reactions;
  return next;
}

/** A message deleted for everyone: no text and no reactions. */
export function asTombstone(message: Message, deletedAt: number): Message {
  const next: Message = { ...message, text: '', deletedAt };
  delete next.reactions;
  return next;
}
