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
