import { LIMITS } from '@tokki/protocol';
import { mapLimit } from '../stats/limit.js';
import { callApi } from './api.js';
import type { BenchUser } from './users.js';

/** The 1:1 chat of each pair, created by its first user. */
export function createDirectChats(
  url: string,
  pairs: readonly [BenchUser, BenchUser][],
  concurrency = 32,
): Promise<string[]> {
  return mapLimit(pairs, concurrency, async ([a, b]) => {
    const chat = await callApi(url, a.token, 'chats.createDirect', { userId: b.userId });
    return chat.id;
  });
}

/** A group owned by `owner`, with members added as many per call as the API allows. */
export async function createGroup(
  url: string,
  owner: BenchUser,
  members: readonly BenchUser[],
  title: string,
): Promise<string> {
  const ids = members.map((member) => member.userId);
  const perCall = LIMITS.MEMBERS_PER_CALL_MAX;
  const chat = await callApi(url, owner.token, 'chats.createGroup', {
    title,
    memberIds: ids.slice(0, perCall),
  });
  for (let i = perCall; i < ids.length; i += perCall) {
    await callApi(url, owner.token, 'chats.addMembers', {
      chatId: chat.id,
      userIds: ids.slice(i, i + perCall),
    });
  }
  return chat.id;
}
