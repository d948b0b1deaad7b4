import { LIMITS, type InvitePreview, type Member } from '@tokki/protocol';
import type { Command } from 'commander';
import { describeSettings, padEnd, preview, roleName } from '../format.js';
import { inviteToken, invitePath, inviteUrl } from '../links.js';
import { UserNames } from '../names.js';
import { CliError } from '../output.js';
import { openSession, type CommonOptions } from './common.js';

interface AdminOptions extends CommonOptions {
  remove?: boolean;
}

interface MuteOptions extends CommonOptions {
  off?: boolean;
}

/** `tokki invite …`, `join`, `members`, `kick`, `admin` and `mute`: managing groups. */
export function registerMembers(program: Command): Command[] {
  const invite = program
    .command('invite')
    .summary("A group's invite link (tokki invite --help)")
    .description(
      "A group's or open chat's invite link: anyone who has it may join, until it is revoked " +
        'or replaced by a new one',
    );
  const createInvite = invite
    .command('create')
    .summary('Make a new invite link for a group and print it')
    .description(
      'Make a new invite link for a group or open chat (its owner and admins) and print it; ' +
        'the last link stops working',
    )
    .argument('<chat-id>', 'the chat, from `tokki chats`')
    .action(runCreateInvite);
  const revokeInvite = invite
    .command('revoke')
    .summary("Turn off a group's invite link")
    .description("Turn off a group's invite link (its owner and admins); members stay")
    .argument('<chat-id>', 'the chat, from `tokki chats`')
    .action(runRevokeInvite);
  const showInvite = invite
    .command('show')
    .summary('Show what an invite link is for, before joining')
    .description('Show the group or open chat an invite link is for, without joining')
    .argument('<link>', 'the link (https://…/join/TOKEN, /join/TOKEN) or its token')
    .action(runShowInvite);

  const join = program
    .command('join')
    .summary('Join a group by its invite link')
    .description(
      'Join a group by its invite link (for an open chat: `tokki open join LINK --nickname NAME`)',
    )
    .argument('<link>', 'the link (https://…/join/TOKEN, /join/TOKEN) or its token')
    .action(runJoin);

  const members = program
    .command('members')
    .summary("List a chat's members")
    .description(
      "List a chat's members with their roles; in an open chat, by their nicknames there",
    )
    .argument('<chat-id>', 'the chat, from `tokki chats`')
    .action(runMembers);

  const kick = program
    .command('kick')
    .summary('Remove a member from a group')
    .description(
      'Remove a member from a group: its owner removes anyone, admins plain members. Someone ' +
        'removed from an open chat cannot join it again.',
    )
    .argument('<chat-id>', 'the chat, from `tokki chats`')
    .argument('<member-id>', 'the member, by the id `tokki members` prints')
    .action(runKick);

  const admin = program
    .command('admin')
    .summary('Make a member an admin, or a plain member again')
    .description(
      'Make a member an admin (a co-host in an open chat), who may remove plain members and ' +
        'manage the invite link; or with --remove a plain member again. The owner only.',
    )
    .argument('<chat-id>', 'the chat, from `tokki chats`')
    .argument('<member-id>', 'the member, by the id `tokki members` prints')
    .option('--remove', 'make them a plain member again')
    .action(runAdmin);

  const mute = program
    .command('mute')
    .summary('Mute a chat, or unmute it')
    .description('Mute a chat for you on all your devices: no notifications, no unread badge')
    .argument('<chat-id>', 'the chat, from `tokki chats`')
    .option('--off', 'unmute it')
    .action(runMute);

  return [createInvite, revokeInvite, showInvite, join, members, kick, admin, mute];
}

async function runCreateInvite(chatId: string, options: CommonOptions): Promise<void> {
  const { client, profile, out } = openSession(options);
  const { token } = await client.call('chats.createInvite', { chatId });
  const url = inviteUrl(profile.server, token);
  out.result({ chatId, token, invitePath: invitePath(token), inviteUrl: url }, () => url);
}

async function runRevokeInvite(chatId: string, options: CommonOptions): Promise<void> {
  const { client, out } = openSession(options);
  await client.call('chats.revokeInvite', { chatId });
  out.result({ chatId, revoked: true }, () => `The invite link of ${chatId} no longer works.`);
}

async function runShowInvite(link: string, options: CommonOptions): Promise<void> {
  const token = inviteToken(link);
  const { client, out } = openSession(options);
  const invite = await client.call('chats.getInvite', { token });
  out.result({ token, ...invite }, () => describeInvite(invite, token));
}

function describeInvite(invite: InvitePreview, token: string): string {
  const members = `${invite.memberCount} member${invite.memberCount === 1 ? '' : 's'}`;
  if (invite.kind === 'open' && invite.open) {
    return [
      `Open chat "${invite.title}", ${members}: ${describeSettings(invite.open)}`,
      `Join it with: tokki open join ${token} --nickname NAME`,
    ].join('\n');
  }
  return [`Group "${invite.title}", ${members}`, `Join it with: tokki join ${token}`].join('\n');
}

async function runJoin(link: string, options: CommonOptions): Promise<void> {
  const token = inviteToken(link);
  const { client, out } = openSession(options);
  const invite = await client.call('chats.getInvite', { token });
  if (invite.kind === 'open') {
    throw new CliError(
      `"${invite.title}" is an open chat: you join it under a nickname of that room, with ` +
        `\`tokki open join ${token} --nickname NAME\`.`,
    );
  }
  const chat = await client.call('chats.joinByInvite', { token });
  out.result(chat, () => `Joined "${chat.title}" (${chat.id}).`);
}

async function runMembers(chatId: string, options: CommonOptions): Promise<void> {
  const { client, profile, out } = openSession(options);
  const chat = await client.call('chats.get', { chatId });
  const self = chat.kind === 'open' ? chat.selfId : profile.userId;
  let cursor: string | undefined;
  do {
    const page = await client.call('chats.members', {
      chatId,
      limit: LIMITS.MEMBER_PAGE_MAX,
      ...(cursor && { cursor }),
    });
    for (const member of page.members) {
      out.result(member, () =>
        describeMember(member, chat.kind === 'open', member.user.id === self),
      );
    }
    cursor = page.cursor ?? undefined;
  } while (cursor);
}

/** `p_…  Rabbit  host  (you)`: the id to kick or promote them by, their name, their role. */
function describeMember(member: Member, open: boolean, self: boolean): string {
  const role = member.role === 'member' ? '' : roleName(member.role, open);
  const name = padEnd(preview(member.user.displayName || member.user.id, 24), 24);
  return `${member.user.id}  ${name}  ${padEnd(role, 7)}  ${self ? '(you)' : ''}`.trimEnd();
}

async function runKick(chatId: string, memberId: string, options: CommonOptions): Promise<void> {
  const { client, out } = openSession(options);
  const names = new UserNames(client);
  // The name is for the message only: if it cannot be had, the call below says why.
  if (!out.json) await names.load([memberId], chatId).catch(() => undefined);
  await client.call('chats.removeMember', { chatId, userId: memberId });
  out.result(
    { chatId, memberId, removed: true },
    () => `Removed ${names.name(memberId, chatId)} from ${chatId}.`,
  );
}

async function runAdmin(chatId: string, memberId: string, options: AdminOptions): Promise<void> {
  const { client, out } = openSession(options);
  const role = options.remove ? 'member' : 'admin';
  const names = new UserNames(client);
  // The name is for the message only: if it cannot be had, the call below says why.
  if (!out.json) await names.load([memberId], chatId).catch(() => undefined);
  await client.call('chats.setRole', { chatId, userId: memberId, role });
  const who = names.name(memberId, chatId);
  out.result({ chatId, memberId, role }, () =>
    role === 'member'
      ? `${who} is a plain member of ${chatId} again.`
      : `${who} is ${names.isOpen(chatId) ? 'a co-host' : 'an admin'} of ${chatId} now.`,
  );
}

async function runMute(chatId: string, options: MuteOptions): Promise<void> {
  const { client, out } = openSession(options);
  const muted = options.off !== true;
  await client.call('chats.mute', { chatId, muted });
  out.result({ chatId, muted }, () =>
    muted ? `Muted ${chatId}: no notifications, no unread badge.` : `Unmuted ${chatId}.`,
  );
}
