import { LIMITS } from '@tokki/protocol';
import type { Command } from 'commander';
import { newClientMsgId, type MethodResult } from '@tokki/sdk';
import { uploadFile } from '../files.js';
import { formatBytes, formatTime, indentLines } from '../format.js';
import { UserNames } from '../names.js';
import { CliError, describeError } from '../output.js';
import { openSession, positiveInteger, positiveSeconds, type CommonOptions } from './common.js';

type Message = MethodResult<'messages.send'>['message'];

interface SendOptions extends CommonOptions {
  clientMsgId?: string;
  timeout: number;
  file: string[];
  caption?: string;
}

interface HistoryOptions extends CommonOptions {
  limit: number;
}

/** `tokki send`, `tokki history` and `tokki read`. */
export function registerMessages(program: Command): Command[] {
  const send = program
    .command('send')
    .summary('Send a text message')
    .description(
      'Send a text message; prints its seq once the server has stored it. Connection failures ' +
        'are retried with the same client message id, so it is sent exactly once.',
    )
    .argument('<chat-id>', 'the chat, from `tokki chats`')
    .argument('[text]', 'the message; "-" reads it from stdin (with --file: the caption)')
    .option(
      '--file <path>',
      'send a photo or file (again for more: photos become an album); resumes after a drop',
      (path: string, paths: string[]) => [...paths, path],
      [] as string[],
    )
    .option('--caption <text>', 'the text under the files')
    .option(
      '--client-msg-id <id>',
      'your id for this message: resending with the same id never sends it twice',
    )
    .option(
      '--timeout <seconds>',
      'give up retrying an unreachable server after this',
      positiveSeconds,
      30,
    )
    .action(runSend);

  const history = program
    .command('history')
    .summary("Show a chat's latest messages")
    .description("Show a chat's latest messages, oldest first")
    .argument('<chat-id>', 'the chat, from `tokki chats`')
    .option('--limit <n>', 'how many messages', positiveInteger, 20)
    .action(runHistory);

  const read = program
    .command('read')
    .summary('Mark a chat as read')
    .description('Mark every message in a chat as read (moves your read pointer to the last one)')
    .argument('<chat-id>', 'the chat, from `tokki chats`')
    .action(runRead);

  return [send, history, read];
}

async function runSend(
  chatId: string,
  text: string | undefined,
  options: SendOptions,
): Promise<void> {
  const { client, out, profile } = openSession(options);
  const body = options.caption ?? (text === '-' ? await readStdin() : (text ?? ''));
  if (body.length === 0 && options.file.length === 0)
    throw new CliError('Nothing to send: give a text or --file.');
  const fileIds: string[] = [];
  for (const path of options.file) {
    let shown = -1;
    fileIds.push(
      await uploadFile(profile, chatId, path, (sent, total) => {
        const percent = Math.floor((sent / total) * 100);
        if (percent >= shown + 10 || sent === total) {
          shown = percent;
          out.note(`${path}: ${percent} %`);
        }
      }),
    );
  }
  const clientMsgId = options.clientMsgId ?? newClientMsgId();
  const signal = AbortSignal.timeout(options.timeout * 1000);
  let message: Message;
  try {
    ({ message } = await client.sendMessage(chatId, body, {
      clientMsgId,
      signal,
      ...(fileIds.length > 0 && { fileIds }),
      onRetry: (error, attempt) => {
        if (attempt === 1) out.note(`${describeError(error)}; retrying for ${options.timeout} s…`);
      },
    }));
  } catch (error) {
    if (!signal.aborted) throw error;
    throw new CliError(
      `Gave up after ${options.timeout} s; the message may or may not have been sent. ` +
        `Resend it safely with --client-msg-id ${clientMsgId}.`,
    );
  }
  out.result(message, () => `Sent to ${message.chatId} as #${message.seq}.`);
}

async function runHistory(chatId: string, options: HistoryOptions): Promise<void> {
  const { client, out } = openSession(options);
  const messages: Message[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.call('messages.history', {
      chatId,
      limit: Math.min(LIMITS.HISTORY_PAGE_MAX, options.limit - messages.length),
      ...(cursor && { cursor }),
    });
    messages.push(...page.messages);
    cursor = page.cursor ?? undefined;
  } while (cursor && messages.length < options.limit);
  messages.reverse();

  const names = new UserNames(client);
  if (!out.json)
    await names.load(
      messages.map((message) => message.senderId),
      chatId,
    );
  if (messages.length === 0) out.text('No messages yet.');
  for (const message of messages) out.result(message, () => describeMessage(message, names));
}

/**
 * `#3  2026-11-21 14:05  Alice: hello`, continuation lines indented under the text; "(edited)"
 * after an edited one, and "(deleted)" for a tombstone.
 */
export function describeMessage(message: Message, names: UserNames): string {
  const sender = names.name(message.senderId, message.chatId);
  const head = `#${message.seq}  ${formatTime(message.createdAt)}  ${sender}: `;
  if (message.deletedAt !== null) return `${head}(deleted)`;
  const reply = message.replyToSeq !== undefined ? `↪ #${message.replyToSeq} ` : '';
  const edited = message.editedAt !== null ? ' (edited)' : '';
  const files = (message.files ?? []).map(
    (file, i) =>
      `\n${' '.repeat(head.length)}📎 ${i + 1}. ${file.name} (${formatBytes(file.size)})`,
  );
  const reactions = (message.reactions ?? [])
    .map(({ reaction, userIds }) => `${reaction} ${userIds.length}`)
    .join(', ');
  return (
    head +
    reply +
    indentLines(message.text, ' '.repeat(head.length)) +
    edited +
    (reactions ? `  [${reactions}]` : '') +
    files.join('')
  );
}

async function runRead(chatId: string, options: CommonOptions): Promise<void> {
  const { client, out } = openSession(options);
  const chat = await client.call('chats.get', { chatId });
  const { readSeq } =
    chat.lastSeq > chat.readSeq
      ? await client.call('messages.markRead', { chatId, seq: chat.lastSeq })
      : { readSeq: chat.readSeq };
  out.result({ chatId, readSeq }, () =>
    readSeq === 0 ? 'Nothing to read yet.' : `Read up to #${readSeq}.`,
  );
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  // `echo hi | tokki send c_… -` sends "hi", not "hi\n".
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}
