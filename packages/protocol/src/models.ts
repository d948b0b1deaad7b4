import { Type, type Static } from '@sinclair/typebox';
import { LIMITS, REACTIONS } from './limits.js';

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
  /**
   * The profile picture, null when there is none: `GET /v1/photos/<photo>` (`?size=small` for a
   * thumbnail). A new picture gets a new random id, which only those who may see it are given.
   */
  photo: Type.Union([Id, Type.Null()]),
});
export type User = Static<typeof User>;

/** Letters, digits, `.` and `_`; stored and matched in lower case. */
export const TokkiId = Type.String({ minLength: 4, maxLength: 20, pattern: '^[A-Za-z0-9._]+$' });

/** The signed-in user sees their own phone number; other users' numbers are never returned. */
export const Me = Type.Composite([
  User,
  Type.Object({
    phone: Type.String(),
    /** The optional username others can add this user by instead of a number. */
    tokkiId: Type.Union([Type.String(), Type.Null()]),
  }),
]);
export type Me = Static<typeof Me>;

/** Someone in the caller's friend list. */
export const Friend = Type.Object({
  user: User,
  /** The name the caller's address book gives them, shown instead of their own; null if none. */
  contactName: Type.Union([Type.String(), Type.Null()]),
  favorite: Type.Boolean(),
  /** Hidden friends stay friends but are listed apart. */
  hidden: Type.Boolean(),
  since: Timestamp,
});
export type Friend = Static<typeof Friend>;

/** A user who has the caller's number in their address book, though the caller has not them. */
export const Recommendation = Type.Object({ user: User, since: Timestamp });
export type Recommendation = Static<typeof Recommendation>;

export const Device = Type.Object({
  id: Id,
  name: Type.String(),
  createdAt: Timestamp,
  lastSeenAt: Timestamp,
  current: Type.Boolean(),
});
export type Device = Static<typeof Device>;

/**
 * A file uploaded to a chat (`/v1/uploads`, tus 1.0). Images are stored re-encoded, upright and
 * without EXIF, with a thumbnail and a BlurHash placeholder; other files byte for byte.
 */
export const FileInfo = Type.Object({
  id: Id,
  chatId: Id,
  name: Type.String(),
  /** Of the bytes served, sniffed from them: the uploader's declared type is not trusted. */
  mime: Type.String(),
  /** Bytes served (for an image: its re-encoded form). */
  size: Type.Integer({ minimum: 0 }),
  kind: Type.Union([Type.Literal('image'), Type.Literal('file')]),
  width: Type.Optional(Type.Integer({ minimum: 1 })),
  height: Type.Optional(Type.Integer({ minimum: 1 })),
  /** A placeholder to paint while the thumbnail loads (https://blurha.sh). */
  blurhash: Type.Optional(Type.String()),
  createdAt: Timestamp,
});
export type FileInfo = Static<typeof FileInfo>;

/** One of `REACTIONS` (limits.ts). */
export const Reaction = Type.Union(REACTIONS.map((r) => Type.Literal(r)));
export type Reaction = (typeof REACTIONS)[number];

export const Message = Type.Object({
  chatId: Id,
  /** Gapless per chat, starting at 1. */
  seq: Seq,
  senderId: Id,
  /**
   * The id the sending device chose, to match its pending send: only in answers to the sender
   * (the send's answer, history, search, messages.get), never to other members nor in updates.
   */
  clientMsgId: Type.Optional(Type.String()),
  /** Empty once deleted for everyone. */
  text: Type.String(),
  createdAt: Timestamp,
  /** When the sender last edited it (clients show "edited"); null if never. */
  editedAt: Type.Union([Timestamp, Type.Null()]),
  /** When the sender deleted it for everyone: a tombstone remains, without its text. */
  deletedAt: Type.Union([Timestamp, Type.Null()]),
  /** The message of the same chat this one answers (quotes); absent when it answers none. */
  replyToSeq: Type.Optional(Seq),
  /**
   * Who reacted how, one reaction per member (KakaoTalk's 공감); absent when nobody did. Keep it
   * current with `message.reacted`.
   */
  reactions: Type.Optional(
    Type.Array(Type.Object({ reaction: Reaction, userIds: Type.Array(Id, { minItems: 1 }) })),
  ),
  /** Photos and files, in the sender's order (several photos: an album); absent when none. */
  files: Type.Optional(Type.Array(FileInfo)),
});
export type Message = Static<typeof Message>;

/** What a link in a message looks like, from the page's Open Graph or HTML meta tags. */
export const LinkPreview = Type.Object({
  /** The page's address after redirects. */
  url: Type.String(),
  siteName: Type.Union([Type.String(), Type.Null()]),
  title: Type.Union([Type.String(), Type.Null()]),
  description: Type.Union([Type.String(), Type.Null()]),
  /**
   * The page's image as Tokki serves it (`/v1/link-images/<id>?t=…`, relative to the server):
   * fetched and re-encoded by the server, so a reader's browser never contacts the site for it.
   * Null when the page has none or it could not be fetched.
   */
  imageUrl: Type.Union([Type.String(), Type.Null()]),
});
export type LinkPreview = Static<typeof LinkPreview>;

/**
 * A 1:1 chat, a group of people who know each other, or an open chat (KakaoTalk's 오픈채팅):
 * a room anyone may join by its link (or, when listed, from `open.search`), where every member
 * is known by a nickname of that room only — never by their user id, profile or number.
 */
export const ChatKind = Type.Union([
  Type.Literal('direct'),
  Type.Literal('group'),
  Type.Literal('open'),
  /** End-to-end encrypted (MLS, docs/adr/008-secret-chats.md): only `secret.*` methods. */
  Type.Literal('secret'),
]);
export type ChatKind = Static<typeof ChatKind>;

/** An open chat's own settings, set by its host (owner) and co-hosts (admins). */
export const OpenChatSettings = Type.Object({
  description: Type.String({ maxLength: LIMITS.OPEN_CHAT_DESCRIPTION_MAX }),
  /** The most members it takes; joins beyond it fail with GROUP_FULL. */
  memberLimit: Type.Integer({ minimum: 2, maximum: LIMITS.GROUP_MEMBERS_MAX }),
  /** Found by `open.search`; unlisted rooms are joined by their link only. */
  listed: Type.Boolean(),
});
export type OpenChatSettings = Static<typeof OpenChatSettings>;

/** What anyone may see of an open chat before joining it. */
export const OpenChatSummary = Type.Composite([
  Type.Object({ id: Id, title: Type.String(), memberCount: Type.Integer({ minimum: 0 }) }),
  OpenChatSettings,
]);
export type OpenChatSummary = Static<typeof OpenChatSummary>;

/** What an invite link leads to, shown before joining. */
export const InvitePreview = Type.Object({
  kind: Type.Union([Type.Literal('group'), Type.Literal('open')]),
  title: Type.String(),
  memberCount: Type.Integer({ minimum: 0 }),
  /** For an open chat: its settings. */
  open: Type.Optional(OpenChatSettings),
});
export type InvitePreview = Static<typeof InvitePreview>;

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
  /** The message pinned at the top of the chat; absent when none. */
  pinnedSeq: Type.Optional(Seq),
  /** The caller muted it: no notification, no badge. Absent when not. */
  muted: Type.Optional(Type.Literal(true)),
  /**
   * Open chats only: the caller's id inside this chat (their room profile), used wherever the
   * chat names a member — `senderId`, reactions, read pointers, `chats.members`. Elsewhere a
   * member is named by their user id.
   */
  selfId: Type.Optional(Id),
  /** Open chats only: the room's settings. */
  open: Type.Optional(OpenChatSettings),
});
export type Chat = Static<typeof Chat>;

/** A group's owner (one), its admins (who may remove members) and everyone else. */
export const MemberRole = Type.Union([
  Type.Literal('owner'),
  Type.Literal('admin'),
  Type.Literal('member'),
]);

export const Member = Type.Object({
  /**
   * In an open chat, the member's room profile: its id (not their user id), their nickname as
   * `displayName`, and nothing else of theirs.
   */
  user: User,
  role: MemberRole,
  readSeq: Seq,
  joinedSeq: Seq,
  /** Asked for by id (`chats.members {userIds}`): no longer a member. Absent for members. */
  left: Type.Optional(Type.Literal(true)),
});
export type Member = Static<typeof Member>;

/** Bytes on the wire: standard base64 with padding (RFC 4648 §4), at most `maxBytes` decoded. */
export const Base64 = (maxBytes: number) =>
  Type.String({ maxLength: Math.ceil(maxBytes / 3) * 4, pattern: '^[A-Za-z0-9+/]*={0,2}$' });

/** A device by its user: a leaf of a secret chat's MLS group. */
export const DeviceRef = Type.Object({ userId: Id, deviceId: Id });
export type DeviceRef = Static<typeof DeviceRef>;

/** A device's published identity key (its MLS signature key, Ed25519), the directory clients check. */
export const SecretDevice = Type.Object({
  userId: Id,
  deviceId: Id,
  signatureKey: Base64(32),
  publishedAt: Timestamp,
});
export type SecretDevice = Static<typeof SecretDevice>;

/** An MLS group's epoch: 0 when created, one more with each commit. */
export const Epoch = Type.Integer({ minimum: 0 });

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
  /** A member left, or was removed by `byUserId` (an owner or admin). */
  Type.Object({
    kind: Type.Literal('chat.left'),
    chatId: Id,
    userId: Id,
    byUserId: Type.Optional(Id),
  }),
  Type.Object({
    kind: Type.Literal('chat.role'),
    chatId: Id,
    userId: Id,
    role: MemberRole,
    byUserId: Id,
  }),
  /** The caller muted or unmuted a chat (on another device, say). */
  Type.Object({ kind: Type.Literal('chat.muted'), chatId: Id, muted: Type.Boolean() }),
  /** A member pinned a message at the top of the chat, or unpinned it (null). */
  Type.Object({
    kind: Type.Literal('chat.pinned'),
    chatId: Id,
    seq: Type.Union([Seq, Type.Null()]),
    byUserId: Id,
  }),
  /** The host or a co-host changed an open chat's settings. */
  Type.Object({
    kind: Type.Literal('chat.open'),
    chatId: Id,
    open: OpenChatSettings,
    byUserId: Id,
  }),
  /** A member of an open chat took another nickname there (`userId` is their room profile). */
  Type.Object({
    kind: Type.Literal('chat.nickname'),
    chatId: Id,
    userId: Id,
    nickname: Type.String(),
  }),
  Type.Object({
    kind: Type.Literal('chat.renamed'),
    chatId: Id,
    title: Type.String(),
    byUserId: Id,
  }),
  /** The sender changed the text (within 24 hours of sending). */
  Type.Object({
    kind: Type.Literal('message.edited'),
    chatId: Id,
    seq: Seq,
    text: Type.String(),
    editedAt: Timestamp,
  }),
  /** The sender deleted it for everyone (within 24 hours): show a tombstone. */
  Type.Object({
    kind: Type.Literal('message.deleted'),
    chatId: Id,
    seq: Seq,
    deletedAt: Timestamp,
  }),
  /** A member reacted to a message, changed or took back (null) their reaction. */
  Type.Object({
    kind: Type.Literal('message.reacted'),
    chatId: Id,
    seq: Seq,
    userId: Id,
    reaction: Type.Union([Reaction, Type.Null()]),
  }),
  /** The caller deleted it for themselves (on another device, say): stop showing it. */
  Type.Object({ kind: Type.Literal('message.hidden'), chatId: Id, seq: Seq }),
  /** The caller's own profile, or a friend's. */
  Type.Object({ kind: Type.Literal('profile.updated'), user: User }),
  /** Added to, or changed in, the caller's friend list (on any of their devices). */
  Type.Object({ kind: Type.Literal('friend.added'), friend: Friend }),
  Type.Object({ kind: Type.Literal('friend.updated'), friend: Friend }),
  /** Out of the friend list: blocked by the caller. */
  Type.Object({ kind: Type.Literal('friend.removed'), userId: Id }),
  Type.Object({ kind: Type.Literal('recommendation.added'), recommendation: Recommendation }),
  /** Added, dismissed or blocked by the caller. */
  Type.Object({ kind: Type.Literal('recommendation.removed'), userId: Id }),
  Type.Object({ kind: Type.Literal('block.added'), user: User }),
  Type.Object({ kind: Type.Literal('block.removed'), userId: Id }),
  /**
   * A secret chat's message: an MLS ciphertext only its members' devices can read. `data` is null
   * once the server no longer holds it (every device acknowledged it, or its TTL passed).
   */
  Type.Object({
    kind: Type.Literal('secret.message'),
    chatId: Id,
    seq: Seq,
    senderId: Id,
    deviceId: Id,
    epoch: Epoch,
    data: Type.Union([Base64(LIMITS.SECRET_MESSAGE_BYTES_MAX), Type.Null()]),
    sentAt: Timestamp,
    expiresAt: Timestamp,
  }),
  /**
   * A commit that moved a secret chat's group to `epoch`, and the Welcome for the devices it
   * added. Every member device processes every commit, in order.
   */
  Type.Object({
    kind: Type.Literal('secret.commit'),
    chatId: Id,
    epoch: Epoch,
    senderId: Id,
    deviceId: Id,
    data: Base64(LIMITS.SECRET_HANDSHAKE_BYTES_MAX),
    welcome: Type.Union([Base64(LIMITS.SECRET_HANDSHAKE_BYTES_MAX), Type.Null()]),
    added: Type.Array(DeviceRef),
    removed: Type.Array(DeviceRef),
    at: Timestamp,
  }),
  /** A member's new device published its identity: a member should commit adding it. */
  Type.Object({
    kind: Type.Literal('secret.deviceAdded'),
    chatId: Id,
    userId: Id,
    deviceId: Id,
  }),
  /** A member's device was revoked: a member must commit its removal before anyone sends. */
  Type.Object({
    kind: Type.Literal('secret.deviceRevoked'),
    chatId: Id,
    userId: Id,
    deviceId: Id,
  }),
  /** The caller's device `deviceId` has few one-time key packages left: upload more. */
  Type.Object({
    kind: Type.Literal('secret.keyPackagesLow'),
    deviceId: Id,
    remaining: Type.Integer({ minimum: 0 }),
  }),
]);
export type Update = Static<typeof Update>;
export type UpdateKind = Update['kind'];

/** Who may see when a user is online and when they were last (Telegram's "last seen"). */
export const LastSeenPrivacy = Type.Union([
  Type.Literal('everyone'),
  /** Those in the user's friend list. */
  Type.Literal('friends'),
  Type.Literal('nobody'),
]);
export type LastSeenPrivacy = Static<typeof LastSeenPrivacy>;

/**
 * Whether a user is connected now, or when they last were: `hidden` when their privacy setting
 * does not let the caller know (or there is no such user: the answer is the same).
 */
export const Presence = Type.Object({
  userId: Id,
  state: Type.Union([Type.Literal('online'), Type.Literal('offline'), Type.Literal('hidden')]),
  /** For `offline`: when their last device went away; null if never seen. */
  lastSeenAt: Type.Optional(Type.Union([Timestamp, Type.Null()])),
});
export type Presence = Static<typeof Presence>;

/** Ephemeral events: no pts, not stored, not replayed on catch-up. */
export const Event = Type.Union([
  Type.Object({ kind: Type.Literal('typing'), chatId: Id, userId: Id }),
  /** A watched user came online or went offline (`presence.watch`). */
  Type.Object({ kind: Type.Literal('presence'), presence: Presence }),
]);
export type Event = Static<typeof Event>;
