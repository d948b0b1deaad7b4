import type { SqlRunner } from '../db/sql-runner.js';

/** A chat whose updates a user reads from some pts on: those inside their membership window. */
export interface Membership {
  chatId: string;
  joinedPts: number;
  /** Messages up to this seq predate them: updates about those are not theirs. */
  joinedSeq: number;
  /** The pts of their leaving (its update is the last they read), null while a member. */
  leftPts: number | null;
}

/** A member who joined or left a chat, at the pts of the update that records it. */
export interface MembershipChange {
  chatId: string;
  userId: string;
  joinedPts: number;
  leftPts: number | null;
}

/**
 * What the update log needs to know of chats' members, which the chats domain keeps in its tables
 * and provides (chats/log-memberships.ts, wired in context.ts). Each runs plain SQL on `sql`.
 */
export interface ChatMembershipLog {
  /** The chats a user may have updates in after `pts`: changed since, and not left before it. */
  windowsAfter(sql: SqlRunner, userId: string, pts: number): Promise<Membership[]>;
  /** Who joined or left `chatIds` at a pts after `after` up to `through`. */
  changesBetween(
    sql: SqlRunner,
    chatIds: readonly string[],
    after: number,
    through: number,
  ): Promise<MembershipChange[]>;
  /** The current members who joined after message `seq` of the chat (they cannot see it). */
  joinedAfter(sql: SqlRunner, chatId: string, seq: number): Promise<string[]>;
  /** Marks the chat changed at `pts`, so that catch-up looks at it. */
  markChanged(sql: SqlRunner, chatId: string, pts: number): Promise<void>;
}
