/**
 * Carries committed changes to every gateway that may hold an interested connection.
 * One node uses the in-process bus; a cluster uses NATS behind the same interface.
 */
export interface Bus {
  /** Whether messages published now reach the other nodes (always, for the in-process bus). */
  isReady(): boolean;
  publish<T extends BusTopic>(topic: T, message: BusMessages[T]): void;
  subscribe<T extends BusTopic>(topic: T, handler: (message: BusMessages[T]) => void): () => void;
  close(): Promise<void>;
}

export interface ChatUpdateMessage {
  chatId: string;
  pts: number;
  /** The `update` frame, serialized once for every recipient. */
  frame: string;
  /** Users outside the current membership who must still get it (a member who just left). */
  alsoUserIds: string[];
  /** When the write that committed it began (ms since the epoch): delivery latency is from here. */
  at: number;
}

export interface UserUpdateMessage {
  userId: string;
  pts: number;
  frame: string;
  at: number;
}

/** A node's first connection of a user opened (`online`), or its last closed. */
export interface PresenceMessage {
  userId: string;
  nodeId: string;
  online: boolean;
}

export interface BusMessages {
  'chat.update': ChatUpdateMessage;
  /** A stored chat update was rewritten (a message edited or deleted): caches follow. */
  'chat.updateRewritten': { chatId: string; pts: number; payload: string };
  'user.update': UserUpdateMessage;
  /** Membership changed: gateways refresh their member cache for the chat. */
  'chat.members': { chatId: string; added: string[]; removed: string[] };
  'chat.event': { chatId: string; frame: string; exceptUserId: string };
  'device.revoked': { userId: string; deviceId: string };
  presence: PresenceMessage;
}

export type BusTopic = keyof BusMessages;
