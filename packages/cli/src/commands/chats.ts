import { LIMITS } from '@tokki/protocol';
import type { Command } from 'commander';
import type { MethodResult, TokkiClient } from '@tokki/sdk';
import { padEnd, preview } from '../format.js';
import { UserNames } from '../names.js';
import { CliError } from '../output.js';
import { openSession, positiveInteger, type CommonOptions } from './common.js';

type Chat = MethodResult<'chats.get'>;

interface ChatsOptions extends CommonOptions {
  limit?: number;
}

interface CreateOptions extends CommonOptions {
  with: string[];
  title?: string;
}

/** `tokki chats` and `tokki chat create`. */
export function registerChats(program: Command): Command[] {
  const list = program
    .command('chats')
    .summary('List your chats')
    .description('List your chats, most recent activity first, with unread counts')
    .option('--limit <n>', 'show at most n chats', positiveInteger)
    .action(runChats);

  const chat = program
    .command('chat')
    .summary('Create a chat (tokki chat create --help)')
    .description('Manage chats');
  const create = chat
    .command('create')
    .summary('Start a 1:1 or group chat and print its id')
    .description(
      'Start a chat and print its id: one --with makes a 1:1 chat (or returns the existing ' +
        'one), several --with values or a --title make a group',
    )
    .requiredOption(
      '--with <who...>',
      'members: phone numbers (+821012345678) or user ids (u_…), one or more',
    )
    .option('--title <title>', 'group title (default: the members’ names)')
    .action(runCreate);

  return [list, create];
}

async function runChats(options: ChatsOptions): Promise<void> {
  const { client, out } = openSession(options);
  const limit = options.limit ?? Infinity;
  let cursor: string | undefined;
  let shown = 0;
  do {
    const page = await client.call('chats.list', {
      limit: Math.min(LIMITS.CHAT_LIST_PAGE_MAX, limit - shown),
      ...(cursor && { cursor }),
    });
    for (const chat of page.chats) out.result(chat, () => describeChat(chat));
    shown += page.chats.length;
    cursor = page.cursor ?? undefined;
    if (shown === 0 && !cursor) out.text('No chats yet: start one with `tokki chat create`.');
  } while (cursor && shown < limit);
}

function describeChat(chat: Chat): string {
  const name =
    chat.kind === 'direct'
      ? (chat.peer?.displayName ?? chat.title)
      : `${chat.title} (${chat.memberCount})`;
  const unread = chat.unreadCount > 0 ? `${chat.unreadCount} unread` : '';
  const last = chat.lastMessage ? preview(chat.lastMessage.text, 40) : '';
  return `${chat.id}  ${padEnd(preview(name, 24), 24)}  ${padEnd(unread, 10)}  ${last}`.trimEnd();
}

async function runCreate(options: CreateOptions): Promise<void> {
  const { client, profile, out } = openSession(options);
  const names = new UserNames(client);
  const memberIds: string[] = [];
  for (const who of options.with) {
    const id = await resolveUser(who, client, names);
    if (!memberIds.includes(id)) memberIds.push(id);
  }
  let chat: Chat;
  if (memberIds.length === 1 && options.title === undefined) {
    chat = await client.call('chats.createDirect', { userId: memberIds[0]! });
  } else {
    await names.load(memberIds);
    const others = memberIds.filter((id) => id !== profile.userId);
    const title =
      options.title ??
      preview(others.map((id) => names.name(id)).join(', '), LIMITS.CHAT_TITLE_MAX);
    chat = await client.call('chats.createGroup', { title, memberIds });
  }
  out.result(chat, () => chat.id);
}

/** A user id as given, or the user with a phone number; a clear error for anything else. */
async function resolveUser(who: string, client: TokkiClient, names: UserNames): Promise<string> {
  if (who.startsWith('u_')) return who;
  if (!/^[+\d]/.test(who)) {
    throw new CliError(`"${who}" is neither a phone number (+821012345678) nor a user id (u_…).`);
  }
  const { user } = await client.call('users.lookupPhone', { phone: who });
  if (!user) throw new CliError(`Nobody on this server has the phone number ${who}.`);
  names.remember(user.id, user.displayName);
  return user.id;
}
