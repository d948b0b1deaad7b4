import { SECRET_TIMERS, type SecretTimer } from '@tokki/protocol';
import type { SecretMessage } from '@tokki/sdk/secret';

/** A contact's keys changed: shown after the message with seq `afterSeq`. */
export interface KeyChangeLine {
  userId: string;
  afterSeq: number;
  wasVerified: boolean;
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
  | { kind: 'keyChange'; key: string; userId: string; wasVerified: boolean };

/**
 * A secret chat's lines: its messages (self-destructed ones are already gone from `messages`),
 * timer changes as service lines, and key-change warnings after the message they followed.
 */
export function secretTimeline(
  messages: readonly SecretMessage[],
  keyChanges: readonly KeyChangeLine[],
  myId: string,
): SecretLine[] {
  const lines: SecretLine[] = [];
  const warnings = [...keyChanges].sort((a, b) => a.afterSeq - b.afterSeq);
  let w = 0;
  const warnUpTo = (seq: number) => {
    for (; w < warnings.length && warnings[w]!.afterSeq <= seq; w++) {
      const { userId, wasVerified, afterSeq } = warnings[w]!;
      lines.push({ kind: 'keyChange', key: `k${afterSeq}:${userId}:${w}`, userId, wasVerified });
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
