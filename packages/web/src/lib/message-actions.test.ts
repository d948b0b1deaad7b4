import type { Message } from '@tokki/protocol';
import { describe, expect, it } from 'vitest';
import { actionsFor } from './message-actions';

const message = (overrides: Partial<Message> = {}): Message => ({
  chatId: 'c_1',
  seq: 1,
  senderId: 'u_me',
  clientMsgId: 'm1',
  text: 'hello',
  createdAt: 1_000_000,
  editedAt: null,
  deletedAt: null,
  ...overrides,
});
const photo = {
  id: 'f_1',
  chatId: 'c_1',
  name: '1.jpg',
  mime: 'image/jpeg',
  size: 10,
  kind: 'image' as const,
  createdAt: 1_000_000,
};

describe('actionsFor', () => {
  const now = 1_000_000 + 3600_000;
  it('offers editing one’s own recent text only', () => {
    expect(actionsFor(message(), 'u_me', now)).toEqual([
      'reply',
      'copy',
      'forward',
      'edit',
      'pin',
      'delete',
    ]);
    expect(actionsFor(message(), 'u_other', now)).toEqual([
      'reply',
      'copy',
      'forward',
      'pin',
      'delete',
    ]);
    expect(actionsFor(message(), 'u_me', 1_000_000 + 25 * 3600_000)).toEqual([
      'reply',
      'copy',
      'forward',
      'pin',
      'delete',
    ]);
  });
  it('offers no copy or edit for files alone, and only deleting a tombstone', () => {
    expect(actionsFor(message({ text: '', files: [photo] }), 'u_me', now)).toEqual([
      'reply',
      'forward',
      'pin',
      'delete',
    ]);
    expect(actionsFor(message({ text: 'caption', files: [photo] }), 'u_me', now)).toEqual([
      'reply',
      'copy',
      'forward',
      'edit',
      'pin',
      'delete',
    ]);
    expect(actionsFor(message({ deletedAt: now, text: '' }), 'u_me', now)).toEqual(['delete']);
  });
  it('offers unpinning the pinned message, and neither for a deleted one', () => {
    expect(actionsFor(message({ seq: 7 }), 'u_other', now, 7)).toEqual([
      'reply',
      'copy',
      'forward',
      'unpin',
      'delete',
    ]);
    expect(actionsFor(message({ seq: 8 }), 'u_other', now, 7)).toContain('pin');
    expect(actionsFor(message({ seq: 7, deletedAt: now, text: '' }), 'u_me', now, 7)).toEqual([
      'delete',
    ]);
  });
});
