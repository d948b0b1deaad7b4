import { Type } from '@sinclair/typebox';
import { LIMITS } from '../limits.js';
import { Chat, Id, InvitePreview, Member, Seq } from '../models.js';
import { method, Ok, Cursor, Params, InviteToken } from './define.js';

/** Chats, their members and invites. */
export const chatMethods = {
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
  'chats.setTyping': method({
    summary: 'Tell the other members the caller is typing (ephemeral, not stored).',
    params: Params({ chatId: Id }),
    result: Ok,
  }),
} as const;
