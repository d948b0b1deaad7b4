import type { Presence } from '@tokki/protocol';
import type { State } from './types';

/** Someone started typing in a chat (shown until they stop, send, or the event expires). */
export function startTyping(state: State, chatId: string, userId: string): State {
  const current = state.typing[chatId] ?? [];
  if (current.includes(userId)) return state;
  return { ...state, typing: { ...state.typing, [chatId]: [...current, userId] } };
}

export function stopTyping(state: State, chatId: string, userId: string): State {
  const current = state.typing[chatId];
  if (!current?.includes(userId)) return state;
  return {
    ...state,
    typing: { ...state.typing, [chatId]: current.filter((id) => id !== userId) },
  };
}

export function putPresence(state: State, presence: Presence): State {
  return { ...state, presence: { ...state.presence, [presence.userId]: presence } };
}
