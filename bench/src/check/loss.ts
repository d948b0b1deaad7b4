import type { BenchDatabase } from '../database.js';
import type { AckedMessage } from '../generator/protocol.js';

/** How acknowledged messages compare with the messages table. */
export interface StoreCheck {
  /** Acknowledged messages checked. */
  checked: number;
  /** Acknowledged, yet not in the table: lost. */
  missing: number;
  /** In the table more than once (chat and clientMsgId): stored twice. */
  duplicated: number;
  /** In the table under another seq than the ack said. */
  wrongSeq: number;
}

/**
 * Every acknowledged message must be in the messages table exactly once, under the seq its ack
 * carried. The clientMsgIds the harness sends are unique per chat, so (chat, clientMsgId) names
 * one message.
 */
export async function checkStored(
  database: BenchDatabase,
  acked: readonly AckedMessage[],
): Promise<StoreCheck> {
  const chatIds = [...new Set(acked.map((message) => message.chatId))];
  const stored = new Map<string, { seq: number; copies: number }>();
  for (const row of await database.messagesIn(chatIds)) {
    const key = `${row.chatId}\n${row.clientMsgId}`;
    const seen = stored.get(key);
    if (seen) seen.copies += 1;
    else stored.set(key, { seq: row.seq, copies: 1 });
  }
  const check: StoreCheck = { checked: acked.length, missing: 0, duplicated: 0, wrongSeq: 0 };
  for (const message of acked) {
    const row = stored.get(`${message.chatId}\n${message.clientMsgId}`);
    if (!row) check.missing += 1;
    else if (row.copies > 1) check.duplicated += 1;
    else if (row.seq !== message.seq) check.wrongSeq += 1;
  }
  return check;
}

/**
 * Lost messages: acknowledged ones missing from the database, plus deliveries that never came
 * (a message acked to its sender but never received by a recipient). Either way a user would
 * miss it.
 */
export function lostCount(store: StoreCheck, missingDeliveries: number): number {
  return store.missing + missingDeliveries;
}
