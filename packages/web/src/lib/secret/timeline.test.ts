import type { SecretMessage } from '@tokki/sdk/secret';
import { describe, expect, it } from 'vitest';
import { secretTimeline, timerKey, TIMER_CHOICES } from './timeline';

const text = (seq: number, senderId: string, body: string, timer: 0 | 5 = 0): SecretMessage => ({
  chatId: 's',
  seq,
  senderId,
  deviceId: `${senderId}-d`,
  sentAt: seq * 1000,
  content: { type: 'text', text: body, timer },
});
const timer = (seq: number, senderId: string, value: 0 | 30): SecretMessage => ({
  chatId: 's',
  seq,
  senderId,
  deviceId: `${senderId}-d`,
  sentAt: seq * 1000,
  content: { type: 'timer', timer: value },
});

describe('secretTimeline', () => {
  it('shows texts, timer changes as service lines, and whose they are', () => {
    const lines = secretTimeline(
      [text(1, 'bob', 'hi'), timer(2, 'me', 30), text(3, 'me', 'bye', 5)],
      [],
      'me',
    );
    expect(lines.map((l) => [l.kind, l.key])).toEqual([
      ['text', 'm1'],
      ['timer', 'm2'],
      ['text', 'm3'],
    ]);
    expect(lines[0]).toMatchObject({ text: 'hi', mine: false, timer: 0 });
    expect(lines[1]).toMatchObject({ senderId: 'me', timer: 30, mine: true });
    expect(lines[2]).toMatchObject({ text: 'bye', mine: true, timer: 5 });
  });

  it('puts a key-change warning after the message it followed, even one gone since', () => {
    const lines = secretTimeline(
      [text(1, 'bob', 'a'), text(4, 'bob', 'b')],
      [
        { userId: 'bob', afterSeq: 3, wasVerified: true },
        { userId: 'carol', afterSeq: 0, wasVerified: false },
        { userId: 'bob', afterSeq: 9, wasVerified: false },
      ],
      'me',
    );
    expect(lines.map((l) => (l.kind === 'keyChange' ? `!${l.userId}` : l.key))).toEqual([
      '!carol',
      'm1',
      '!bob',
      'm4',
      '!bob',
    ]);
    expect(lines[2]).toMatchObject({ wasVerified: true });
  });

  it('is empty for an empty chat', () => {
    expect(secretTimeline([], [], 'me')).toEqual([]);
  });
});

describe('timers', () => {
  it('offers exactly the protocol timers, each with words', () => {
    expect(TIMER_CHOICES).toEqual([0, 5, 10, 30, 60, 3600, 86_400, 604_800]);
    expect(timerKey(3600)).toBe('secret.timers.t3600');
  });
});
