import { LIMITS } from '@tokki/protocol';
import type { Command } from 'commander';
import type { MethodResult } from '@tokki/sdk';
import { UserNames } from '../names.js';
import { openSession, positiveInteger, type CommonOptions } from './common.js';
import { describeMessage } from './messages.js';

type Message = MethodResult<'messages.search'>['messages'][number];

interface SearchOptions extends CommonOptions {
  chat?: string;
  limit: number;
}

/** `tokki search`. */
export function registerSearch(program: Command): Command[] {
  const search = program
    .command('search')
    .summary('Find messages by text')
    .description(
      'Find messages containing the text (any part of a word, in any case; Korean and Japanese ' +
        'too) in your chats, newest first',
    )
    .argument('<text>', `what to look for, up to ${LIMITS.SEARCH_QUERY_MAX} characters`)
    .option('--chat <chat-id>', 'only in this chat, from `tokki chats`')
    .option('--limit <n>', 'how many messages at most', positiveInteger, 20)
    .action(runSearch);
  return [search];
}

async function runSearch(text: string, options: SearchOptions): Promise<void> {
  const { client, out } = openSession(options);
  const messages: Message[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.call('messages.search', {
      query: text,
      limit: Math.min(LIMITS.SEARCH_PAGE_MAX, options.limit - messages.length),
      ...(options.chat && { chatId: options.chat }),
      ...(cursor && { cursor }),
    });
    messages.push(...page.messages);
    cursor = page.cursor ?? undefined;
  } while (cursor && messages.length < options.limit);

  const names = new UserNames(client);
  if (!out.json) {
    // Each chat names its senders: open chats by the nicknames of that room.
    for (const chatId of new Set(messages.map((message) => message.chatId))) {
      const senders = messages.filter((m) => m.chatId === chatId).map((m) => m.senderId);
      await names.load(senders, chatId);
    }
  }
  if (messages.length === 0) out.text('No messages found.');
  // Newest first, each under its chat's id unless the search was in one chat.
  for (const message of messages) {
    out.result(message, () =>
      options.chat
        ? describeMessage(message, names)
        : `${message.chatId}  ${describeMessage(message, names)}`,
    );
  }
}
