import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { LIMITS } from './limits.js';
import { MessageText } from './message-text.js';
import {
  Chat,
  Device,
  FileInfo,
  Friend,
  Id,
  InvitePreview,
  LastSeenPrivacy,
  LinkPreview,
  Me,
  Member,
  Message,
  OpenChatSummary,
  Presence,
  Pts,
  Reaction,
  Recommendation,
  Seq,
  Timestamp,
  TokkiId,
  Update,
  User,
} from './models.js';

/**
 * Every API method, once. The server validates with these schemas on both transports
 * (HTTP `POST /v1/<method>` and WebSocket `req` frames), the SDK takes its types from them and
 * the OpenAPI document is generated from them.
 */
interface MethodSpec {
  params: TSchema;
  result: TSchema;
  /** False only for the sign-in flow. */
  auth: boolean;
  summary: string;
}

const method = <P extends TSchema, R extends TSchema>(spec: {
  params: P;
  result: R;
  auth?: boolean;
  summary: string;
}) => ({ auth: true, ...spec }) satisfies MethodSpec;

const Empty = Type.Object({}, { additionalProperties: false });
const Ok = Type.Object({});
const Cursor = Type.String({ maxLength: 256 });

const Params = <T extends Parameters<typeof Type.Object>[0]>(properties: T) =>
  Type.Object(properties, { additionalProperties: false });

const Phone = Type.String({ minLength: 3, maxLength: 32 });
const InviteToken = Type.String({ minLength: 1, maxLength: 64 });
/** Checked again once trimmed: it must not be blank, and is counted in code points. */
const Nickname = Type.String({ minLength: 1, maxLength: LIMITS.NICKNAME_MAX * 2 });
const MemberLimit = Type.Integer({ minimum: 2, maximum: LIMITS.GROUP_MEMBERS_MAX });
/** An open chat by id (listed ones) or by invite token (any): one of the two, not both. */
const OpenChatRef = <T extends Parameters<typeof Type.Object>[0]>(properties: T) =>
  Type.Union([
    Params({ chatId: Id, ...properties }),
    Params({ token: InviteToken, ...properties }),
  ]);
const Text = (max: number) => Type.String({ maxLength: max });

export const UpdateEnvelope = Type.Object({ pts: Pts, update: Update });
export type UpdateEnvelope = Static<typeof UpdateEnvelope>;

export const Difference = Type.Union([
  Type.Object({
    kind: Type.Literal('updates'),
    updates: Type.Array(UpdateEnvelope),
    /**
     * The pts to send next time: the last update's while more are waiting; when final, the point
     * the server read up to (at least the caller's own), so nothing below it is missing.
     */
    pts: Pts,
    /** False when more updates are waiting: call again with `pts`. */
    final: Type.Boolean(),
  }),
  Type.Object({
    kind: Type.Literal('tooLong'),
    /** Reload chat state (chats.list, history), then continue from this pts. */
    pts: Pts,
  }),
]);
export type Difference = Static<typeof Difference>;

export const methods = {
  'server.getInfo': method({
    auth: false,
    summary: 'What this server is: its mode decides whether test numbers sign in.',
    params: Empty,
    result: Type.Object({
      name: Type.String(),
      version: Type.String(),
      mode: Type.Union([Type.Literal('local'), Type.Literal('production')]),
      /** Local mode: `+99966XYYYY` signs in with X five times, and codes go to the server log. */
      testNumbers: Type.Boolean(),
    }),
  }),
  'auth.requestCode': method({
    auth: false,
    summary: 'Send a sign-in code to a phone number.',
    params: Params({ phone: Phone }),
    result: Type.Object({
      phone: Type.String({ description: 'The number in E.164 form.' }),
      codeLength: Type.Integer(),
      expiresInSeconds: Type.Integer(),
    }),
  }),
  'auth.signIn': method({
    auth: false,
    summary: 'Exchange a code for a device token; creates the account on first sign-in.',
    params: Params({
      phone: Phone,
      code: Type.String({ minLength: 1, maxLength: 16 }),
      deviceName: Type.Optional(Text(LIMITS.DEVICE_NAME_MAX)),
      displayName: Type.Optional(Text(LIMITS.DISPLAY_NAME_MAX)),
    }),
    result: Type.Object({
      token: Type.String(),
      me: Me,
      deviceId: Id,
      newUser: Type.Boolean(),
    }),
  }),
  'auth.signOut': method({
    summary: "Revoke the calling device's token.",
    params: Empty,
    result: Ok,
  }),
  'devices.list': method({
    summary: "The caller's signed-in devices.",
    params: Empty,
    result: Type.Object({ devices: Type.Array(Device) }),
  }),
  'devices.revoke': method({
    summary: 'Sign a device out; its token is refused at once and its WebSocket closed.',
    params: Params({ deviceId: Id }),
    result: Ok,
  }),
  'profile.get': method({
    summary: "The caller's own profile.",
    params: Empty,
    result: Me,
  }),
  'profile.update': method({
    summary: 'Change display name, status message or Tokki ID (null removes it).',
    params: Params({
      displayName: Type.Optional(Type.String({ minLength: 1, maxLength: LIMITS.DISPLAY_NAME_MAX })),
      statusMessage: Type.Optional(Text(LIMITS.STATUS_MESSAGE_MAX)),
      tokkiId: Type.Optional(Type.Union([TokkiId, Type.Null()])),
    }),
    result: Me,
  }),
  'profile.removePhoto': method({
    summary: 'Remove the profile picture (set one with POST /v1/profile/photo and the image).',
    params: Empty,
    result: Me,
  }),
  'contacts.sync': method({
    summary:
      "Add entries to, or remove them from, the caller's address book on the server. Contacts who use Tokki become friends.",
    params: Params({
      add: Type.Optional(
        Type.Array(
          Type.Object(
            { phone: Phone, name: Type.Optional(Text(LIMITS.CONTACT_NAME_MAX)) },
            { additionalProperties: false },
          ),
          { maxItems: LIMITS.CONTACTS_PER_CALL_MAX },
        ),
      ),
      remove: Type.Optional(Type.Array(Phone, { maxItems: LIMITS.CONTACTS_PER_CALL_MAX })),
    }),
    result: Type.Object({
      /** New entries (numbers counted against the daily discovery limit). */
      added: Type.Integer(),
      /** Entries already there whose name changed. */
      renamed: Type.Integer(),
      removed: Type.Integer(),
      /** Entries that are not phone numbers, by their index in `add` or `remove`; nothing stored. */
      rejected: Type.Array(
        Type.Object({
          list: Type.Union([Type.Literal('add'), Type.Literal('remove')]),
          index: Type.Integer(),
          reason: Type.String(),
        }),
      ),
      /** Friends this sync made. */
      friendsAdded: Type.Array(Friend),
    }),
  }),
  'friends.list': method({
    summary: "The caller's friends, hidden ones included (blocked users are not friends).",
    params: Empty,
    result: Type.Object({ friends: Type.Array(Friend) }),
  }),
  'friends.add': method({
    summary: 'Add a friend by phone number or by Tokki ID (counts against the discovery limit).',
    params: Params({ phone: Type.Optional(Phone), tokkiId: Type.Optional(TokkiId) }),
    result: Friend,
  }),
  'friends.addById': method({
    summary: 'Add a user the caller already knows by id (a recommendation, a chat member).',
    params: Params({ userId: Id }),
    result: Friend,
  }),
  'friends.update': method({
    summary: 'Favourite or hide a friend, or rename them for the caller.',
    params: Params({
      userId: Id,
      favorite: Type.Optional(Type.Boolean()),
      hidden: Type.Optional(Type.Boolean()),
      contactName: Type.Optional(
        Type.Union([
          Type.String({ minLength: 1, maxLength: LIMITS.CONTACT_NAME_MAX }),
          Type.Null(),
        ]),
      ),
    }),
    result: Friend,
  }),
  'friends.recommended': method({
    summary: "Users who have the caller's number but are not the caller's friends.",
    params: Empty,
    result: Type.Object({ recommendations: Type.Array(Recommendation) }),
  }),
  'friends.dismiss': method({
    summary: 'Never recommend this user again.',
    params: Params({ userId: Id }),
    result: Ok,
  }),
  'friends.block': method({
    summary:
      'Block a user: no messages or new chats from them, no profile changes to them. They are not told.',
    params: Params({ userId: Id }),
    result: Ok,
  }),
  'friends.unblock': method({
    summary: 'Unblock a user; a former friend is a friend again.',
    params: Params({ userId: Id }),
    result: Ok,
  }),
  'friends.blocked': method({
    summary: 'The users the caller blocked.',
    params: Empty,
    result: Type.Object({ users: Type.Array(User) }),
  }),
  'users.get': method({
    summary: 'Public profiles by id.',
    params: Params({
      userIds: Type.Array(Id, { minItems: 1, maxItems: LIMITS.USERS_PER_CALL_MAX }),
    }),
    result: Type.Object({ users: Type.Array(User) }),
  }),
  'users.lookupPhone': method({
    summary: 'Find the user with a phone number, to start a chat.',
    params: Params({ phone: Phone }),
    result: Type.Object({ user: Type.Union([User, Type.Null()]) }),
  }),
  'chats.list': method({
    summary: "The caller's chats, most recent activity first.",
    params: Params({
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.CHAT_LIST_PAGE_MAX })),
      cursor: Type.Optional(Cursor),
    }),
    result: Type.Object({ chats: Type.Array(Chat), cursor: Type.Union([Cursor, Type.Null()]) }),
  }),
  'chats.get': method({
    summary: 'One chat the caller is a member of.',
    params: Params({ chatId: Id }),
    result: Chat,
  }),
  'chats.createDirect': method({
    summary: 'The 1:1 chat with a user; returns the existing one if there is one.',
    params: Params({ userId: Id }),
    result: Chat,
  }),
  'chats.createGroup': method({
    summary: 'A new group with the caller as owner.',
    params: Params({
      title: Type.String({ minLength: 1, maxLength: LIMITS.CHAT_TITLE_MAX }),
      memberIds: Type.Array(Id, { maxItems: LIMITS.MEMBERS_PER_CALL_MAX }),
    }),
    result: Chat,
  }),
  'chats.addMembers': method({
    summary: 'Invite users to a group.',
    params: Params({
      chatId: Id,
      userIds: Type.Array(Id, { minItems: 1, maxItems: LIMITS.MEMBERS_PER_CALL_MAX }),
    }),
    result: Type.Object({ added: Type.Integer() }),
  }),
  'chats.leave': method({
    summary: 'Leave a group.',
    params: Params({ chatId: Id }),
    result: Ok,
  }),
  'chats.rename': method({
    summary: "Change a group's title.",
    params: Params({
      chatId: Id,
      title: Type.String({ minLength: 1, maxLength: LIMITS.CHAT_TITLE_MAX }),
    }),
    result: Ok,
  }),
  'chats.members': method({
    summary:
      "A chat's members with their read pointers; with `userIds`, just those, present or past (to name the sender of an older message).",
    params: Params({
      chatId: Id,
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.MEMBER_PAGE_MAX })),
      cursor: Type.Optional(Cursor),
      userIds: Type.Optional(Type.Array(Id, { minItems: 1, maxItems: LIMITS.USERS_PER_CALL_MAX })),
    }),
    result: Type.Object({ members: Type.Array(Member), cursor: Type.Union([Cursor, Type.Null()]) }),
  }),
  'chats.removeMember': method({
    summary: 'Remove a member from a group (its owner and admins; admins not the owner or admins).',
    params: Params({ chatId: Id, userId: Id }),
    result: Ok,
  }),
  'chats.setRole': method({
    summary: "Make a group member an admin, or a member again (the group's owner only).",
    params: Params({
      chatId: Id,
      userId: Id,
      role: Type.Union([Type.Literal('admin'), Type.Literal('member')]),
    }),
    result: Ok,
  }),
  'chats.mute': method({
    summary: 'Mute or unmute a chat for the caller: no notifications, no badge.',
    params: Params({ chatId: Id, muted: Type.Boolean() }),
    result: Ok,
  }),
  'chats.createInvite': method({
    summary:
      "A link to join a group (its owner and admins); a new one replaces the group's last. Share `/join/<token>`.",
    params: Params({ chatId: Id }),
    result: Type.Object({ token: Type.String() }),
  }),
  'chats.revokeInvite': method({
    summary: "Turn off a group's invite link (its owner and admins).",
    params: Params({ chatId: Id }),
    result: Ok,
  }),
  'chats.getInvite': method({
    summary:
      'What an invite link is for, before joining: a group (`chats.joinByInvite`) or an open chat (`open.join`).',
    params: Params({ token: InviteToken }),
    result: InvitePreview,
  }),
  'chats.joinByInvite': method({
    summary: 'Join a group by its invite link; a member already just gets the chat.',
    params: Params({ token: InviteToken }),
    result: Chat,
  }),
  'chats.pin': method({
    summary:
      "Pin a message at the top of a chat for every member (KakaoTalk's 공지), or unpin (null).",
    params: Params({ chatId: Id, seq: Type.Union([Seq, Type.Null()]) }),
    result: Ok,
  }),
  'open.create': method({
    summary:
      'A new open chat with the caller as host, known there by `nickname`; with its invite link (share `/join/<token>`).',
    params: Params({
      title: Type.String({ minLength: 1, maxLength: LIMITS.CHAT_TITLE_MAX }),
      nickname: Nickname,
      description: Type.Optional(Text(LIMITS.OPEN_CHAT_DESCRIPTION_MAX)),
      memberLimit: Type.Optional(MemberLimit),
      listed: Type.Optional(Type.Boolean()),
    }),
    result: Type.Object({ chat: Chat, inviteToken: Type.String() }),
  }),
  'open.search': method({
    summary: 'Listed open chats whose title contains `query` (all when empty), biggest first.',
    params: Params({
      query: Type.Optional(Text(LIMITS.SEARCH_QUERY_MAX)),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.OPEN_SEARCH_MAX })),
    }),
    result: Type.Object({ chats: Type.Array(OpenChatSummary) }),
  }),
  'open.get': method({
    summary: 'What a listed open chat is, before joining (`chats.getInvite` for a link).',
    params: Params({ chatId: Id }),
    result: OpenChatSummary,
  }),
  'open.join': method({
    summary:
      'Join an open chat (a listed one by id, any by its invite token) under a nickname of that room.',
    params: OpenChatRef({ nickname: Nickname }),
    result: Chat,
  }),
  'open.update': method({
    summary: "Change an open chat's description, member limit or listing (its host and co-hosts).",
    params: Params({
      chatId: Id,
      description: Type.Optional(Text(LIMITS.OPEN_CHAT_DESCRIPTION_MAX)),
      memberLimit: Type.Optional(MemberLimit),
      listed: Type.Optional(Type.Boolean()),
    }),
    result: Ok,
  }),
  'open.setNickname': method({
    summary: "The caller's nickname in an open chat.",
    params: Params({ chatId: Id, nickname: Nickname }),
    result: Ok,
  }),
  'presence.watch': method({
    summary:
      'Whether these users are online or when they were last, as each one lets the caller know; this connection then gets `presence` events for them (replacing its last watch list).',
    params: Params({
      userIds: Type.Array(Id, { maxItems: LIMITS.PRESENCE_WATCH_MAX }),
    }),
    result: Type.Object({ presences: Type.Array(Presence) }),
  }),
  'privacy.get': method({
    summary: "The caller's privacy settings.",
    params: Empty,
    result: Type.Object({ lastSeen: LastSeenPrivacy }),
  }),
  'privacy.update': method({
    summary: 'Who may see when the caller is online and when they were last.',
    params: Params({ lastSeen: LastSeenPrivacy }),
    result: Ok,
  }),
  'chats.setTyping': method({
    summary: 'Tell the other members the caller is typing (ephemeral, not stored).',
    params: Params({ chatId: Id }),
    result: Ok,
  }),
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
      /** Used in every target chat: a retry answers the copies already made. */
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
  'links.preview': method({
    summary:
      'The preview of an http(s) link (Open Graph / HTML meta), fetched by the server and cached; null when the page has none or cannot be fetched.',
    params: Params({ url: Type.String({ minLength: 1, maxLength: LIMITS.LINK_URL_MAX }) }),
    result: Type.Object({ preview: Type.Union([LinkPreview, Type.Null()]) }),
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
  'updates.getState': method({
    summary: "The caller's current pts.",
    params: Empty,
    result: Type.Object({ pts: Pts }),
  }),
  'updates.getDifference': method({
    summary: 'Updates after pts, in order; or tooLong when pts is older than the server keeps.',
    params: Params({
      pts: Pts,
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.DIFFERENCE_PAGE_MAX })),
    }),
    result: Difference,
  }),
  'files.get': method({
    summary:
      "A file of one of the caller's chats, with URLs to download it (and its thumbnail) that work without a token until expiresAt.",
    params: Params({ fileId: Id }),
    result: Type.Object({
      file: FileInfo,
      /** `/v1/files/<id>?t=…`, relative to the server. */
      url: Type.String(),
      /** For images: `…&size=thumb`; null for other files. */
      thumbUrl: Type.Union([Type.String(), Type.Null()]),
      expiresAt: Timestamp,
    }),
  }),
} as const;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type MethodParams<M extends MethodName> = Static<Methods[M]['params']>;
export type MethodResult<M extends MethodName> = Static<Methods[M]['result']>;

export const methodNames = Object.keys(methods) as MethodName[];

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.hasOwn(methods, name);
}
