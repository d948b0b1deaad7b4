import { LIMITS, type Message } from '@tokki/protocol';
import type { ChatsService } from '../chats/service.js';
import { decodeCursor, encodeCursor } from '../chats/cursor.js';
import type { Database } from '../db/database.js';
import type { WriteQueue } from '../db/write-queue.js';
import { ApiError } from '../errors.js';
import type { UpdatesService } from '../updates/service.js';
import * as store from './store.js';

/** Sending, history and read pointers. */
export class MessagesService {
  constructor(
    private readonly database: Database,
    private readonly writes: WriteQueue,
    private readonly chats: ChatsService,
    private readonly updates: UpdatesService,
  ) {}

  /**
   * Stores a message and answers once it is durably committed (see `sendStep`). The same
   * `clientMsgId` from the same sender in the same chat returns the original message.
   */
  async send(
    senderId: string,
    chatId: string,
    clientMsgId: string,
    text: string,
  ): Promise<Message> {
    if ([...text].length > LIMITS.MESSAGE_TEXT_MAX) {
      throw new ApiError(
        'TEXT_TOO_LONG',
        `Text is limited to ${LIMITS.MESSAGE_TEXT_MAX} characters.`,
      );
    }
    if (!text.trim()) throw new ApiError('INVALID_PARAMS', 'Text is empty.');
    return this.writes.runCommand({ kind: 'message.send', senderId, chatId, clientMsgId, text });
  }

  async history(userId: string, chatId: string, limit: number, cursor: string | undefined) {
    const membership = await this.chats.requireMember(null, chatId, userId);
    const before = cursor ? decodeCursor(cursor, isSeq) : null;
    const rows = await store.historyPage(
      this.database.db,
      chatId,
      membership.joined_seq,
      before,
      limit + 1,
    );
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      messages: page.map(store.toMessage),
      cursor: rows.length > limit && last ? encodeCursor(last.seq) : null,
    };
  }

  /** Moves the caller's read pointer forward to `seq` (clamped to the newest message). */
  async markRead(userId: string, chatId: string, seq: number): Promise<number> {
    return this.writes.run(async (w) => {
      const membership = await this.chats.requireMember(w, chatId, userId);
      const chat = await w.db
        .selectFrom('chats')
        .select('last_seq')
        .where('id', '=', chatId)
        .executeTakeFirstOrThrow();
      const readSeq = Math.min(seq, chat.last_seq);
      if (readSeq <= membership.read_seq) return membership.read_seq;
      await store.setReadSeq(w.sql, chatId, userId, readSeq);
      await this.updates.appendChatUpdate(w, chatId, {
        kind: 'chat.read',
        chatId,
        userId,
        readSeq,
      });
      return readSeq;
    });
  }

  async lastMessages(keys: { chatId: string; seq: number }[]): Promise<Map<string, Message>> {
    const rows = await store.findByKeys(this.database.db, keys);
    return new Map(rows.map((row) => [row.chat_id, store.toMessage(row)]));
  }
}

const isSeq = (value: unknown): value is number => Number.isInteger(value) && (value as number) > 0;
