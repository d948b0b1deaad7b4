import type { Command } from 'commander';
import type { Event, Update } from '@tokki/sdk';
import { savePts } from '../credentials.js';
import { describeSettings, friendLabel } from '../format.js';
import { UserNames } from '../names.js';
import { CliError, describeError } from '../output.js';
import { terminalSafe } from '../terminal-safe.js';
import { openSession, positiveSeconds, type CommonOptions } from './common.js';
import { describeMessage } from './messages.js';

interface ListenOptions extends CommonOptions {
  timeout?: number;
  events?: boolean;
}

/** `tokki listen`. */
export function registerListen(program: Command): Command[] {
  const listen = program
    .command('listen')
    .summary('Print updates as they happen')
    .description(
      'Print updates (new messages, reads, members, friends, …) as they happen. The profile ' +
        'remembers the last one printed, so the next listen starts right after it; the first ' +
        'listen of a profile starts from now.',
    )
    .option(
      '--timeout <seconds>',
      'stop after this long and exit 0 (default: until Ctrl-C)',
      positiveSeconds,
    )
    .option('--events', 'also print ephemeral events such as typing')
    .addHelpText(
      'after',
      '\nWith --json, each update is one line: {"pts":123,"update":{"kind":"message.new",…}}' +
        '\n(and with --events, each event: {"event":{"kind":"typing",…}}).',
    )
    .action(runListen);
  return [listen];
}

async function runListen(options: ListenOptions): Promise<void> {
  const { client, profile, profileName, out } = openSession(options);
  const names = new UserNames(client);

  // Lines are printed, and the pts saved after each, strictly in arrival order.
  let queue = Promise.resolve();
  let failed: (error: unknown) => void = () => {};
  const enqueue = (task: () => Promise<void> | void) => {
    queue = queue.then(task).catch((error: unknown) => failed(error));
  };

  client.on('update', (envelope) =>
    enqueue(async () => {
      if (!out.json) await loadNames(namedIn(envelope.update), names);
      out.result(envelope, () => describeUpdate(envelope.update, names));
      if (envelope.update.kind === 'chat.nickname') {
        const { userId, nickname, chatId } = envelope.update;
        names.remember(userId, nickname, chatId);
      }
      savePts(profileName, profile.token, envelope.pts);
    }),
  );
  client.on('reload', (result) =>
    enqueue(() => {
      // A fresh profile starts from now; a profile that was too far behind has missed updates.
      if (profile.pts !== undefined) {
        out.note(
          'warning: this profile was too far behind for the server to catch it up; updates ' +
            'since it last listened are not shown (see `tokki chats` and `tokki history`).',
        );
      }
      savePts(profileName, profile.token, result.pts);
    }),
  );
  if (options.events) {
    client.on('event', (event) =>
      enqueue(async () => {
        if (!out.json) await loadNames(eventNamed(event), names);
        out.result({ event }, () => describeEvent(event, names));
      }),
    );
  }

  let synced = false;
  let stopping = false;
  let retrying = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stopped = new Promise<void>((resolve, reject) => {
    failed = reject;
    if (options.timeout !== undefined) timer = setTimeout(resolve, options.timeout * 1000);
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
    client.on('synced', () => {
      out.note(
        synced ? 'Reconnected.' : `Listening for updates on ${profile.server} (Ctrl-C to stop).`,
      );
      synced = true;
    });
    client.on('state', (state) => {
      if (stopping) return;
      if (state === 'revoked' || state === 'unauthenticated') {
        reject(new CliError('The server refused the token: run `tokki login` again.'));
      } else if (state === 'offline') {
        if (synced) out.note('Connection lost; reconnecting…');
        else if (!retrying) out.note(`Cannot reach ${profile.server} yet; retrying…`);
        retrying = true;
      }
    });
    // Connection failures are retried until stopped; a refused token ends it (above).
    client.connect().catch(reject);
  });
  // Without --timeout, nothing else is sure to keep the process alive between reconnects.
  const keepAlive = setInterval(() => {}, 1 << 30);
  try {
    await stopped;
  } finally {
    clearTimeout(timer);
    clearInterval(keepAlive);
    stopping = true;
    client.disconnect();
    await queue;
  }
  if (!synced) throw new CliError(`Could not connect to ${profile.server} in time.`);
}

/** Names are a nicety: on failure, print ids rather than drop the update. */
async function loadNames(
  { ids, chatId }: { ids: string[]; chatId?: string },
  names: UserNames,
): Promise<void> {
  try {
    await names.load(ids, chatId);
  } catch (error) {
    console.error(`warning: could not look up names: ${terminalSafe(describeError(error))}`);
  }
}

/** The ids an update names, and the chat whose members they are (open chats name their own). */
function namedIn(update: Update): { ids: string[]; chatId?: string } {
  switch (update.kind) {
    case 'message.new':
      return { ids: [update.message.senderId], chatId: update.message.chatId };
    case 'chat.read':
    case 'message.reacted':
      return { ids: [update.userId], chatId: update.chatId };
    case 'chat.nickname':
      // Named by the nickname it had, if known: a fresh look-up would give the new one.
      return { ids: [], chatId: update.chatId };
    case 'chat.left':
    case 'chat.role':
      return {
        ids: [update.userId, ...(update.byUserId ? [update.byUserId] : [])],
        chatId: update.chatId,
      };
    case 'chat.joined':
      return { ids: [...update.userIds, update.byUserId], chatId: update.chatId };
    case 'chat.renamed':
    case 'chat.pinned':
    case 'chat.open':
      return { ids: [update.byUserId], chatId: update.chatId };
    case 'friend.removed':
    case 'recommendation.removed':
    case 'block.removed':
      return { ids: [update.userId] };
    default:
      return { ids: [] };
  }
}

function describeUpdate(update: Update, names: UserNames): string {
  const chatId = 'chatId' in update ? update.chatId : undefined;
  const name = (id: string) => names.name(id, chatId);
  const list = (ids: string[]) => ids.map(name).join(', ');
  switch (update.kind) {
    case 'message.new':
      return `${update.message.chatId}  ${describeMessage(update.message, names)}`;
    case 'message.edited':
      return `${update.chatId}  #${update.seq} edited: ${update.text}`;
    case 'message.deleted':
      return `${update.chatId}  #${update.seq} was deleted`;
    case 'message.reacted':
      return update.reaction
        ? `${update.chatId}  ${name(update.userId)} reacted ${update.reaction} to #${update.seq}`
        : `${update.chatId}  ${name(update.userId)} took back their reaction to #${update.seq}`;
    case 'message.hidden':
      return `${update.chatId}  #${update.seq} deleted for you`;
    case 'chat.read':
      return `${update.chatId}  ${name(update.userId)} read up to #${update.readSeq}`;
    case 'chat.joined': {
      const by = update.byUserId;
      if (!update.userIds.includes(by)) {
        return `${update.chatId}  ${name(by)} added ${list(update.userIds)}`;
      }
      const others = update.userIds.filter((id) => id !== by);
      return others.length === 0
        ? `${update.chatId}  ${name(by)} joined`
        : `${update.chatId}  ${name(by)} started the chat with ${list(others)}`;
    }
    case 'chat.left':
      return update.byUserId
        ? `${update.chatId}  ${name(update.byUserId)} removed ${name(update.userId)}`
        : `${update.chatId}  ${name(update.userId)} left`;
    case 'chat.role': {
      const open = names.isOpen(update.chatId);
      const as = {
        owner: open ? 'the host' : 'the owner',
        admin: open ? 'a co-host' : 'an admin',
        member: 'a plain member',
      }[update.role];
      return `${update.chatId}  ${name(update.byUserId)} made ${name(update.userId)} ${as}`;
    }
    case 'chat.pinned':
      return update.seq === null
        ? `${update.chatId}  ${name(update.byUserId)} unpinned the pinned message`
        : `${update.chatId}  ${name(update.byUserId)} pinned #${update.seq}`;
    case 'chat.renamed':
      return `${update.chatId}  ${name(update.byUserId)} renamed the chat to "${update.title}"`;
    case 'chat.nickname':
      return `${update.chatId}  ${name(update.userId)} is now known as "${update.nickname}"`;
    case 'chat.open':
      return `${update.chatId}  ${name(update.byUserId)} changed the settings: ${describeSettings(update.open)}`;
    case 'profile.updated':
      return `${update.user.displayName} (${update.user.id}) updated their profile`;
    case 'friend.added':
      return `${update.friend.user.id}  New friend: ${friendLabel(update.friend)}`;
    case 'friend.updated': {
      const { friend } = update;
      const marks = [friend.favorite && 'favourite', friend.hidden && 'hidden'].filter(Boolean);
      return (
        `${friend.user.id}  Friend updated: ${friendLabel(friend)}` +
        (marks.length > 0 ? ` (${marks.join(', ')})` : '')
      );
    }
    case 'friend.removed':
      return `${update.userId}  No longer a friend: ${names.name(update.userId)}`;
    case 'recommendation.added': {
      const { user } = update.recommendation;
      return `${user.id}  Recommended friend: ${user.displayName} has your number`;
    }
    case 'recommendation.removed':
      return `${update.userId}  No longer recommended: ${names.name(update.userId)}`;
    case 'block.added':
      return `${update.user.id}  Blocked ${update.user.displayName}`;
    case 'block.removed':
      return `${update.userId}  Unblocked ${names.name(update.userId)}`;
    default:
      // A kind this CLI does not know yet (a newer server): show it as it came.
      return JSON.stringify(update);
  }
}

const eventNamed = (event: Event) =>
  event.kind === 'presence'
    ? { ids: [event.presence.userId] }
    : { ids: [event.userId], chatId: event.chatId };

function describeEvent(event: Event, names: UserNames): string {
  if (event.kind === 'typing')
    return `${event.chatId}  ${names.name(event.userId, event.chatId)} is typing…`;
  const { userId, state } = event.presence;
  return `${userId}  ${names.name(userId)} is ${state === 'online' ? 'online' : 'offline'}`;
}
