import { LIMITS, type MethodName, type MethodParams, type MethodResult } from '@tokki/protocol';
import type { Principal } from '../accounts/service.js';
import type { AppContext } from '../context.js';
import type { PresenceWatcher } from '../presence/service.js';
import { SERVER_VERSION } from '../version.js';

/** Who is calling and from where; `principal` is null only for the sign-in methods. */
export interface Call {
  principal: Principal | null;
  ip: string;
  /** The WebSocket connection the call came on; none over HTTP. */
  watcher?: PresenceWatcher;
}

type Handler<M extends MethodName> = (
  ctx: AppContext,
  call: Call & { principal: Principal },
  params: MethodParams<M>,
) => Promise<MethodResult<M>>;

type PublicMethod = 'server.getInfo' | 'auth.requestCode' | 'auth.signIn';

type PublicHandler<M extends MethodName> = (
  ctx: AppContext,
  call: Call,
  params: MethodParams<M>,
) => Promise<MethodResult<M>>;

/**
 * Each method's handler: thin, only unpacking params for the domain services, which own the
 * rules and the authorization checks.
 */
export const handlers: {
  [M in MethodName]: M extends PublicMethod ? PublicHandler<M> : Handler<M>;
} = {
  'server.getInfo': async (ctx) => ({
    name: 'Tokki',
    version: SERVER_VERSION,
    mode: ctx.config.mode,
    testNumbers: ctx.config.mode === 'local',
  }),
  'auth.requestCode': (ctx, call, p) => ctx.accounts.requestCode(p.phone, call.ip),
  'auth.signIn': (ctx, _call, p) => ctx.accounts.signIn(p),
  'auth.signOut': async (ctx, { principal }) => {
    await ctx.accounts.revokeDevice(principal, principal.deviceId);
    return {};
  },
  'devices.list': async (ctx, { principal }) => ({
    devices: await ctx.accounts.listDevices(principal),
  }),
  'devices.revoke': async (ctx, { principal }, p) => {
    await ctx.accounts.revokeDevice(principal, p.deviceId);
    return {};
  },
  'profile.get': (ctx, { principal }) => ctx.accounts.getMe(principal.userId),
  'profile.update': (ctx, { principal }, p) => ctx.accounts.updateProfile(principal.userId, p),
  'profile.removePhoto': (ctx, { principal }) => ctx.accounts.removePhoto(principal.userId),
  'users.get': async (ctx, { principal }, p) => ({
    users: await ctx.accounts.getUsers(principal.userId, p.userIds),
  }),
  'users.lookupPhone': async (ctx, { principal }, p) => ({
    user: await ctx.friends.lookupPhone(principal, p.phone),
  }),
  'contacts.sync': (ctx, { principal }, p) => ctx.friends.sync(principal, p),
  'friends.list': async (ctx, { principal }) => ({
    friends: await ctx.friends.list(principal.userId),
  }),
  'friends.add': (ctx, { principal }, p) => ctx.friends.add(principal, p),
  'friends.addById': (ctx, { principal }, p) => ctx.friends.addById(principal.userId, p.userId),
  'friends.update': (ctx, { principal }, { userId, ...changes }) =>
    ctx.friends.update(principal.userId, userId, changes),
  'friends.recommended': async (ctx, { principal }) => ({
    recommendations: await ctx.friends.recommended(principal.userId),
  }),
  'friends.dismiss': async (ctx, { principal }, p) => {
    await ctx.friends.dismiss(principal.userId, p.userId);
    return {};
  },
  'friends.block': async (ctx, { principal }, p) => {
    await ctx.friends.block(principal.userId, p.userId);
    return {};
  },
  'friends.unblock': async (ctx, { principal }, p) => {
    await ctx.friends.unblock(principal.userId, p.userId);
    return {};
  },
  'friends.blocked': async (ctx, { principal }) => ({
    users: await ctx.friends.blocked(principal.userId),
  }),
  'chats.list': (ctx, { principal }, p) =>
    ctx.chats.list(principal.userId, p.limit ?? 100, p.cursor),
  'chats.get': (ctx, { principal }, p) => ctx.chats.get(principal.userId, p.chatId),
  'chats.createDirect': (ctx, { principal }, p) =>
    ctx.chats.createDirect(principal.userId, p.userId),
  'chats.createGroup': (ctx, { principal }, p) =>
    ctx.chats.createGroup(principal.userId, p.title, p.memberIds),
  'chats.addMembers': async (ctx, { principal }, p) => ({
    added: await ctx.chats.addMembers(principal.userId, p.chatId, p.userIds),
  }),
  'chats.leave': async (ctx, { principal }, p) => {
    await ctx.chats.leave(principal.userId, p.chatId);
    return {};
  },
  'chats.rename': async (ctx, { principal }, p) => {
    await ctx.chats.rename(principal.userId, p.chatId, p.title);
    return {};
  },
  'chats.members': async (ctx, { principal }, p) =>
    p.userIds
      ? {
          members: await ctx.chats.membersById(principal.userId, p.chatId, p.userIds),
          cursor: null,
        }
      : ctx.chats.members(principal.userId, p.chatId, p.limit ?? LIMITS.MEMBER_PAGE_MAX, p.cursor),
  'chats.removeMember': async (ctx, { principal }, p) => {
    await ctx.chats.removeMember(principal.userId, p.chatId, p.userId);
    return {};
  },
  'chats.setRole': async (ctx, { principal }, p) => {
    await ctx.chats.setRole(principal.userId, p.chatId, p.userId, p.role);
    return {};
  },
  'chats.mute': async (ctx, { principal }, p) => {
    await ctx.chats.mute(principal.userId, p.chatId, p.muted);
    return {};
  },
  'chats.createInvite': async (ctx, { principal }, p) => ({
    token: await ctx.chats.createInvite(principal.userId, p.chatId),
  }),
  'chats.revokeInvite': async (ctx, { principal }, p) => {
    await ctx.chats.revokeInvite(principal.userId, p.chatId);
    return {};
  },
  'chats.getInvite': (ctx, _call, p) => ctx.chats.getInvite(p.token),
  'chats.joinByInvite': (ctx, { principal }, p) =>
    ctx.chats.joinByInvite(principal.userId, p.token),
  'chats.pin': async (ctx, { principal }, p) => {
    await ctx.messages.pin(principal.userId, p.chatId, p.seq);
    return {};
  },
  'open.create': (ctx, { principal }, p) => ctx.openChats.create(principal.userId, p),
  'open.search': async (ctx, _call, p) => ({
    chats: await ctx.openChats.search(p.query ?? '', p.limit ?? LIMITS.OPEN_SEARCH_MAX),
  }),
  'open.get': (ctx, _call, p) => ctx.openChats.get(p.chatId),
  'open.join': (ctx, { principal }, p) =>
    ctx.openChats.join(
      principal.userId,
      'token' in p ? { token: p.token } : { chatId: p.chatId },
      p.nickname,
    ),
  'open.update': async (ctx, { principal }, p) => {
    const { chatId, ...change } = p;
    await ctx.openChats.update(principal.userId, chatId, change);
    return {};
  },
  'open.setNickname': async (ctx, { principal }, p) => {
    await ctx.openChats.setNickname(principal.userId, p.chatId, p.nickname);
    return {};
  },
  'presence.watch': async (ctx, call, p) => ({
    presences: await ctx.presence.watch(call.principal.userId, call.watcher, p.userIds),
  }),
  'privacy.get': async (ctx, { principal }) => ({
    lastSeen: await ctx.presence.privacy(principal.userId),
  }),
  'privacy.update': async (ctx, { principal }, p) => {
    await ctx.presence.setPrivacy(principal.userId, p.lastSeen);
    return {};
  },
  'chats.setTyping': async (ctx, { principal }, p) => {
    await ctx.chats.setTyping(principal.userId, p.chatId);
    return {};
  },
  'messages.send': async (ctx, { principal }, p) => {
    const message = await ctx.messages.send(
      principal.userId,
      p.chatId,
      p.clientMsgId,
      p.text,
      p.replyToSeq,
      p.fileIds,
    );
    ctx.metrics.messagesSent.inc();
    return { message };
  },
  'messages.get': async (ctx, { principal }, p) => ({
    messages: await ctx.messages.get(principal.userId, p.chatId, p.seqs),
  }),
  'messages.history': (ctx, { principal }, p) =>
    ctx.messages.history(principal.userId, p.chatId, p.limit ?? 50, p.cursor),
  'messages.edit': async (ctx, { principal }, p) => ({
    message: await ctx.messages.edit(principal.userId, p.chatId, p.seq, p.text),
  }),
  'messages.forward': async (ctx, { principal }, p) => {
    const messages = await ctx.messages.forward(
      principal.userId,
      p.chatId,
      p.seq,
      p.toChatIds,
      p.clientMsgId,
    );
    ctx.metrics.messagesSent.inc(messages.length);
    return { messages };
  },
  'messages.react': async (ctx, { principal }, p) => {
    await ctx.messages.react(principal.userId, p.chatId, p.seq, p.reaction);
    return {};
  },
  'messages.delete': async (ctx, { principal }, p) => {
    await ctx.messages.delete(principal.userId, p.chatId, p.seq, p.forEveryone);
    return {};
  },
  'messages.search': (ctx, { principal }, p) =>
    ctx.messages.search(principal.userId, p.query, {
      chatId: p.chatId,
      limit: p.limit ?? LIMITS.SEARCH_PAGE_MAX,
      cursor: p.cursor,
    }),
  'links.preview': async (ctx, { principal }, p) => ({
    preview: await ctx.links.preview(principal.userId, p.url),
  }),
  'messages.markRead': async (ctx, { principal }, p) => ({
    readSeq: await ctx.messages.markRead(principal.userId, p.chatId, p.seq),
  }),
  'updates.getState': async (ctx) => ({ pts: await ctx.updates.currentPts() }),
  'updates.getDifference': (ctx, { principal }, p) =>
    ctx.updates.getDifference(principal.userId, p.pts, p.limit ?? LIMITS.DIFFERENCE_PAGE_MAX),
  'files.get': (ctx, { principal }, p) => ctx.media.get(principal.userId, p.fileId),
};
