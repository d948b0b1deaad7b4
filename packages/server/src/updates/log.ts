import type { Update } from '@tokki/protocol';
import type { ChatUpdateMessage } from '../bus/bus.js';
import type { StepWriter } from '../db/batch.js';
import { updateFrame } from './frames.js';

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
  sender?: ChatUpdateMessage['sender'],
): Promise<void> {
  const payload = JSON.stringify(update);
  await w.sql.run(
    'insert into chat_updates (pts, chat_id, payload, created_at) values (?, ?, ?, ?)',
    [pts, chatId, payload, w.now],
  );
  publishChatUpdate(w, chatId, pts, payload, alsoUserIds, sender);
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
    publishChatUpdate(w, entry.chatId, entry.pts, payloads[i]!, [], entry.sender),
  );
}

/** Publishes a stored chat update (its JSON as stored) once the batch commits. */
export function publishChatUpdate(
  w: StepWriter,
  chatId: string,
  pts: number,
  payload: string,
  alsoUserIds: string[] = [],
  sender?: ChatUpdateMessage['sender'],
): void {
  const frame = updateFrame(pts, payload);
  w.publish('chat.update', {
    chatId,
    pts,
    frame,
    alsoUserIds,
    at: w.now,
    ...(sender && { sender }),
  });
}
