import type { Chat, Friend } from '@tokki/protocol';
import type { TFunction } from 'i18next';

/**
 * A group's title, or the other person's name in a 1:1 chat: the name the user's address book
 * gives them when they are a friend.
 */
export function chatTitle(chat: Chat, t: TFunction, friends?: Record<string, Friend>): string {
  if (chat.kind === 'direct') {
    const friend = chat.peer && friends?.[chat.peer.id];
    return (friend && shownName(friend)) || chat.peer?.displayName || t('chat.unknownUser');
  }
  return chat.title || t('chat.unknownUser');
}

/** A friend's name as this user sees it: their address book's name, else the friend's own. */
export function shownName(friend: Friend): string {
  return friend.contactName ?? friend.user.displayName;
}

/** Friends by shown name, in the language's order. */
export function sortFriends(friends: Friend[], lng: string): Friend[] {
  const collator = new Intl.Collator(lng);
  return friends.sort(
    (a, b) => collator.compare(shownName(a), shownName(b)) || (a.user.id < b.user.id ? -1 : 1),
  );
}

/** The Chats tab's badge: unread messages in chats that are not muted (KakaoTalk's way). */
export function unreadTotal(chats: Iterable<Chat>): number {
  let total = 0;
  for (const chat of chats) if (!chat.muted) total += chat.unreadCount;
  return total;
}

/**
 * The chats a message can be forwarded to, most recently active first (the one it is in too, as
 * KakaoTalk allows), those whose title or peer's name contains `query`.
 */
export function forwardTargets(
  chats: Iterable<Chat>,
  query: string,
  t: TFunction,
  friends?: Record<string, Friend>,
): Chat[] {
  const needle = query.trim().toLocaleLowerCase();
  return [...chats]
    .filter((chat) => !needle || chatTitle(chat, t, friends).toLocaleLowerCase().includes(needle))
    .sort((a, b) => b.lastActivityAt - a.lastActivityAt || (a.id < b.id ? -1 : 1));
}
