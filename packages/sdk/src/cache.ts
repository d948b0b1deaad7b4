import type { Member, Message, Reaction } from '@tokki/protocol';
import { LIMITS } from '@tokki/protocol';

// Pure helpers for a client's cache of chats and messages: each takes the cached values and
// returns new ones, so any client (the web app, the CLI, a bot) keeps the same rules.

/**
 * Merges two runs of messages by seq (the second wins), oldest first.
 *
 * @example history.messages = mergeMessages(history.messages, newestPage)
 */
export function mergeMessages(a: Message[], b: Message[]): Message[] {
  const bySeq = new Map<number, Message>();
  for (const message of a) bySeq.set(message.seq, message);
  for (const message of b) bySeq.set(message.seq, message);
  return [...bySeq.values()].sort((x, y) => x.seq - y.seq);
}

/**
 * The message with this seq in a run sorted by seq, if loaded.
 *
 * @example const quoted = findMessage(history.messages, message.replyTo.seq)
 */
export function findMessage(messages: Message[], seq: number): Message | undefined {
  return messages[findMessageIndex(messages, seq)];
}

/**
 * The index of the message with this seq in a run sorted by seq, or -1.
 *
 * @example const index = findMessageIndex(history.messages, update.seq)
 */
export function findMessageIndex(messages: Message[], seq: number): number {
  let low = 0;
  let high = messages.length - 1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const at = messages[mid]!.seq;
    if (at === seq) return mid;
    if (at < seq) low = mid + 1;
    else high = mid - 1;
  }
  return -1;
}

/**
 * Whether a message may still be edited or deleted for everyone by its sender (by this clock).
 *
 * @example if (withinEditWindow(message)) showEditAction()
 */
export function withinEditWindow(message: Message, now = Date.now()): boolean {
  return now - message.createdAt < LIMITS.MESSAGE_EDIT_WINDOW_SECONDS * 1000;
}

/**
 * KakaoTalk's unread counter for a message: how many members other than its sender have a read
 * pointer below it. `sortedReadSeqs` is every member's pointer, ascending.
 *
 * @example const counter = unreadCounter(message, sortedReadSeqs, members) // 1 = one has not read it
 */
export function unreadCounter(
  message: { seq: number; senderId: string },
  sortedReadSeqs: number[],
  members: Record<string, Member>,
): number {
  let low = 0;
  let high = sortedReadSeqs.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (sortedReadSeqs[mid]! < message.seq) low = mid + 1;
    else high = mid;
  }
  const sender = members[message.senderId];
  const senderBelow = sender !== undefined && sender.readSeq < message.seq ? 1 : 0;
  return low - senderBelow;
}

/**
 * The reaction this user gave the message, or null.
 *
 * @example const mine = reactionOf(message, selfId) // 'heart' or null
 */
export function reactionOf(message: Message, userId: string | undefined): Reaction | null {
  if (!userId) return null;
  return message.reactions?.find((r) => r.userIds.includes(userId))?.reaction ?? null;
}

/**
 * The message with one member's reaction set (or taken back with null): one per member, so any
 * other reaction of theirs goes. Returns the same message when nothing changes.
 *
 * @example const shown = withReaction(message, update.userId, update.reaction)
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

/**
 * A message deleted for everyone: no text, no reactions and no files (the server deleted them).
 *
 * @example const shown = asTombstone(message, update.deletedAt)
 */
export function asTombstone(message: Message, deletedAt: number): Message {
  const next: Message = { ...message, text: '', deletedAt };
  delete next.reactions;
  delete next.files;
  return next;
}
