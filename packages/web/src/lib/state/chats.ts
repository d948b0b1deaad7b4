import type { Chat } from '@tokki/protocol';
import { selfIdIn } from '../chat';
import type { State } from './types';

/**
 * Who the user is in a chat: their room profile in an open chat, else their user id. Compare
 * `senderId`, reactions and read pointers with this, never with `me.id`.
 */
export function selfId(state: State, chatId: string): string | undefined {
  return selfIdIn(state.chats[chatId], state.me?.id);
}

/** The state with one listed chat changed; the same state when it is not listed or unchanged. */
export function updateChat(state: State, chatId: string, change: (chat: Chat) => Chat): State {
  const chat = state.chats[chatId];
  if (!chat) return state;
  const next = change(chat);
  if (next === chat) return state;
  return { ...state, chats: { ...state.chats, [chatId]: next } };
}

/** Adds or replaces a fetched chat. */
export function putChat(state: State, chat: Chat): State {
  const existing = state.chats[chat.id];
  // A fetched chat may be older than updates already applied: keep the newer counters.
  const merged =
    existing && existing.lastSeq > chat.lastSeq
      ? { ...chat, lastSeq: existing.lastSeq, lastMessage: existing.lastMessage }
      : chat;
  return { ...state, chats: { ...state.chats, [chat.id]: merged } };
}

/** Removes a chat the user is no longer in, with everything loaded for it. */
export function forgetChat(state: State, chatId: string): State {
  const chats = { ...state.chats };
  const histories = { ...state.histories };
  const members = { ...state.members };
  const systemLines = { ...state.systemLines };
  const pinnedMessages = { ...state.pinnedMessages };
  delete chats[chatId];
  delete histories[chatId];
  delete members[chatId];
  delete systemLines[chatId];
  delete pinnedMessages[chatId];
  return { ...state, chats, histories, members, systemLines, pinnedMessages };
}

/** A chat joined again (by link, or added back): its room no longer says it was left. */
export function rejoined(state: State, chatId: string): State {
  if (!state.leftChats[chatId]) return state;
  const leftChats = { ...state.leftChats };
  delete leftChats[chatId];
  return { ...state, leftChats };
}

export function setPinned(state: State, chatId: string, seq: number | null): State {
  return updateChat(state, chatId, (c) => {
    if ((c.pinnedSeq ?? null) === seq) return c;
    const next = { ...c };
    if (seq === null) delete next.pinnedSeq;
    else next.pinnedSeq = seq;
    return next;
  });
}

export function setMutedFlag(state: State, chatId: string, muted: boolean): State {
  return updateChat(state, chatId, (c) => {
    if (Boolean(c.muted) === muted) return c;
    const next = { ...c };
    if (muted) next.muted = true;
    else delete next.muted;
    return next;
  });
}
