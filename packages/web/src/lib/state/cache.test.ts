import type { Chat, Message } from '@tokki/protocol';
import { describe, expect, it } from 'vitest';
import { applyUpdate } from './apply-update';
import { cacheChanges } from './cache';
import { initialState, type State } from './types';

const message = (chatId: string, seq: number): Message => ({
  chatId,
  seq,
  senderId: 'bob',
  clientMsgId: `${chatId}-${seq}`,
  text: `#${seq}`,
  createdAt: seq,
  editedAt: null,
  deletedAt: null,
});

const chat = (id: string, lastSeq: number): Chat => ({
  id,
  kind: 'group',
  title: id,
  memberCount: 2,
  lastSeq,
  lastMessage: message(id, lastSeq),
  lastActivityAt: lastSeq,
  readSeq: lastSeq,
  unreadCount: 0,
  joinedSeq: 0,
});

const saved: State = {
  ...initialState,
  phase: 'signedIn',
  me: { id: 'me', displayName: 'Me', statusMessage: '', photo: null, phone: '+82', tokkiId: null },
  chats: { a: chat('a', 1), b: chat('b', 1) },
  histories: {
    a: { messages: [message('a', 1)], olderCursor: null, loadingOlder: false },
    b: { messages: [message('b', 1)], olderCursor: null, loadingOlder: false },
  },
};

describe('cacheChanges', () => {
  it('writes nothing when nothing changed', () => {
    expect(cacheChanges(saved, saved)).toEqual({ values: [], deletions: [] });
  });

  it('writes the chat list and only the history that changed', () => {
    const next = applyUpdate(saved, { kind: 'message.new', message: message('a', 2) });
    const { values, deletions } = cacheChanges(saved, next);
    expect(values.map(([key]) => key)).toEqual(['chats', 'history:a']);
    expect(values[1]![1]).toEqual({ chatId: 'a', messages: [message('a', 1), message('a', 2)] });
    expect(deletions).toEqual([]);
  });

  it('deletes what was cached for a chat the user left', () => {
    const next = applyUpdate(saved, { kind: 'chat.left', chatId: 'b', userId: 'me' });
    const { values, deletions } = cacheChanges(saved, next);
    expect(values.map(([key]) => key)).toEqual(['chats']);
    expect(values[0]![1]).toEqual([saved.chats.a]);
    expect(deletions).toEqual(['history:b']);
  });

  it('does not write a history whose messages did not change (a page loading)', () => {
    const loading = {
      ...saved,
      histories: { ...saved.histories, a: { ...saved.histories.a!, loadingOlder: true } },
    };
    expect(cacheChanges(saved, loading).values).toEqual([]);
  });

  it('writes the friends lists only once they were loaded', () => {
    const friend = {
      user: { id: 'bob', displayName: 'Bob', statusMessage: '', photo: null },
      contactName: null,
      favorite: false,
      hidden: false,
      since: 1,
    };
    const added = applyUpdate(saved, { kind: 'friend.added', friend });
    expect(cacheChanges(saved, added).values).toEqual([]);
    const loaded = { ...added, friendsLoaded: true };
    expect(cacheChanges(saved, loaded).values.map(([key]) => key)).toEqual([
      'friends',
      'recommendations',
    ]);
  });

  it("writes a secret chat's counters but never a history of it, nor any ciphertext", () => {
    const secret: Chat = { ...chat('s', 0), kind: 'secret', lastMessage: null };
    const before = { ...saved, chats: { ...saved.chats, s: secret } };
    const next = applyUpdate(before, {
      kind: 'secret.message',
      chatId: 's',
      seq: 1,
      senderId: 'bob',
      deviceId: 'bob-device',
      epoch: 1,
      data: 'Y2lwaGVydGV4dA==',
      sentAt: 5,
      expiresAt: 10,
    });
    // Even a history put there by mistake (a page asked for it) is not written.
    const withHistory = {
      ...next,
      histories: {
        ...next.histories,
        s: { messages: [message('s', 1)], olderCursor: null, loadingOlder: false },
      },
    };
    const { values } = cacheChanges(before, withHistory);
    expect(values.map(([key]) => key)).toEqual(['chats']);
    expect(JSON.stringify(values)).not.toContain('Y2lwaGVydGV4dA==');
    expect(values[0]![1]).toContainEqual({
      ...secret,
      lastSeq: 1,
      lastActivityAt: 5,
      unreadCount: 1,
    });
  });
});
