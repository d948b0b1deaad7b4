import type { Member } from '@tokki/protocol';
import { selfId, updateChat } from './chats';
import type { State, SystemLine } from './types';

/** The state with one loaded member changed; the same state when not loaded or unchanged. */
function updateMember(
  state: State,
  chatId: string,
  userId: string,
  change: (member: Member) => Member,
): State {
  const members = state.members[chatId];
  const member = members?.[userId];
  if (!members || !member) return state;
  const next = change(member);
  if (next === member) return state;
  return { ...state, members: { ...state.members, [chatId]: { ...members, [userId]: next } } };
}

/** Moves a member's read pointer forward (never back); the user's own moves the unread badge. */
export function setReadPointer(
  state: State,
  chatId: string,
  userId: string,
  readSeq: number,
): State {
  let next = state;
  if (userId === selfId(state, chatId)) {
    next = updateChat(next, chatId, (c) =>
      readSeq > c.readSeq ? { ...c, readSeq, unreadCount: Math.max(0, c.lastSeq - readSeq) } : c,
    );
  }
  return updateMember(next, chatId, userId, (m) => (m.readSeq >= readSeq ? m : { ...m, readSeq }));
}

export function setMemberRole(
  state: State,
  chatId: string,
  userId: string,
  role: Member['role'],
): State {
  return updateMember(state, chatId, userId, (m) => (m.role === role ? m : { ...m, role }));
}

export function renameMember(
  state: State,
  chatId: string,
  memberId: string,
  displayName: string,
): State {
  return updateMember(state, chatId, memberId, (m) =>
    m.user.displayName === displayName ? m : { ...m, user: { ...m.user, displayName } },
  );
}

/** Someone else left or was removed: one member fewer. */
export function removeMember(state: State, chatId: string, userId: string): State {
  let next = state;
  const members = state.members[chatId];
  if (members?.[userId]) {
    const rest = { ...members };
    delete rest[userId];
    next = { ...next, members: { ...next.members, [chatId]: rest } };
  }
  return updateChat(next, chatId, (c) => ({ ...c, memberCount: Math.max(0, c.memberCount - 1) }));
}

/** How this user knows someone in a chat: their contact name, else the name they gave. */
export function knownName(state: State, chatId: string, userId: string): string | undefined {
  // In an open chat, members are room profiles known by their nickname there only.
  if (state.chats[chatId]?.kind === 'open') {
    return state.members[chatId]?.[userId]?.user.displayName;
  }
  const friend = state.friends[userId];
  if (friend) return friend.contactName ?? friend.user.displayName;
  if (userId === state.me?.id) return state.me.displayName;
  const chat = state.chats[chatId];
  return (
    state.members[chatId]?.[userId]?.user.displayName ??
    (chat?.peer?.id === userId ? chat.peer.displayName : undefined)
  );
}

/** Adds a "X left / joined / removed Y" line after the chat's newest message (not in 1:1 chats). */
export function addSystemLine(
  state: State,
  chatId: string,
  line: Omit<SystemLine, 'key' | 'names' | 'afterSeq' | 'at'>,
  now: number,
): State {
  const chat = state.chats[chatId];
  if (!chat || chat.kind === 'direct') return state;
  const names: Record<string, string> = {};
  for (const id of [...line.userIds, ...(line.byUserId ? [line.byUserId] : [])]) {
    const name = knownName(state, chatId, id);
    if (name) names[id] = name;
  }
  const lines = state.systemLines[chatId] ?? [];
  const next: SystemLine = {
    ...line,
    key: `s${lines.length}-${now}`,
    names,
    afterSeq: chat.lastSeq,
    at: now,
  };
  return { ...state, systemLines: { ...state.systemLines, [chatId]: [...lines, next] } };
}
