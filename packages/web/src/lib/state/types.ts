import type {
  Chat,
  Friend,
  Me,
  Member,
  Message,
  Presence,
  Recommendation,
  User,
} from '@tokki/protocol';
import type { ConnectionState } from '@tokki/sdk';
import type { PendingMessage } from '../persist';

/** The messages of one chat that are loaded: a gapless run of seqs, oldest first. */
export interface History {
  messages: Message[];
  /**
   * Where older messages continue: a cursor, `null` when the start is reached, `undefined` when
   * not known yet (a history from the cache: the next load fetches the newest page first).
   */
  olderCursor: string | null | undefined;
  loadingOlder: boolean;
}

export type Phase = 'booting' | 'signedOut' | 'signedIn';

/**
 * A line between messages about the group itself ("X left", "X removed Y", "X joined"), from the
 * updates this device received: the server keeps no such messages in history.
 */
export interface SystemLine {
  key: string;
  kind: 'left' | 'removed' | 'joined';
  userIds: string[];
  byUserId?: string;
  /** Names as they were known when it happened (a member who left is no longer listed). */
  names: Record<string, string>;
  /** Shown after the message with this seq. */
  afterSeq: number;
  at: number;
}

/** A chat this user is no longer in, seen in this tab: its room says so instead of "not found". */
export interface LeftChat {
  title: string;
  /** Who removed the user; absent when they left themselves (on another device). */
  byUserId?: string;
  byName?: string;
}

export interface ServerInfo {
  name: string;
  version: string;
  mode: 'local' | 'production';
  testNumbers: boolean;
}

export interface State {
  phase: Phase;
  me: Me | null;
  deviceId: string | null;
  connection: ConnectionState;
  /** True once the realtime connection has been synced at least once in this tab. */
  everSynced: boolean;
  online: boolean;
  chats: Record<string, Chat>;
  /** False on a new device until the first chats.list: an empty list is not "no chats" yet. */
  chatsLoaded: boolean;
  histories: Record<string, History>;
  /** chatId → userId → member, with read pointers (for the unread counters). */
  members: Record<string, Record<string, Member>>;
  /**
   * chatId → id → someone who sent a loaded message and is no longer a member: named, never
   * counted (`chats.members {userIds}`).
   */
  formerMembers: Record<string, Record<string, Member>>;
  pending: PendingMessage[];
  serverInfo: ServerInfo | null;
  /** The chat on screen, which is marked read as messages arrive. */
  openChatId: string | null;
  /** chatId → ids of the members typing there now (ephemeral, from `typing` events). */
  typing: Record<string, string[]>;
  /** userId → friend, hidden ones included. */
  friends: Record<string, Friend>;
  /** False until the first friends.list on this device: an empty list is not "no friends" yet. */
  friendsLoaded: boolean;
  /** userId → someone who has the user's number but is not their friend. */
  recommendations: Record<string, Recommendation>;
  /** userId → a user this user blocked (not cached: loaded after each start). */
  blocked: Record<string, User>;
  /** chatId → group events seen in this tab, oldest first. */
  systemLines: Record<string, SystemLine[]>;
  /** chatId → a chat left or removed from in this tab. */
  leftChats: Record<string, LeftChat>;
  /** chatId → its pinned message when it is not in the loaded history (fetched by seq). */
  pinnedMessages: Record<string, Message>;
  /** userId → whether they are online, for the users watched now (`presence.watch`). */
  presence: Record<string, Presence>;
  /**
   * chatId → the invite token made in this tab: the server shows a token once, so it is kept
   * (in memory only) to show again in the room's info.
   */
  inviteTokens: Record<string, string>;
  /**
   * chatId → seqs deleted for this user in this tab: history pages skip them, so a run of seqs
   * that steps over them is still gapless.
   */
  hiddenSeqs: Record<string, readonly number[]>;
}

export const initialState: State = {
  phase: 'booting',
  me: null,
  deviceId: null,
  connection: 'offline',
  everSynced: false,
  online: typeof navigator === 'undefined' ? true : navigator.onLine,
  chats: {},
  chatsLoaded: false,
  histories: {},
  members: {},
  formerMembers: {},
  pending: [],
  serverInfo: null,
  openChatId: null,
  typing: {},
  friends: {},
  friendsLoaded: false,
  recommendations: {},
  blocked: {},
  systemLines: {},
  leftChats: {},
  pinnedMessages: {},
  presence: {},
  inviteTokens: {},
  hiddenSeqs: {},
};
