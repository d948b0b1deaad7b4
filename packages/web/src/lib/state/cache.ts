import { CACHED_MESSAGES_PER_CHAT } from '../persist';
import type { State } from './types';

/** What to write to and delete from the device's cache (IndexedDB keys), besides the session. */
export interface CacheChanges {
  values: [string, unknown][];
  deletions: string[];
}

/**
 * What changed in the cached parts of the state since `saved` was written: the chat list, the
 * friends lists (once loaded), and per chat its newest messages and its members. Parts are
 * compared by reference, which every state change replaces.
 */
export function cacheChanges(saved: State, current: State): CacheChanges {
  const values: [string, unknown][] = [];
  const deletions: string[] = [];
  if (current.chats !== saved.chats) values.push(['chats', Object.values(current.chats)]);
  const friendsChanged =
    current.friends !== saved.friends || current.recommendations !== saved.recommendations;
  if (friendsChanged && current.friendsLoaded) {
    values.push(['friends', Object.values(current.friends)]);
    values.push(['recommendations', Object.values(current.recommendations)]);
  }
  for (const [chatId, history] of Object.entries(current.histories)) {
    if (history.messages === saved.histories[chatId]?.messages) continue;
    // A secret chat's messages are kept only by the secret client, encrypted: never here.
    if (current.chats[chatId]?.kind === 'secret') continue;
    values.push([
      `history:${chatId}`,
      { chatId, messages: history.messages.slice(-CACHED_MESSAGES_PER_CHAT) },
    ]);
  }
  for (const chatId of Object.keys(saved.histories)) {
    if (!current.histories[chatId]) deletions.push(`history:${chatId}`);
  }
  for (const [chatId, members] of Object.entries(current.members)) {
    if (members !== saved.members[chatId])
      values.push([`members:${chatId}`, Object.values(members)]);
  }
  for (const chatId of Object.keys(saved.members)) {
    if (!current.members[chatId]) deletions.push(`members:${chatId}`);
  }
  return { values, deletions };
}

/** Whether a change touched a cached part (and a save should be scheduled). */
export function touchesCache(before: State, after: State): boolean {
  return (
    before.me !== after.me ||
    before.chats !== after.chats ||
    before.friends !== after.friends ||
    before.recommendations !== after.recommendations ||
    before.histories !== after.histories ||
    before.members !== after.members
  );
}
