import type { Message, User } from '@tokki/protocol';
import type { Bus } from '../bus/bus.js';
import type { Database } from '../db/database.js';
import type { WriteQueue, Writer } from '../db/write-queue.js';
import type { MemoryRateLimiter } from '../rate-limit/memory.js';
import type { RateLimit } from '../rate-limit/rate-limit.js';
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
  /** Of `ownerIds`, those who have `userId` as a friend (friends). */
  friendOf(w: Writer, userId: string, ownerIds: readonly string[]): Promise<string[]>;
  /** Of `chatIds`, those where someone other than `userId` has sent a message (messages). */
  answeredIn(w: Writer, chatIds: readonly string[], userId: string): Promise<string[]>;
  /**
   * `userId` left secret chat `chatId` (secret): their devices await removal by a member's
   * commit, as revoked ones do.
   */
  secretChatLeft(w: Writer, chatId: string, userId: string): Promise<void>;
  /** The newest message of each chat (messages). */
  lastMessages(chats: { chatId: string; seq: number }[]): Promise<Map<string, Message>>;
}

/** The limits and rules config sets for chats (config's `rateLimits`, `groupAdds`). */
export interface ChatsRules {
  /** `chats.setTyping` per user, in memory (typing is ephemeral and frequent). */
  typing: MemoryRateLimiter;
  groupsPerUser: RateLimit;
  memberAddsPerUser: RateLimit;
  groupAdds: 'known' | 'anyone';
}

/** What each part of the chats domain is built with (service.ts builds them). */
export interface ChatsDeps {
  database: Database;
  writes: WriteQueue;
  bus: Bus;
  updates: UpdatesService;
  hooks: ChatsHooks;
  rules: ChatsRules;
}
