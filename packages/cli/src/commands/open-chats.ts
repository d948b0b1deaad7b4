import { LIMITS, type OpenChatSettings, type OpenChatSummary } from '@tokki/protocol';
import { InvalidArgumentError, type Command } from 'commander';
import { TokkiError, type TokkiClient } from '@tokki/sdk';
import { describeSettings, padEnd, preview } from '../format.js';
import { chatOrInvite, invitePath, inviteUrl, type ChatRef } from '../links.js';
import { CliError } from '../output.js';
import { openSession, positiveInteger, type CommonOptions } from './common.js';

interface CreateOptions extends CommonOptions {
  nickname: string;
  description?: string;
  limit?: number;
  listed?: boolean;
}

interface JoinOptions extends CommonOptions {
  nickname: string;
}

interface SearchOptions extends CommonOptions {
  limit?: number;
}

interface SettingsOptions extends CommonOptions {
  description?: string;
  limit?: number;
  listed?: boolean;
  unlisted?: boolean;
}

/** `tokki open …`: open chats (KakaoTalk's 오픈채팅). */
export function registerOpenChats(program: Command): Command[] {
  const open = program
    .command('open')
    .summary('Open chats: rooms anyone joins by link (tokki open --help)')
    .description(
      'Open chats (오픈채팅): rooms anyone may join by their link, or from `tokki open search` ' +
        'when listed. In each one you are known only by a nickname of that room: the others ' +
        'never see your name, number or user id.',
    );

  const create = open
    .command('create')
    .summary('Start an open chat; prints its id, then its invite link')
    .description(
      'Start an open chat with you as its host; prints its id, then its invite link ' +
        '(share it: anyone with it may join)',
    )
    .argument('<title>', `the room's title, up to ${LIMITS.CHAT_TITLE_MAX} characters`)
    .requiredOption('--nickname <name>', 'your name in this room', nickname)
    .option(
      '--description <text>',
      `what the room is about, up to ${LIMITS.OPEN_CHAT_DESCRIPTION_MAX} characters`,
    )
    .option(
      '--limit <n>',
      `the most members it takes (default ${LIMITS.OPEN_CHAT_MEMBERS_DEFAULT})`,
      memberLimit,
    )
    .option('--listed', 'let anyone find it with `tokki open search` (default: link only)')
    .action(runCreate);

  const join = open
    .command('join')
    .summary('Join an open chat under a nickname')
    .description(
      'Join an open chat under a nickname of that room: a listed one by its id, any one by its ' +
        'invite link',
    )
    .argument(
      '<chat-or-link>',
      'a chat id (c_…, from `tokki open search`), or an invite link (https://…/join/TOKEN, ' +
        '/join/TOKEN or the token)',
    )
    .requiredOption('--nickname <name>', 'your name in this room', nickname)
    .action(runJoin);

  const search = open
    .command('search')
    .summary('Find listed open chats by title')
    .description('Find listed open chats whose title contains the text (all of them without)')
    .argument('[text]', `part of the title, up to ${LIMITS.SEARCH_QUERY_MAX} characters`)
    .option('--limit <n>', `how many at most (up to ${LIMITS.OPEN_SEARCH_MAX})`, positiveInteger)
    .action(runSearch);

  const info = open
    .command('info')
    .summary('Show what an open chat is, before joining')
    .description(
      "Show an open chat's title, members, limit and description: a listed one, or one you " +
        'are in (for a link: `tokki invite show LINK`)',
    )
    .argument('<chat-id>', 'the chat, from `tokki open search` or `tokki chats`')
    .action(runInfo);

  const rename = open
    .command('nickname')
    .summary('Change your nickname in an open chat')
    .description('Change your nickname in an open chat; the other members see the new one')
    .argument('<chat-id>', 'the chat, from `tokki chats`')
    .argument('<name>', `the new nickname, up to ${LIMITS.NICKNAME_MAX} characters`, nickname)
    .action(runNickname);

  const settings = open
    .command('settings')
    .summary("Change an open chat's description, limit or listing")
    .description(
      "Change an open chat's description, member limit or listing (its host and co-hosts); " +
        'the members are told',
    )
    .argument('<chat-id>', 'the chat, from `tokki chats`')
    .option('--description <text>', 'what the room is about ("" for nothing)')
    .option('--limit <n>', 'the most members it takes (not below today’s count)', memberLimit)
    .option('--listed', 'let anyone find it with `tokki open search`')
    .option('--unlisted', 'joined by its link only')
    .action(runSettings);

  return [create, join, search, info, rename, settings];
}

async function runCreate(title: string, options: CreateOptions): Promise<void> {
  const { client, profile, out } = openSession(options);
  const { chat, inviteToken } = await client.call('open.create', {
    title,
    nickname: options.nickname,
    ...(options.description !== undefined && { description: options.description }),
    ...(options.limit !== undefined && { memberLimit: options.limit }),
    listed: options.listed === true,
  });
  const link = {
    inviteToken,
    invitePath: invitePath(inviteToken),
    inviteUrl: inviteUrl(profile.server, inviteToken),
  };
  out.result({ chat, ...link }, () => `${chat.id}\n${link.inviteUrl}`);
}

async function runJoin(target: string, options: JoinOptions): Promise<void> {
  const { client, out } = openSession(options);
  const ref = chatOrInvite(target);
  let chat;
  try {
    chat = await client.call('open.join', { ...ref, nickname: options.nickname });
  } catch (error) {
    throw (await groupLinkError(client, ref, error)) ?? error;
  }
  out.result(chat, () => `Joined "${chat.title}" as ${options.nickname} (${chat.id}).`);
}

/** A clearer error when the link that did not open an open chat is a group's. */
async function groupLinkError(
  client: TokkiClient,
  ref: ChatRef,
  error: unknown,
): Promise<CliError | undefined> {
  if (!('token' in ref) || !(error instanceof TokkiError) || error.code !== 'NOT_FOUND') return;
  const invite = await client.call('chats.getInvite', { token: ref.token }).catch(() => null);
  if (invite?.kind !== 'group') return;
  return new CliError(
    `This link is for the group "${invite.title}", not an open chat: join it with ` +
      `\`tokki join ${ref.token}\`.`,
  );
}

async function runSearch(text: string | undefined, options: SearchOptions): Promise<void> {
  const { client, out } = openSession(options);
  const { chats } = await client.call('open.search', {
    query: text ?? '',
    ...(options.limit !== undefined && { limit: Math.min(options.limit, LIMITS.OPEN_SEARCH_MAX) }),
  });
  for (const chat of chats) out.result(chat, () => describeSummary(chat));
  if (chats.length === 0) {
    out.text(text ? 'No listed open chats with that in their title.' : 'No listed open chats.');
  }
}

/** `c_…  Title  12/1500  description…` */
function describeSummary(chat: OpenChatSummary): string {
  const members = `${chat.memberCount}/${chat.memberLimit}`;
  return (
    `${chat.id}  ${padEnd(preview(chat.title, 24), 24)}  ${padEnd(members, 10)}  ` +
    preview(chat.description, 50)
  ).trimEnd();
}

async function runInfo(chatId: string, options: CommonOptions): Promise<void> {
  const { client, out } = openSession(options);
  let summary: OpenChatSummary;
  try {
    summary = await client.call('open.get', { chatId });
  } catch (error) {
    // An unlisted room is shown only to its members (others learn nothing, not even that it is).
    const chat =
      error instanceof TokkiError && error.code === 'NOT_FOUND'
        ? await client.call('chats.get', { chatId }).catch(() => null)
        : null;
    if (!chat?.open) throw error;
    summary = { id: chat.id, title: chat.title, memberCount: chat.memberCount, ...chat.open };
  }
  out.result(summary, () =>
    [
      `${summary.title} (${summary.id})`,
      `${summary.memberCount} of at most ${summary.memberLimit.toLocaleString('en')} members; ` +
        (summary.listed ? 'listed' : 'unlisted (joined by link only)'),
      ...(summary.description ? [summary.description] : []),
    ].join('\n'),
  );
}

async function runNickname(chatId: string, name: string, options: CommonOptions): Promise<void> {
  const { client, out } = openSession(options);
  await client.call('open.setNickname', { chatId, nickname: name });
  out.result({ chatId, nickname: name }, () => `You are "${name}" in ${chatId} now.`);
}

async function runSettings(chatId: string, options: SettingsOptions): Promise<void> {
  if (options.listed && options.unlisted) {
    throw new CliError('Give --listed or --unlisted, not both.');
  }
  const change: Partial<OpenChatSettings> = {
    ...(options.description !== undefined && { description: options.description }),
    ...(options.limit !== undefined && { memberLimit: options.limit }),
    ...(options.listed && { listed: true }),
    ...(options.unlisted && { listed: false }),
  };
  if (Object.keys(change).length === 0) {
    throw new CliError('Nothing to change: give --description, --limit, --listed or --unlisted.');
  }
  const { client, out } = openSession(options);
  await client.call('open.update', { chatId, ...change });
  const { open } = await client.call('chats.get', { chatId });
  out.result({ chatId, open }, () => `${chatId}: ${open ? describeSettings(open) : 'updated'}.`);
}

/**
 * A commander parser for nicknames: trimmed, not blank, at most `NICKNAME_MAX` characters (as
 * the server counts them), refused here with the reason before anything is sent.
 */
export function nickname(value: string): string {
  const name = value.trim();
  if (!name) throw new CliError('A nickname cannot be blank.');
  const length = [...name].length;
  if (length > LIMITS.NICKNAME_MAX) {
    throw new CliError(
      `A nickname is at most ${LIMITS.NICKNAME_MAX} characters; "${name}" has ${length}.`,
    );
  }
  return name;
}

/** A commander parser for an open chat's member limit. */
function memberLimit(value: string): number {
  const limit = Number(value);
  if (!/^\d+$/.test(value) || limit < 2 || limit > LIMITS.GROUP_MEMBERS_MAX) {
    throw new InvalidArgumentError(`Not a number from 2 to ${LIMITS.GROUP_MEMBERS_MAX}.`);
  }
  return limit;
}
