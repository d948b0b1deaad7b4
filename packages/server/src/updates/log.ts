import type { Update } from '@tokki/protocol';
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
): Promise<void> {
  const payload = JSON.stringify(update);
  await w.sql.run(
    'insert into chat_updates (pts, chat_id, payload, created_at) values (?, ?, ?, ?)',
    [pts, chatId, payload, w.now],
  );
  publishChatUpdate(w, chatId, pts, payload, alsoUserIds);
}

/** Publishes a stored chat update (its JSON as stored) once the batch commits. */
export function publishChatUpdate(
  w: StepWriter,
  chatId: string,
  pts: number,
  payload: string,
  alsoUserIds: string[] = [],
): void {
  const frame = updateFrame(pts, payload);
  w.publish('chat.update', { chatId, pts, frame, alsoUserIds, at: w.now });
}
