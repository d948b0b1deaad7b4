import type { Update } from '@tokki/protocol';
import type { ChatUpdateMessage } from '../bus/bus.js';
import type { StepWriter } from '../db/batch.js';
import { updateFrame } from './frames.js';

/** Who of a chat's members an update is not for, or is for with more. */
export interface Recipients {
  /** Members who joined after the message the update changes: not theirs. */
  exceptUserIds?: string[];
  /** The sender, whose own devices get the message's clientMsgId (no one else does). */
  sender?: ChatUpdateMessage['sender'];
}

/**
 * Stores a chat update at a pts the caller took with `w.nextPts()` (and set as the chat's
 * `last_pts`), and publishes it once committed. The JSON is serialized once, here, for the log
 * and for every live recipient.
 */
export async function logChatUpdate(
  w: StepWriter,
  chatId: string,
  pts: number,
  update: Update,
  alsoUserIds: string[] = [],
  recipients: Recipients = {},
): Promise<void> {
  const payload = JSON.stringify(update);
  const about = aboutSeq(update);
  await w.sql.run(
    'insert into chat_updates (pts, chat_id, payload, created_at, about_seq) values (?, ?, ?, ?, ?)',
    [pts, chatId, payload, w.now, about ?? null],
  );
  publishChatUpdate(w, chatId, pts, payload, alsoUserIds, { ...recipients, aboutSeq: about });
}

/**
 * The message an update changes, when it is not the message itself: members who joined after
 * that message cannot see it, and get none of its edits, deletion, reactions or pins.
 */
export function aboutSeq(update: Update): number | undefined {
  switch (update.kind) {
    case 'message.edited':
    case 'message.deleted':
    case 'message.reacted':
      return update.seq;
    case 'chat.pinned':
      return update.seq ?? undefined;
    default:
      return undefined;
  }
}

/**
 * PostgreSQL: `logChatUpdate` for many updates in one statement (a batch of sends), each at the
 * pts its caller took, published in the order given.
 */
export async function logChatUpdates(
  w: StepWriter,
  entries: readonly {
    chatId: string;
    pts: number;
    update: Update;
    sender?: ChatUpdateMessage['sender'];
  }[],
): Promise<void> {
  const payloads = entries.map((entry) => JSON.stringify(entry.update));
  await w.sql.run(
    `insert into chat_updates (pts, chat_id, payload, created_at)
     select * from unnest(?::bigint[], ?::text[], ?::text[], ?::bigint[])`,
    [entries.map((e) => e.pts), entries.map((e) => e.chatId), payloads, entries.map(() => w.now)],
  );
  entries.forEach((entry, i) =>
    publishChatUpdate(w, entry.chatId, entry.pts, payloads[i]!, [], { sender: entry.sender }),
  );
}

/** Publishes a stored chat update (its JSON as stored) once the batch commits. */
export function publishChatUpdate(
  w: StepWriter,
  chatId: string,
  pts: number,
  payload: string,
  alsoUserIds: string[] = [],
  recipients: Recipients & { aboutSeq?: number } = {},
): void {
  const frame = updateFrame(pts, payload);
  w.publish('chat.update', {
    chatId,
    pts,
    frame,
    alsoUserIds,
    ...(recipients.exceptUserIds?.length && { exceptUserIds: recipients.exceptUserIds }),
    ...(recipients.aboutSeq !== undefined && { aboutSeq: recipients.aboutSeq }),
    at: w.now,
    ...(recipients.sender && { sender: recipients.sender }),
  });
}
