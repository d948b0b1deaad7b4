import type { Chat, Friend, Member, User } from '@tokki/protocol';
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

/**
 * A secret chat's title: its own, or (1:1) the names of the others in its group, known once the
 * secret client is open; until then "Secret chat".
 */
export function secretChatTitle(
  chat: Chat,
  t: TFunction,
  peerIds: string[] | undefined,
  friends: Record<string, Friend>,
  members: Record<string, Member> | undefined,
): string {
  if (chat.title) return chat.title;
  const names = (peerIds ?? []).flatMap((id) => {
    const friend = friends[id];
    const name = (friend && shownName(friend)) || members?.[id]?.user.displayName;
    return name ? [name] : [];
  });
  return names.length > 0 ? names.join(', ') : t('secret.title');
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

/**
 * Who the user is in this chat: in an open chat their room profile (`Chat.selfId`), elsewhere
 * their user id. Every "is this mine?" in a chat compares with this, never with the user id:
 * an open chat names its members by room profile only (ADR 006).
 */
export function selfIdIn(
  chat: Pick<Chat, 'kind' | 'selfId'> | undefined,
  myUserId: string | undefined,
): string | undefined {
  if (chat?.kind === 'open') return chat.selfId ?? myUserId;
  return myUserId;
}

/**
 * How a member is named in a chat. In an open chat only by their nickname there (from
 * `chats.members`), never by a contact name or an account's name; elsewhere by the address
 * book's name for a friend, else their own name.
 */
export function memberName(
  memberId: string,
  chat: Chat,
  members: Record<string, Member> | undefined,
  friends: Record<string, Friend> | undefined,
  me: Pick<User, 'id' | 'displayName'> | null | undefined,
  t: TFunction,
): string {
  if (chat.kind === 'open') {
    return members?.[memberId]?.user.displayName || t('chat.unknownUser');
  }
  const friend = friends?.[memberId];
  if (friend) return shownName(friend);
  if (me && memberId === me.id) return me.displayName;
  const user = members?.[memberId]?.user ?? (chat.peer?.id === memberId ? chat.peer : undefined);
  return user?.displayName || t('chat.unknownUser');
}

/**
 * A member's profile, for an avatar's picture and a link to it: none in an open chat, where
 * members are room profiles with a nickname and nothing else.
 */
export function memberProfile(
  memberId: string,
  chat: Chat,
  members: Record<string, Member> | undefined,
): User | undefined {
  if (chat.kind === 'open') return undefined;
  return members?.[memberId]?.user ?? (chat.peer?.id === memberId ? chat.peer : undefined);
}
