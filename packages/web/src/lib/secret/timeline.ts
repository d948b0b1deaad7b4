import { SECRET_TIMERS, type SecretTimer } from '@tokki/protocol';
import type { DeviceRef } from '@tokki/protocol';
import type { SecretEvents, SecretMessage } from '@tokki/sdk/secret';

/** How a commit changed one user's place in a chat. */
export type MemberChange = 'joined' | 'newDevice' | 'deviceRemoved' | 'left';

/**
 * A service line this device noted itself (the server never sees it): shown after the message
 * with seq `afterSeq`. A contact's keys changed, or a commit added or removed devices.
 */
export type ServiceNote =
  | { kind: 'keyChange'; userId: string; afterSeq: number; wasVerified: boolean }
  | { kind: 'members'; userId: string; afterSeq: number; change: MemberChange };

/**
 * The notes as kept (JSON, per chat). Lines kept before there were kinds are key changes. Throws
 * on what is not JSON.
 */
export function readNotes(json: string): Record<string, ServiceNote[]> {
  type Stored = ServiceNote | { userId: string; afterSeq: number; wasVerified: boolean };
  const value: unknown = JSON.parse(json);
  if (!value || typeof value !== 'object') return {};
  const upgrade = (note: Stored): ServiceNote =>
    'kind' in note ? note : { kind: 'keyChange', ...note };
  const stored = Object.entries(value as Record<string, Stored[]>);
  return Object.fromEntries(stored.map(([chatId, notes]) => [chatId, notes.map(upgrade)]));
}

/**
 * The notes for one commit, a line per user and way: joined (none of their devices was in
 * before), a new device (some were), a device removed (some stay), or left (none stay). `after` is the
 * group's devices once the commit applied.
 */
export function memberNotes(
  event: Pick<SecretEvents['members'], 'added' | 'removed'>,
  after: readonly DeviceRef[],
  afterSeq: number,
): ServiceNote[] {
  const notes: ServiceNote[] = [];
  const users = (devices: readonly DeviceRef[]) => [...new Set(devices.map((d) => d.userId))];
  for (const userId of users(event.added)) {
    const added = (d: DeviceRef) =>
      event.added.some((a) => a.userId === d.userId && a.deviceId === d.deviceId);
    // In before: a device still in that was not just added, or one this commit removed.
    const before =
      after.some((d) => d.userId === userId && !added(d)) ||
      event.removed.some((d) => d.userId === userId);
    notes.push({ kind: 'members', userId, afterSeq, change: before ? 'newDevice' : 'joined' });
  }
  for (const userId of users(event.removed)) {
    const stays = after.some((d) => d.userId === userId);
    notes.push({ kind: 'members', userId, afterSeq, change: stays ? 'deviceRemoved' : 'left' });
  }
  return notes;
}

/** What a secret room shows, in order. */
export type SecretLine =
  | {
      kind: 'text';
      key: string;
      message: SecretMessage;
      text: string;
      timer: SecretTimer;
      mine: boolean;
    }
  | { kind: 'timer'; key: string; senderId: string; timer: SecretTimer; mine: boolean }
  | { kind: 'keyChange'; key: string; userId: string; wasVerified: boolean }
  | { kind: 'members'; key: string; userId: string; change: MemberChange; mine: boolean };

/**
 * A secret chat's lines: its messages (self-destructed ones are already gone from `messages`),
 * timer changes as service lines, and the noted lines (key changes, members) after the message
 * they followed, in the order they were noted.
 */
export function secretTimeline(
  messages: readonly SecretMessage[],
  notes: readonly ServiceNote[],
  myId: string,
): SecretLine[] {
  const lines: SecretLine[] = [];
  // A stable sort: notes after one message keep the order they were noted in.
  const sorted = [...notes].sort((a, b) => a.afterSeq - b.afterSeq);
  let w = 0;
  const warnUpTo = (seq: number) => {
    for (; w < sorted.length && sorted[w]!.afterSeq <= seq; w++) {
      const note = sorted[w]!;
      const key = `k${note.afterSeq}:${note.userId}:${w}`;
      if (note.kind === 'keyChange') {
        const { userId, wasVerified } = note;
        lines.push({ kind: 'keyChange', key, userId, wasVerified });
      } else {
        const { userId, change } = note;
        lines.push({ kind: 'members', key, userId, change, mine: userId === myId });
      }
    }
  };
  warnUpTo(0);
  for (const message of messages) {
    warnUpTo(message.seq - 1);
    const mine = message.senderId === myId;
    const key = `m${message.seq}`;
    if (message.content.type === 'text') {
      const { text, timer } = message.content;
      lines.push({ kind: 'text', key, message, text, timer, mine });
    } else {
      const { timer } = message.content;
      lines.push({ kind: 'timer', key, senderId: message.senderId, timer, mine });
    }
    warnUpTo(message.seq);
  }
  warnUpTo(Infinity);
  return lines;
}

/** The timers a chat may set, in the menu's order. */
export const TIMER_CHOICES: readonly SecretTimer[] = SECRET_TIMERS;

/** The i18n key of a timer's duration (`secret.timers.*`); off has its own words. */
export function timerKey(timer: Exclude<SecretTimer, 0>): `secret.timers.t${typeof timer}` {
  return `secret.timers.t${timer}`;
}
