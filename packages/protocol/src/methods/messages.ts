import { Type } from '@sinclair/typebox';
import { LIMITS } from '../limits.js';
import { MessageText } from '../message-text.js';
import { Id, Message, Reaction, Seq } from '../models.js';
import { method, Ok, Cursor, Params } from './define.js';

/** Messages. */
export const messageMethods = {
  'messages.send': method({
    summary:
      'Send a text message, or photos and files with a caption. Retrying with the same clientMsgId returns the original.',
    params: Params({
      chatId: Id,
      clientMsgId: Type.String({ minLength: 1, maxLength: LIMITS.CLIENT_MSG_ID_MAX }),
      /** The text, or the caption of `fileIds` (then it may be empty). */
      text: MessageText(),
      /** Answer (quote) this message of the same chat. */
      replyToSeq: Type.Optional(Seq),
      /** Files the sender uploaded to this chat (`/v1/uploads`), in order; several photos are an album. */
      fileIds: Type.Optional(
        Type.Array(Id, { minItems: 1, maxItems: LIMITS.FILES_PER_MESSAGE_MAX }),
      ),
    }),
    result: Type.Object({ message: Message }),
  }),
  'messages.history': method({
    summary: 'Messages newest first, one page at a time.',
    params: Params({
      chatId: Id,
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.HISTORY_PAGE_MAX })),
      cursor: Type.Optional(Cursor),
    }),
    result: Type.Object({
      messages: Type.Array(Message),
      cursor: Type.Union([Cursor, Type.Null()]),
    }),
  }),
  'messages.edit': method({
    summary: "Change the text of one's own message, within 24 hours of sending it.",
    params: Params({ chatId: Id, seq: Seq, text: MessageText({ minLength: 1 }) }),
    result: Type.Object({ message: Message }),
  }),
  'messages.forward': method({
    summary:
      'Send a copy of a message (its text and files) to other chats of the caller; all or none.',
    params: Params({
      chatId: Id,
      seq: Seq,
      toChatIds: Type.Array(Id, { minItems: 1, maxItems: LIMITS.FORWARD_TARGETS_MAX }),
      /**
       * A retry with the same one answers the copies already made. Each copy gets an id of its
       * own, derived from this and its chat, so copies cannot be tied together by it.
       */
      clientMsgId: Type.String({ minLength: 1, maxLength: LIMITS.CLIENT_MSG_ID_MAX }),
    }),
    result: Type.Object({ messages: Type.Array(Message) }),
  }),
  'messages.react': method({
    summary:
      "Set the caller's reaction to a message (one per member, from a fixed set), or take it back with null.",
    params: Params({ chatId: Id, seq: Seq, reaction: Type.Union([Reaction, Type.Null()]) }),
    result: Ok,
  }),
  'messages.delete': method({
    summary:
      "Delete a message: for everyone (one's own, within 24 hours; a tombstone remains) or only for oneself (any message).",
    params: Params({ chatId: Id, seq: Seq, forEveryone: Type.Boolean() }),
    result: Ok,
  }),
  'messages.search': method({
    summary:
      "The caller's messages containing the text, newest first, in every chat of theirs or one. Works for Korean, Japanese and English (substring match).",
    params: Params({
      query: Type.String({ minLength: 1, maxLength: LIMITS.SEARCH_QUERY_MAX * 4 }),
      chatId: Type.Optional(Id),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.SEARCH_PAGE_MAX })),
      cursor: Type.Optional(Cursor),
    }),
    result: Type.Object({
      messages: Type.Array(Message),
      cursor: Type.Union([Cursor, Type.Null()]),
    }),
  }),
  'messages.get': method({
    summary:
      'Messages of a chat by seq: those the caller can see, in seq order (others are left out).',
    params: Params({
      chatId: Id,
      seqs: Type.Array(Seq, { minItems: 1, maxItems: LIMITS.HISTORY_PAGE_MAX }),
    }),
    result: Type.Object({ messages: Type.Array(Message) }),
  }),
  'messages.markRead': method({
    summary: 'Move the read pointer forward to seq (it never moves back).',
    params: Params({ chatId: Id, seq: Seq }),
    result: Type.Object({ readSeq: Seq }),
  }),
} as const;
