import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import type { SecretTimer } from '@tokki/protocol';
import { parseSecretTimer, SECRET_TIMER_LABELS, secretTimerLabel } from '@tokki/sdk';
import type { SecretClient, SecretError, SecretMessage } from '@tokki/sdk/secret';
import { secretStateDir } from '../credentials.js';
import { formatTime } from '../format.js';
import { UserNames } from '../names.js';
import { fileLock } from '../state-lock.js';
import { CliError } from '../output.js';
import {
  openSession,
  positiveSeconds,
  userId,
  type CommonOptions,
  type Session,
} from './common.js';

interface CreateOptions extends CommonOptions {
  title?: string;
}

interface VerifyOptions extends CommonOptions {
  mark?: boolean;
}

interface ListenOptions extends CommonOptions {
  timeout?: number;
}

/** `tokki secret …`: end-to-end encrypted chats (MLS), their state in $TOKKI_HOME. */
export function registerSecret(program: Command): Command[] {
  const secret = program
    .command('secret')
    .summary('Secret chats: end-to-end encrypted (tokki secret --help)')
    .description(
      'Secret chats (비밀채팅): end-to-end encrypted with MLS between your devices and theirs. ' +
        'The server only stores and routes ciphertexts; this device keeps its keys and the ' +
        'messages it decrypted in an encrypted, owner-only file under $TOKKI_HOME/secret.',
    );

  const create = secret
    .command('create')
    .summary('Start a secret chat')
    .description('Start a secret chat with these users (and your other devices); prints its id.')
    .argument('<user-id...>', 'the users, from `tokki friends` (u_…)')
    .option('--title <title>', "a group's title")
    .action((users: string[], options: CreateOptions) => runCreate(users, options));

  const send = secret
    .command('send')
    .summary('Send an encrypted text')
    .description('Encrypt a text on this device and send it; prints its seq.')
    .argument('<chat-id>', 'the secret chat')
    .argument('<text>', 'the message; "-" reads it from stdin')
    .action((chatId: string, text: string, options: CommonOptions) =>
      runSend(chatId, text, options),
    );

  const history = secret
    .command('history')
    .summary("Show a secret chat's messages")
    .description(
      'Show the messages this device decrypted, oldest first. Showing them counts as reading ' +
        'them: a message with a timer is deleted that long afterwards.',
    )
    .argument('<chat-id>', 'the secret chat')
    .action((chatId: string, options: CommonOptions) => runHistory(chatId, options));

  const timer = secret
    .command('timer')
    .summary('Set the self-destruct timer')
    .description(
      'Set how long after being read messages disappear, for everyone in the chat (sent ' +
        'encrypted, shown as a service line).',
    )
    .argument('<chat-id>', 'the secret chat')
    .argument('<timer>', SECRET_TIMER_LABELS.join(' | '), secretTimer)
    .action((chatId: string, value: SecretTimer, options: CommonOptions) =>
      runTimer(chatId, value, options),
    );

  const verify = secret
    .command('verify')
    .summary('Show the safety number and key image')
    .description(
      'Show the safety number and key image of you and a member; compare them with theirs in ' +
        'person or on a call, then mark them verified with --mark.',
    )
    .argument('<chat-id>', 'the secret chat')
    .argument('<user-id>', 'the member (u_…)', userId)
    .option('--mark', 'mark them verified (a change of their keys drops the mark)')
    .action((chatId: string, user: string, options: VerifyOptions) =>
      runVerify(chatId, user, options),
    );

  const listen = secret
    .command('listen')
    .summary('Print secret messages as they arrive')
    .description(
      'Decrypt and print secret messages as they arrive (they count as read). Warnings such as ' +
        "a contact's key change go to stderr.",
    )
    .option(
      '--timeout <seconds>',
      'stop after this long and exit 0 (default: until Ctrl-C)',
      positiveSeconds,
    )
    .action((options: ListenOptions) => runListen(options));

  return [create, send, history, timer, verify, listen];
}

function secretTimer(value: string): SecretTimer {
  const timer = parseSecretTimer(value);
  if (timer === undefined) {
    throw new InvalidArgumentError(`Use one of ${SECRET_TIMER_LABELS.join(', ')}.`);
  }
  return timer;
}

/** A session with this device's secret chats loaded and caught up. */
interface SecretSession extends Session {
  secret: SecretClient;
}

/**
 * Opens the profile's secret state: a `0600` file (AES-256-GCM, its key in a second `0600`
 * file) per device, so a profile signed in again starts a new device's state.
 */
async function openSecret(options: CommonOptions): Promise<SecretSession> {
  const session = openSession(options);
  // Loaded here, not at start-up: MLS is only needed by these commands.
  const [{ SecretClient }, { fileStateStore }] = await Promise.all([
    import('@tokki/sdk/secret'),
    import('@tokki/e2e/node'),
  ]);
  const { userId: user, deviceId } = session.profile;
  const directory = secretStateDir(session.profileName);
  const name = deviceId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64);
  const store = fileStateStore(directory, { name });
  await mkdir(directory, { recursive: true, mode: 0o700 });
  try {
    const secret = await SecretClient.open({
      client: session.client,
      userId: user,
      deviceId,
      store,
      // `listen` and the other commands may run at once on one profile.
      exclusive: fileLock(join(directory, `${name}.lock`)),
    });
    secret.on('error', (error) => session.out.note(`warning: ${describeSecretError(error)}`));
    secret.on('keyChange', ({ userId: changed, deviceId: device, wasVerified }) =>
      session.out.note(
        `warning: the keys of ${changed}'s device ${device} changed` +
          (wasVerified ? ' (no longer verified: compare the safety number again)' : ''),
      ),
    );
    return { ...session, secret };
  } catch (error) {
    throw asCliError(error);
  }
}

/** Runs a command body, turning secret-chat refusals into `error: CODE: message`. */
async function withSecret(
  options: CommonOptions,
  body: (session: SecretSession) => Promise<void>,
): Promise<void> {
  const session = await openSecret(options);
  try {
    await body(session);
  } catch (error) {
    throw asCliError(error);
  } finally {
    await session.secret.close();
  }
}

function isSecretError(error: unknown): error is SecretError {
  return error instanceof Error && error.name === 'SecretError' && 'code' in error;
}

function asCliError(error: unknown): unknown {
  return isSecretError(error) ? new CliError(describeSecretError(error)) : error;
}

function describeSecretError(error: SecretError): string {
  return `${error.code}: ${error.message}${error.chatId ? ` (${error.chatId})` : ''}`;
}

async function runCreate(users: string[], options: CreateOptions): Promise<void> {
  const ids = users.map(userId);
  await withSecret(options, async ({ secret, out }) => {
    const chatId = await secret.createChat(ids, options.title);
    out.result({ chatId, members: secret.members(chatId) }, () => chatId);
  });
}

async function runSend(chatId: string, text: string, options: CommonOptions): Promise<void> {
  const body = text === '-' ? await readStdin() : text;
  if (body.trim() === '') throw new CliError('Nothing to send: the text is empty.');
  await withSecret(options, async ({ secret, out }) => {
    const message = await secret.send(chatId, body);
    out.result(message, () => `Sent #${message.seq} to ${chatId}.`);
  });
}

async function runHistory(chatId: string, options: CommonOptions): Promise<void> {
  await withSecret(options, async ({ secret, out, client }) => {
    const messages = secret.history(chatId);
    const names = new UserNames(client);
    if (!out.json) await names.load(new Set(messages.map((m) => m.senderId)), chatId);
    if (messages.length === 0) out.text('No messages on this device.');
    for (const message of messages) {
      out.result(message, () => describeSecretMessage(message, names));
    }
    await secret.markRead(chatId);
  });
}

async function runTimer(chatId: string, timer: SecretTimer, options: CommonOptions) {
  await withSecret(options, async ({ secret, out }) => {
    const message = await secret.setTimer(chatId, timer);
    out.result(message, () => `Messages in ${chatId} now disappear ${timerPhrase(timer)}.`);
  });
}

async function runVerify(chatId: string, user: string, options: VerifyOptions): Promise<void> {
  await withSecret(options, async ({ secret, out }) => {
    if (options.mark) await secret.markVerified(chatId, user);
    const { safetyNumber, keyImage, verified } = await secret.verification(chatId, user);
    out.result({ chatId, userId: user, safetyNumber, keyImage, verified }, () =>
      [
        `Safety number of you and ${user}:`,
        ...(safetyNumber.match(/.{20}/g) ?? []).map((row) => row.match(/.{5}/g)?.join(' ')),
        'Key image:',
        ...keyImage.map((row) => row.map((cell) => KEY_IMAGE_SHADES[cell] ?? '?').join('')),
        verified ? 'Verified.' : 'Not verified: compare, then run again with --mark.',
      ].join('\n'),
    );
  });
}

async function runListen(options: ListenOptions): Promise<void> {
  await withSecret(options, async ({ secret, out, client, profile }) => {
    const names = new UserNames(client);
    let queue = Promise.resolve();
    secret.on('message', (message) => {
      queue = queue
        .then(async () => {
          if (!out.json) await names.load([message.senderId], message.chatId);
          out.result(message, () => `${message.chatId}  ${describeSecretMessage(message, names)}`);
          await secret.markRead(message.chatId);
        })
        .catch((error: unknown) => out.note(`warning: ${String(error)}`));
    });
    secret.on('members', ({ chatId, added, removed }) => {
      const list = (devices: { userId: string }[]) => devices.map((d) => d.userId).join(', ');
      if (added.length > 0) out.note(`${chatId}  devices added: ${list(added)}`);
      if (removed.length > 0) out.note(`${chatId}  devices removed: ${list(removed)}`);
    });
    secret.on('closed', ({ chatId }) => out.note(`${chatId}  this device was removed`));
    secret.follow();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const keepAlive = setInterval(() => {}, 1 << 30);
    try {
      await new Promise<void>((resolve, reject) => {
        if (options.timeout !== undefined) timer = setTimeout(resolve, options.timeout * 1000);
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
        client.on('state', (state) => {
          if (state === 'revoked' || state === 'unauthenticated') {
            reject(new CliError('The server refused the token: run `tokki login` again.'));
          }
        });
        client
          .connect()
          .then(() =>
            out.note(`Listening for secret messages on ${profile.server} (Ctrl-C to stop).`),
          )
          .catch(reject);
      });
    } finally {
      clearTimeout(timer);
      clearInterval(keepAlive);
      client.disconnect();
      await queue;
    }
  });
}

/** Four shades for the key image's colour indexes 0..3, two columns each to look square. */
const KEY_IMAGE_SHADES = ['  ', '░░', '▓▓', '██'];

function timerPhrase(timer: SecretTimer): string {
  if (timer === 0) return 'never (timer off)';
  return `${secretTimerLabel(timer)} after they are read`;
}

function describeSecretMessage(message: SecretMessage, names: UserNames): string {
  const who = names.name(message.senderId, message.chatId);
  const when = formatTime(message.sentAt);
  const { content } = message;
  if (content.type === 'timer') {
    return `#${message.seq} ${when} ${who} set messages to disappear ${timerPhrase(content.timer)}`;
  }
  const fuse = content.timer > 0 ? ` [${secretTimerLabel(content.timer)}]` : '';
  return `#${message.seq} ${when} ${who}: ${content.text}${fuse}`;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\n$/, '');
}
