import type { SecretMessage } from '@tokki/sdk/secret';
import { describe, expect, it } from 'vitest';
import {
  memberNotes,
  readNotes,
  secretTimeline,
  timerKey,
  TIMER_CHOICES,
  type ServiceNote,
} from './timeline';

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
        { kind: 'keyChange', userId: 'bob', afterSeq: 3, wasVerified: true },
        { kind: 'keyChange', userId: 'carol', afterSeq: 0, wasVerified: false },
        { kind: 'keyChange', userId: 'bob', afterSeq: 9, wasVerified: false },
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

  it('puts member lines after the message they followed, in the order they were noted', () => {
    const notes: ServiceNote[] = [
      { kind: 'members', userId: 'dan', afterSeq: 2, change: 'joined' },
      { kind: 'keyChange', userId: 'bob', afterSeq: 2, wasVerified: false },
      { kind: 'members', userId: 'me', afterSeq: 2, change: 'newDevice' },
      { kind: 'members', userId: 'bob', afterSeq: 0, change: 'deviceRemoved' },
    ];
    const lines = secretTimeline([text(1, 'bob', 'a'), text(2, 'me', 'b')], notes, 'me');
    expect(lines.map((l) => (l.kind === 'members' ? `${l.change}:${l.userId}` : l.key))).toEqual([
      'deviceRemoved:bob',
      'm1',
      'm2',
      'joined:dan',
      lines[4]!.key,
      'newDevice:me',
    ]);
    expect(lines[4]).toMatchObject({ kind: 'keyChange', userId: 'bob' });
    expect(lines[5]).toMatchObject({ mine: true });
    expect(lines[3]).toMatchObject({ mine: false });
    expect(new Set(lines.map((l) => l.key)).size).toBe(lines.length);
  });

  it('is empty for an empty chat', () => {
    expect(secretTimeline([], [], 'me')).toEqual([]);
  });
});

describe('memberNotes', () => {
  const d = (userId: string, deviceId: string) => ({ userId, deviceId });

  it('tells a user who joined from a new device of one already in, per user', () => {
    const after = [
      d('me', 'm1'),
      d('bob', 'b1'),
      d('bob', 'b2'),
      d('carol', 'c1'),
      d('carol', 'c2'),
    ];
    const notes = memberNotes(
      { added: [d('bob', 'b2'), d('carol', 'c1'), d('carol', 'c2')], removed: [] },
      after,
      7,
    );
    expect(notes).toEqual([
      { kind: 'members', userId: 'bob', afterSeq: 7, change: 'newDevice' },
      { kind: 'members', userId: 'carol', afterSeq: 7, change: 'joined' },
    ]);
  });

  it('tells a removed device from a user who is gone', () => {
    const notes = memberNotes(
      { added: [], removed: [d('bob', 'b2'), d('carol', 'c1'), d('carol', 'c2')] },
      [d('me', 'm1'), d('bob', 'b1')],
      3,
    );
    expect(notes).toEqual([
      { kind: 'members', userId: 'bob', afterSeq: 3, change: 'deviceRemoved' },
      { kind: 'members', userId: 'carol', afterSeq: 3, change: 'left' },
    ]);
  });

  it('a device replaced in one commit is a new device and a removed one, not a join', () => {
    const notes = memberNotes(
      { added: [d('bob', 'b1')], removed: [d('bob', 'b0')] },
      [d('me', 'm1'), d('bob', 'b1')],
      1,
    );
    expect(notes.map((n) => n.kind === 'members' && n.change)).toEqual([
      'newDevice',
      'deviceRemoved',
    ]);
  });

  it('notes nothing for a commit that only updated keys', () => {
    expect(memberNotes({ added: [], removed: [] }, [d('me', 'm1')], 1)).toEqual([]);
  });
});

describe('readNotes', () => {
  it('reads lines kept before there were kinds as key changes, and the new kinds as they are', () => {
    const kept = JSON.stringify({
      s: [
        { userId: 'bob', afterSeq: 2, wasVerified: true },
        { kind: 'members', userId: 'dan', afterSeq: 3, change: 'left' },
      ],
    });
    expect(readNotes(kept)).toEqual({
      s: [
        { kind: 'keyChange', userId: 'bob', afterSeq: 2, wasVerified: true },
        { kind: 'members', userId: 'dan', afterSeq: 3, change: 'left' },
      ],
    });
    expect(readNotes('null')).toEqual({});
    expect(() => readNotes('{not json')).toThrow(SyntaxError);
  });
});

describe('timers', () => {
  it('offers exactly the protocol timers, each with words', () => {
    expect(TIMER_CHOICES).toEqual([0, 5, 10, 30, 60, 3600, 86_400, 604_800]);
    expect(timerKey(3600)).toBe('secret.timers.t3600');
  });
});
