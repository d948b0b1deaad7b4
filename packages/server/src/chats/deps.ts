import type { Message, User } from '@tokki/protocol';
import type { Bus } from '../bus/bus.js';
import type { Database } from '../db/database.js';
import type { WriteQueue, Writer } from '../db/write-queue.js';
import type { UpdatesService } from '../updates/service.js';

/**
 * What chats need from other domains, wired in context.ts. Chats never read another domain's
 * tables: names and photos come from accounts, blocks from friends, last messages from messages.
 */
export interface ChatsHooks {
  /** Profiles by id as `viewerId` may see them; ids of no one are left out (accounts). */
  usersSeenBy(viewerId: string, userIds: readonly string[]): Promise<User[]>;
  /** Of `userIds`, those who have an account, read inside the write that adds them (accounts). */
  existingUserIds(w: Writer, userIds: readonly string[]): Promise<string[]>;
  /** Of `userIds`, those who blocked `userId`, read inside the write that acts on it (friends). */
  blockedBy(w: Writer, userId: string, userIds: readonly string[]): Promise<string[]>;
  /** The newest message of each chat (messages). */
  lastMessages(chats: { chatId: string; seq: number }[]): Promise<Map<string, Message>>;
}

/** What each part of the chats domain is built with (service.ts builds them). */
export interface ChatsDeps {
  database: Database;
  writes: WriteQueue;
  bus: Bus;
  updates: UpdatesService;
  hooks: ChatsHooks;
}
