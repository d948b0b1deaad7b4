/**
 * Carries committed changes to every gateway that may hold an interested connection.
 * One node uses the in-process bus; a cluster uses NATS behind the same interface
 * (docs/adr/007-cluster-delivery.md).
 *
 * The ordered topics (`chat.update`, `user.update`, `chat.members`: those with a pts) reach the
 * handlers in pts order, and in publication order within one pts, whichever node published them.
 * A node receives what concerns the chats and users it `watch`es, and what is broadcast.
 */
export interface Bus {
  /** Whether messages published now reach the other nodes (always, for the in-process bus). */
  isReady(): boolean;
  publish<T extends BusTopic>(topic: T, message: BusMessages[T]): void;
  subscribe<T extends BusTopic>(topic: T, handler: (message: BusMessages[T]) => void): () => void;
  /**
   * Starts receiving what concerns a chat, a user, or a user's presence (counted: as many
   * `unwatch` calls stop it). True when this began a subscription that may have missed messages
   * already published: the caller reads the log for them (`settled()` first).
   */
  watch(kind: InterestKind, id: string): boolean;
  unwatch(kind: InterestKind, id: string): void;
  /** Resolves once every `watch` made so far receives what is published from now on. */
  settled(): Promise<void>;
  /**
   * A batch committed the pts after `after` up to `through`, and its messages have all been
   * published: announced after them, so that every node knows when it has heard everything up
   * to a pts.
   */
  committed(after: number, through: number): void;
  /**
   * Called when live messages may have been missed (the bus lost its connection): every session
   * must read the log again from where it is.
   */
  onMissed(handler: () => void): void;
  /** Whether the user has a connection on any node (one answers for its own). */
  askOnline(userId: string): Promise<boolean>;
  answerOnline(handler: (userId: string) => boolean): void;
  /** Seconds for a round trip to the bus (metrics); 0 in process. */
  roundTrip(): Promise<number>;
  close(): Promise<void>;
}

export type InterestKind = 'chat' | 'user' | 'presence';

export interface ChatUpdateMessage {
  chatId: string;
  pts: number;
  /** The `update` frame, serialized once for every recipient. */
  frame: string;
  /**
   * Users outside the current membership who must get it too: the member who just left, and
   * those who just joined (whose nodes may not follow the chat yet).
   */
  alsoUserIds: string[];
  /**
   * Members who must not get it: an edit, deletion, reaction or pin of a message from before they
   * joined (which they cannot see). Absent when there are none.
   */
  exceptUserIds?: string[];
  /** The message the update is about (`chat_updates.about_seq`), for the recent-updates memory. */
  aboutSeq?: number;
  /** When the write that committed it began (ms since the epoch): delivery latency is from here. */
  at: number;
  /**
   * A new message's sender and the clientMsgId their device chose, which the frame leaves out:
   * the sender's own sessions get it spliced back (they match their pending sends by it).
   */
  sender?: { userId: string; clientMsgId: string };
}

export interface UserUpdateMessage {
  userId: string;
  pts: number;
  frame: string;
  at: number;
}

/** Membership changed by the chat update at `pts` (published after it). */
export interface ChatMembersMessage {
  chatId: string;
  pts: number;
  added: string[];
  removed: string[];
}

/** A node's first connection of a user opened (`online`), or its last closed. */
export interface PresenceMessage {
  userId: string;
  online: boolean;
}

export interface BusMessages {
  'chat.update': ChatUpdateMessage;
  /** A stored chat update was rewritten (a message edited or deleted): caches follow. */
  'chat.updateRewritten': { chatId: string; pts: number; payload: string };
  'user.update': UserUpdateMessage;
  'chat.members': ChatMembersMessage;
  /** Ephemeral (typing): to the chat's members online, except the one it is from. */
  'chat.event': { chatId: string; frame: string; exceptUserId: string };
  /** To every node (each may hold the device in its authentication cache). */
  'device.revoked': { userId: string; deviceId: string };
  presence: PresenceMessage;
}

export type BusTopic = keyof BusMessages;

/** A bus message, as a write batch publishes it once committed. */
export type Publication = { [T in BusTopic]: { topic: T; message: BusMessages[T] } }[BusTopic];

/** The topics whose messages carry a pts and are delivered in pts order. */
export const ORDERED_TOPICS: ReadonlySet<BusTopic> = new Set<BusTopic>([
  'chat.update',
  'user.update',
  'chat.members',
]);
