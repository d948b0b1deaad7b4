import type { Chat, Friend, Me, Member, Message, Recommendation } from '@tokki/protocol';
import { clear, createStore, delMany, entries, setMany, type UseStore } from 'idb-keyval';

/** What a device remembers between visits (IndexedDB, one key-value store). */
export interface Session {
  token: string;
  deviceId: string;
  me: Me;
  /** The last pts whose updates are reflected in the cached chats and histories. */
  pts: number | undefined;
}

export interface CachedHistory {
  chatId: string;
  /** The newest messages of the chat, oldest first. */
  messages: Message[];
}

/** A message the user sent that the server has not acknowledged yet. */
export interface PendingMessage {
  clientMsgId: string;
  chatId: string;
  text: string;
  /** The message it answers (quotes), kept so that a resend after a reload still answers it. */
  replyToSeq?: number;
  /** Uploaded files it carries, `text` being their caption (then possibly empty). */
  fileIds?: string[];
  createdAt: number;
  /** `failed`: the server refused it (not a connection problem); the user may resend or delete. */
  status: 'sending' | 'failed';
  error?: string;
}

export interface Snapshot {
  session: Session | undefined;
  chats: Chat[];
  histories: CachedHistory[];
  members: Record<string, Member[]>;
  pending: PendingMessage[];
  /** Undefined when never loaded on this device (an empty list is "no friends"). */
  friends: Friend[] | undefined;
  recommendations: Recommendation[];
}

/** How many of each chat's newest messages are kept for an instant start. */
export const CACHED_MESSAGES_PER_CHAT = 100;

let store: UseStore | undefined;
function db(): UseStore {
  store ??= createStore('tokki', 'kv');
  return store;
}

export async function loadSnapshot(): Promise<Snapshot> {
  const snapshot: Snapshot = {
    session: undefined,
    chats: [],
    histories: [],
    members: {},
    pending: [],
    friends: undefined,
    recommendations: [],
  };
  let rows: [IDBValidKey, unknown][];
  try {
    rows = await entries(db());
  } catch (error) {
    console.warn('IndexedDB is not available; starting without a cache', error);
    return snapshot;
  }
  for (const [key, value] of rows) {
    if (typeof key !== 'string') continue;
    if (key === 'session') snapshot.session = value as Session;
    else if (key === 'chats') snapshot.chats = value as Chat[];
    else if (key === 'pending') snapshot.pending = value as PendingMessage[];
    else if (key === 'friends') snapshot.friends = value as Friend[];
    else if (key === 'recommendations') snapshot.recommendations = value as Recommendation[];
    else if (key.startsWith('history:')) snapshot.histories.push(value as CachedHistory);
    else if (key.startsWith('members:')) snapshot.members[key.slice(8)] = value as Member[];
  }
  return snapshot;
}

/** Writes in one transaction, so the pts never runs ahead of the state it describes. */
export async function saveEntries(
  values: [string, unknown][],
  deletions: string[] = [],
): Promise<void> {
  try {
    if (values.length) await setMany(values, db());
    if (deletions.length) await delMany(deletions, db());
  } catch (error) {
    console.warn('Could not save to IndexedDB', error);
  }
}

export async function clearAll(): Promise<void> {
  try {
    await clear(db());
  } catch (error) {
    console.warn('Could not clear IndexedDB', error);
  }
}
