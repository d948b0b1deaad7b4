import type { Member, Message } from '@tokki/protocol';
import { describe, expect, it } from 'vitest';
import {
  asTombstone,
  mergeMessages,
  reactionOf,
  unreadCounter,
  withinEditWindow,
  withReaction,
} from './cache.js';

const member = (id: string, readSeq: number): Member => ({
  user: { id, displayName: id, statusMessage: '', photo: null },
  role: 'member',
  readSeq,
  joinedSeq: 0,
});

const message = (seq: number, senderId = 'a'): Message => ({
  chatId: 'c',
  seq,
  senderId,
  clientMsgId: `m${seq}`,
  text: `#${seq}`,
  createdAt: seq,
  editedAt: null,
  deletedAt: null,
});

describe('unreadCounter', () => {
  it('counts the members other than the sender whose pointer is below the message', () => {
    const members = { a: member('a', 5), b: member('b', 3), c: member('c', 5), d: member('d', 0) };
    const sorted = Object.values(members)
      .map((m) => m.readSeq)
      .sort((x, y) => x - y);
    expect(unreadCounter(message(5, 'a'), sorted, members)).toBe(2); // b and d
    expect(unreadCounter(message(3, 'a'), sorted, members)).toBe(1); // d
    expect(unreadCounter(message(1, 'a'), sorted, members)).toBe(1);
    // A sender whose own pointer lags (another device) is still not counted.
    expect(unreadCounter(message(4, 'd'), sorted, members)).toBe(1); // b
    // A message from someone who left: every member below it counts.
    expect(unreadCounter(message(5, 'gone'), sorted, members)).toBe(2);
  });
});

describe('mergeMessages', () => {
  it('keeps each seq once, in order', () => {
    const merged = mergeMessages([message(3), message(4)], [message(1), message(2), message(3)]);
    expect(merged.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
  });
});

describe('withinEditWindow', () => {
  it('allows editing and deleting for everyone for 24 hours after sending', () => {
    const sent = { ...message(1), createdAt: 1_000_000 };
    expect(withinEditWindow(sent, sent.createdAt + 23 * 3600_000)).toBe(true);
    expect(withinEditWindow(sent, sent.createdAt + 24 * 3600_000 + 1)).toBe(false);
  });
});

const greeting: Message = {
  chatId: 'c',
  seq: 1,
  senderId: 'a',
  clientMsgId: 'm1',
  text: 'hi',
  createdAt: 1,
  editedAt: null,
  deletedAt: null,
};

describe('withReaction', () => {
  it('keeps one reaction per member, and drops a reaction nobody gives any more', () => {
    const hearted = withReaction(greeting, 'a', 'heart');
    expect(hearted.reactions).toEqual([{ reaction: 'heart', userIds: ['a'] }]);
    const both = withReaction(hearted, 'b', 'heart');
    expect(both.reactions).toEqual([{ reaction: 'heart', userIds: ['a', 'b'] }]);
    const changed = withReaction(both, 'a', 'like');
    expect(changed.reactions).toEqual([
      { reaction: 'heart', userIds: ['b'] },
      { reaction: 'like', userIds: ['a'] },
    ]);
    expect(reactionOf(changed, 'a')).toBe('like');
    const back = withReaction(withReaction(changed, 'a', null), 'b', null);
    expect(back.reactions).toBeUndefined();
    expect(reactionOf(back, 'a')).toBeNull();
  });

  it('returns the same message when nothing changes', () => {
    const hearted = withReaction(greeting, 'a', 'heart');
    expect(withReaction(hearted, 'a', 'heart')).toBe(hearted);
    expect(withReaction(greeting, 'a', null)).toBe(greeting);
  });

  it('leaves a tombstone without reactions or files', () => {
    const file = { id: 'f1', chatId: 'c', name: 'a.pdf', mime: 'application/pdf', size: 1 };
    const withFile: Message = { ...greeting, files: [{ ...file, kind: 'file', createdAt: 1 }] };
    const tombstone = asTombstone(withReaction(withFile, 'a', 'heart'), 5);
    expect(tombstone).toMatchObject({ text: '', deletedAt: 5 });
    expect(tombstone.reactions).toBeUndefined();
    expect(tombstone.files).toBeUndefined();
  });
});
