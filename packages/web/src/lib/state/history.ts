import type { Message } from '@tokki/protocol';
import { findMessageIndex, mergeMessages } from '@tokki/sdk';
import { selfId, updateChat } from './chats';
import { setReadPointer } from './members';
import { stopTyping } from './ephemeral';
import type { History, State } from './types';

export function setHistory(state: State, chatId: string, history: History): State {
  return { ...state, histories: { ...state.histories, [chatId]: history } };
}

function dropHistory(state: State, chatId: string): State {
  const histories = { ...state.histories };
  delete histories[chatId];
  return { ...state, histories };
}

/** The seq a loaded history continues with, stepping over messages deleted for this user. */
export function followingSeq(state: State, chatId: string, afterSeq: number): number {
  const hidden = state.hiddenSeqs[chatId];
  let following = afterSeq + 1;
  while (hidden?.includes(following)) following++;
  return following;
}

/**
 * Whether this message comes after messages that were missed (its history must be fetched
 * again): the open chat refetches its newest page, a closed one's history is dropped.
 */
export function missedBefore(state: State, message: Message): boolean {
  const last = state.histories[message.chatId]?.messages.at(-1);
  if (!last || state.hiddenSeqs[message.chatId]?.includes(message.seq)) return false;
  return message.seq > followingSeq(state, message.chatId, last.seq);
}

/** The user's own message arrived: it leaves the queue of messages waiting to be sent. */
export function dropPending(state: State, message: Message): State {
  if (message.senderId !== selfId(state, message.chatId)) return state;
  const sent = (p: State['pending'][number]) =>
    p.clientMsgId === message.clientMsgId && p.chatId === message.chatId;
  if (!state.pending.some(sent)) return state;
  return { ...state, pending: state.pending.filter((p) => !sent(p)) };
}

/** A message from an update or an ack: each (chatId, seq) once. */
export function insertMessage(state: State, message: Message): State {
  const chatId = message.chatId;
  const me = selfId(state, chatId);
  let next = stopTyping(dropPending(state, message), chatId, message.senderId);
  const chat = next.chats[chatId];
  if (chat && (message.seq > chat.lastSeq || !chat.lastMessage)) {
    const mine = message.senderId === me;
    next = updateChat(next, chatId, (c) => {
      const readSeq = mine ? Math.max(c.readSeq, message.seq) : c.readSeq;
      // A chat whose last message was deleted for me has none: the seq never moves back.
      const lastSeq = Math.max(c.lastSeq, message.seq);
      return {
        ...c,
        lastSeq,
        lastMessage: message,
        lastActivityAt: Math.max(c.lastActivityAt, message.createdAt),
        readSeq,
        unreadCount: Math.max(0, lastSeq - readSeq),
      };
    });
  }
  // The sender has read up to their own message.
  next = setReadPointer(next, chatId, message.senderId, message.seq);

  const history = next.histories[chatId];
  // Deleted for me already (a message.new caught up after its message.hidden).
  if (next.hiddenSeqs[chatId]?.includes(message.seq)) return next;
  if (!history) {
    // The open chat's first page is still loading: keep this one, the page merges with it.
    if (chatId !== next.openChatId) return next;
    return setHistory(next, chatId, {
      messages: [message],
      olderCursor: undefined,
      loadingOlder: false,
    });
  }
  const last = history.messages.at(-1);
  if (!last || message.seq === followingSeq(next, chatId, last.seq)) {
    return setHistory(next, chatId, { ...history, messages: [...history.messages, message] });
  }
  if (missedBefore(next, message)) {
    // The open chat keeps what is on screen until its newest page is fetched again.
    return chatId === next.openChatId ? next : dropHistory(next, chatId);
  }
  if (history.messages.some((m) => m.seq === message.seq)) return next;
  return setHistory(next, chatId, {
    ...history,
    messages: mergeMessages(history.messages, [message]),
  });
}

/** Applies an edit, a deletion or a reaction to the history, the chat list and the pinned one. */
export function changeMessage(
  state: State,
  chatId: string,
  seq: number,
  change: (message: Message) => Message,
): State {
  let next = state;
  const history = state.histories[chatId];
  const index = history ? findMessageIndex(history.messages, seq) : -1;
  if (history && index >= 0) {
    const message = history.messages[index]!;
    const changed = change(message);
    if (changed !== message) {
      const messages = [...history.messages];
      messages[index] = changed;
      next = setHistory(next, chatId, { ...history, messages });
    }
  }
  next = updateChat(next, chatId, (c) =>
    c.lastMessage?.seq === seq ? { ...c, lastMessage: change(c.lastMessage) } : c,
  );
  const pinned = next.pinnedMessages[chatId];
  if (pinned?.seq === seq) {
    next = { ...next, pinnedMessages: { ...next.pinnedMessages, [chatId]: change(pinned) } };
  }
  return next;
}

/** A message deleted for this user: it leaves the history and the chat list. */
export function hideMessage(state: State, chatId: string, seq: number): State {
  const hidden = state.hiddenSeqs[chatId] ?? [];
  let next: State = hidden.includes(seq)
    ? state
    : { ...state, hiddenSeqs: { ...state.hiddenSeqs, [chatId]: [...hidden, seq] } };
  const history = next.histories[chatId];
  const index = history ? findMessageIndex(history.messages, seq) : -1;
  let previous: Message | null = null;
  if (history && index >= 0) {
    previous = history.messages[index - 1] ?? null;
    const messages = history.messages.filter((m) => m.seq !== seq);
    next = setHistory(next, chatId, { ...history, messages });
  }
  // The list shows the message before it when it is loaded (it is, in the open chat).
  return updateChat(next, chatId, (c) =>
    c.lastMessage?.seq === seq ? { ...c, lastMessage: previous } : c,
  );
}
