import type { Message } from '@tokki/protocol';
import { describe, expect, it } from 'vitest';
import { asTombstone, reactionOf, withReaction } from './reactions';

const message: Message = {
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
    const hearted = withReaction(message, 'a', 'heart');
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
    const hearted = withReaction(message, 'a', 'heart');
    expect(withReaction(hearted, 'a', 'heart')).toBe(hearted);
    expect(withReaction(message, 'a', null)).toBe(message);
  });

  it('leaves a tombstone without reactions', () => {
    const tombstone = asTombstone(withReaction(message, 'a', 'heart'), 5);
    expect(tombstone).toMatchObject({ text: '', deletedAt: 5 });
    expect(tombstone.reactions).toBeUndefined();
  });
});
