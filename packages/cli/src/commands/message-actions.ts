import { REACTIONS, type Reaction } from '@tokki/protocol';
import type { Command } from 'commander';
import { basename } from 'node:path';
import { newClientMsgId } from '@tokki/sdk';
import { downloadTo } from '../files.js';
import { formatBytes } from '../format.js';
import { CliError } from '../output.js';
import { openSession, positiveInteger, type CommonOptions } from './common.js';

interface DeleteOptions extends CommonOptions {
  forEveryone?: boolean;
}

interface DownloadOptions extends CommonOptions {
  out?: string;
  index: number;
}

/** `tokki reply`, `react`, `forward`, `pin`, `edit`, `delete` and `download`. */
export function registerMessageActions(program: Command): Command[] {
  const forward = program
    .command('forward')
    .summary('Send a copy of a message to other chats')
    .description('Send a copy of a message (its text and files) to other chats of yours')
    .argument('<chat-id>', 'the chat the message is in')
    .argument('<seq>', 'the message, by its #number in `tokki history`', messageSeq)
    .argument('<to-chat-ids...>', 'the chats to send it to')
    .action(runForward);

  const pin = program
    .command('pin')
    .summary('Pin a message at the top of a chat, or unpin')
    .description('Pin a message at the top of a chat for every member; "none" unpins')
    .argument('<chat-id>', 'the chat, from `tokki chats`')
    .argument('<seq>', 'the message, by its #number, or none', (value: string) =>
      value === 'none' ? null : messageSeq(value),
    )
    .action(runPin);

  const download = program
    .command('download')
    .summary("Save a message's photo or file")
    .description("Save a message's photo or file (byte for byte; photos without their metadata)")
    .argument('<chat-id>', 'the chat, from `tokki chats`')
    .argument('<seq>', 'the message, by its #number in `tokki history`', messageSeq)
    .option('--out <path>', 'where to save it (default: its name, here); never overwritten')
    .option('--index <n>', 'which of the message’s files (1 = the first)', positiveInteger, 1)
    .action(runDownload);

  const reply = program
    .command('reply')
    .summary('Answer a message, quoting it')
    .description('Send a text message that answers (quotes) a message of the same chat')
    .argument('<chat-id>', 'the chat, from `tokki chats`')
    .argument('<seq>', 'the message to answer, by its #number in `tokki history`', messageSeq)
    .argument('<text>', 'the answer')
    .action(runReply);

  const react = program
    .command('react')
    .summary('React to a message')
    .description(
      `React to a message (one reaction each: ${REACTIONS.join(', ')}); "none" takes yours back`,
    )
    .argument('<chat-id>', 'the chat, from `tokki chats`')
    .argument('<seq>', 'the message, by its #number in `tokki history`', messageSeq)
    .argument('<reaction>', `${REACTIONS.join(', ')} or none`, reactionArg)
    .action(runReact);

  const edit = program
    .command('edit')
    .summary('Change the text of a message you sent')
    .description(
      'Change the text of a message you sent, within 24 hours of sending it; everyone sees it ' +
        'marked as edited',
    )
    .argument('<chat-id>', 'the chat, from `tokki chats`')
    .argument('<seq>', 'the message, by its #number in `tokki history`', messageSeq)
    .argument('<text>', 'the new text')
    .action(runEdit);

  const remove = program
    .command('delete')
    .summary('Delete a message, for you or for everyone')
    .description(
      'Delete a message from your own history (on all your devices), or with --for-everyone a ' +
        'message you sent, within 24 hours: everyone then sees that it was deleted',
    )
    .argument('<chat-id>', 'the chat, from `tokki chats`')
    .argument('<seq>', 'the message, by its #number in `tokki history`', messageSeq)
    .option('--for-everyone', 'delete it for every member, not only for you')
    .action(runDelete);

  return [reply, react, forward, pin, edit, remove, download];
}

async function runForward(
  chatId: string,
  seq: number,
  toChatIds: string[],
  options: CommonOptions,
): Promise<void> {
  const { client, out } = openSession(options);
  const { messages } = await client.call('messages.forward', {
    chatId,
    seq,
    toChatIds,
    clientMsgId: newClientMsgId(),
  });
  for (const message of messages)
    out.result(message, () => `Forwarded #${seq} to ${message.chatId} as #${message.seq}.`);
}

async function runPin(chatId: string, seq: number | null, options: CommonOptions): Promise<void> {
  const { client, out } = openSession(options);
  await client.call('chats.pin', { chatId, seq });
  out.result({ chatId, pinnedSeq: seq }, () =>
    seq === null ? `Unpinned in ${chatId}.` : `Pinned #${seq} in ${chatId}.`,
  );
}

async function runDownload(chatId: string, seq: number, options: DownloadOptions): Promise<void> {
  const { client, out, profile } = openSession(options);
  const { messages } = await client.call('messages.get', { chatId, seqs: [seq] });
  const file = messages[0]?.files?.[options.index - 1];
  if (!messages[0]) throw new CliError(`No message #${seq} in ${chatId}.`);
  if (!file) throw new CliError(`Message #${seq} has no file number ${options.index}.`);
  const { url } = await client.call('files.get', { fileId: file.id });
  const path = options.out ?? basename(file.name);
  const bytes = await downloadTo(profile, url, path);
  out.result(
    { fileId: file.id, name: file.name, mime: file.mime, path, bytes },
    () => `Saved ${file.name} (${formatBytes(bytes)}) to ${path}.`,
  );
}

async function runReply(
  chatId: string,
  seq: number,
  text: string,
  options: CommonOptions,
): Promise<void> {
  const { client, out } = openSession(options);
  const { message } = await client.sendMessage(chatId, text, { replyToSeq: seq });
  out.result(message, () => `Answered #${seq} in ${message.chatId} as #${message.seq}.`);
}

async function runReact(
  chatId: string,
  seq: number,
  reaction: Reaction | null,
  options: CommonOptions,
): Promise<void> {
  const { client, out } = openSession(options);
  await client.call('messages.react', { chatId, seq, reaction });
  out.result({ chatId, seq, reaction }, () =>
    reaction ? `Reacted ${reaction} to #${seq}.` : `Took back your reaction to #${seq}.`,
  );
}

function reactionArg(value: string): Reaction | null {
  if (value === 'none') return null;
  if ((REACTIONS as readonly string[]).includes(value)) return value as Reaction;
  throw new CliError(`Not a reaction: ${value}. One of ${REACTIONS.join(', ')}, or none.`);
}

async function runEdit(
  chatId: string,
  seq: number,
  text: string,
  options: CommonOptions,
): Promise<void> {
  const { client, out } = openSession(options);
  const { message } = await client.call('messages.edit', { chatId, seq, text });
  out.result(message, () => `Edited #${message.seq} in ${message.chatId}.`);
}

async function runDelete(chatId: string, seq: number, options: DeleteOptions): Promise<void> {
  const { client, out } = openSession(options);
  const forEveryone = options.forEveryone === true;
  await client.call('messages.delete', { chatId, seq, forEveryone });
  out.result({ chatId, seq, forEveryone }, () =>
    forEveryone ? `Deleted #${seq} for everyone.` : `Deleted #${seq} for you.`,
  );
}

/** `12` or `#12`. */
function messageSeq(value: string): number {
  const seq = Number(value.replace(/^#/, ''));
  if (!Number.isInteger(seq) || seq < 1) throw new CliError(`Not a message number: ${value}.`);
  return seq;
}
