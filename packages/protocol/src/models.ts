import { Type, type Static } from '@sinclair/typebox';
import { LIMITS } from './limits.js';

/** Opaque identifiers chosen by the server. */
export const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });

/** Milliseconds since the Unix epoch. */
export const Timestamp = Type.Integer({ minimum: 0 });

export const Seq = Type.Integer({ minimum: 0 });
export const Pts = Type.Integer({ minimum: 0 });

export const User = Type.Object({
  id: Id,
  displayName: Type.String(),
  statusMessage: Type.String(),
});
export type User = Static<typeof User>;

/** The signed-in user sees their own phone number; other users' numbers are never returned. */
export const Me = Type.Composite([User, Type.Object({ phone: Type.String() })]);
export type Me = Static<typeof Me>;

export const Device = Type.Object({
  id: Id,
  name: Type.String(),
  createdAt: Timestamp,
  lastSeenAt: Timestamp,
  current: Type.Boolean(),
});
export type Device = Static<typeof Device>;

export const Message = Type.Object({
  chatId: Id,
  /** Gapless per chat, starting at 1. */
  seq: Seq,
  senderId: Id,
  clientMsgId: Type.String(),
  text: Type.String(),
  createdAt: Timestamp,
});
export type Message = Static<typeof Message>;

export const ChatKind = Type.Union([Type.Literal('direct'), Type.Literal('group')]);
export type ChatKind = Static<typeof ChatKind>;

export const Chat = Type.Object({
  id: Id,
  kind: ChatKind,
  /** Group title; for a direct chat, empty (clients show the other member's name). */
  title: Type.String(),
  memberCount: Type.Integer({ minimum: 0 }),
  /** For a direct chat, the other member; absent for groups. */
  peer: Type.Optional(User),
  /** Seq of the newest message, 0 when there is none. */
  lastSeq: Seq,
  lastMessage: Type.Union([Message, Type.Null()]),
  /** When the chat last changed in a way that moves it up the list. */
  lastActivityAt: Timestamp,
  /** The caller's read pointer: every message with seq <= readSeq is read. */
  readSeq: Seq,
  /** Messages after the caller's read pointer. */
  unreadCount: Type.Integer({ minimum: 0 }),
  /** Messages with seq <= joinedSeq were sent before the caller joined and are not visible. */
  joinedSeq: Seq,
});
export type Chat = Static<typeof Chat>;

export const MemberRole = Type.Union([Type.Literal('owner'), Type.Literal('member')]);

export const Member = Type.Object({
  user: User,
  role: MemberRole,
  readSeq: Seq,
  joinedSeq: Seq,
});
export type Member = Static<typeof Member>;

/** Things that change what a user sees. Each is delivered with a per-user, increasing `pts`. */
export const Update = Type.Union([
  Type.Object({ kind: Type.Literal('message.new'), message: Message }),
  Type.Object({
    kind: Type.Literal('chat.read'),
    chatId: Id,
    userId: Id,
    readSeq: Seq,
  }),
  Type.Object({
    kind: Type.Literal('chat.joined'),
    /** Users who joined (a new chat's creator included); fetch the chat with `chats.get`. */
    chatId: Id,
    userIds: Type.Array(Id, { maxItems: LIMITS.MEMBERS_PER_CALL_MAX + 1 }),
    byUserId: Id,
  }),
  Type.Object({ kind: Type.Literal('chat.left'), chatId: Id, userId: Id }),
  Type.Object({
    kind: Type.Literal('chat.renamed'),
    chatId: Id,
    title: Type.String(),
    byUserId: Id,
  }),
  Type.Object({ kind: Type.Literal('profile.updated'), user: User }),
]);
export type Update = Static<typeof Update>;
export type UpdateKind = Update['kind'];

/** Ephemeral events: no pts, not stored, not replayed on catch-up. */
export const Event = Type.Union([
  Type.Object({ kind: Type.Literal('typing'), chatId: Id, userId: Id }),
]);
export type Event = Static<typeof Event>;
