import type { ChatMembersTable } from '../db/schema.js';
import type { SqlRunner } from '../db/sql-runner.js';
import { ApiError } from '../errors.js';
import * as store from './store.js';

/**
 * Who a member is inside their chat — as sender, reactor, reader, in `chat.*` updates: their
 * room profile in an open chat, so that no one there learns their user id; else their user id.
 */
export const actorId = (member: Pick<ChatMembersTable, 'user_id' | 'profile_id'>) =>
  member.profile_id ?? member.user_id;

/** One direct chat per pair of users. */
export const directKeyOf = (a: string, b: string) => [a, b].sort().join(':');

const RANK = { owner: 2, admin: 1, member: 0 } as const;
/** Whether a member of role `actor` may remove one of role `target`. */
export const outranks = (actor: keyof typeof RANK, target: keyof typeof RANK) =>
  actor !== 'member' && RANK[actor] > RANK[target];

/** The caller's current membership, read inside a write. */
export async function requireMemberForWrite(sql: SqlRunner, chatId: string, userId: string) {
  const membership = await store.findMembershipForWrite(sql, chatId, userId);
  return checkMembership(membership, () => store.chatExists(sql, chatId));
}

/** A current membership, or the error that says why not: no such chat, or not (any more) in it. */
export async function checkMembership(
  membership: ChatMembersTable | undefined,
  chatExists: () => Promise<unknown>,
): Promise<ChatMembersTable> {
  if (membership && membership.left_pts === null) return membership;
  throw membershipError(!membership && !(await chatExists()));
}

/**
 * A send refused because the other member of a direct chat blocked the sender. Worded so as not
 * to tell the sender they are blocked.
 */
export const undeliverableError = () =>
  new ApiError('FORBIDDEN', 'This message could not be delivered.');

/** Why someone without a current membership may not write to a chat. */
export function membershipError(noSuchChat: boolean): ApiError {
  return noSuchChat
    ? new ApiError('NOT_FOUND', 'No such chat.')
    : new ApiError('NOT_MEMBER', 'You are not a member of this chat.');
}
