import pino, { type Logger } from 'pino';
import { AccountsService } from './accounts/service.js';
import type { SmsProvider } from './accounts/sms.js';
import { createSmsProvider } from './accounts/sms-providers.js';
import type { Bus } from './bus/bus.js';
import { LocalBus } from './bus/local-bus.js';
import { NatsBus } from './bus/nats-bus.js';
import { OpenChatsService } from './chats/open-chats.js';
import { chatMembershipLog } from './chats/log-memberships.js';
import { ChatsService } from './chats/service.js';
import type { ServerConfig } from './config.js';
import { openDatabase, type Database } from './db/database.js';
import { FriendsService } from './friends/service.js';
import type { Resolver } from './links/fetcher.js';
import { LinksService } from './links/service.js';
import { WriteQueue } from './db/write-queue.js';
import { MessagesService } from './messages/service.js';
import { MediaService } from './media/service.js';
import { Metrics } from './metrics.js';
import { MemoryRateLimiter } from './rate-limit/memory.js';
import { PresenceService } from './presence/service.js';
import { SecretService } from './secret/service.js';
import { REPLAY_MAX_PTS, readPublished } from './updates/replay.js';
import { domainWrites } from './write-registry.js';
import { UpdatesService } from './updates/service.js';
import { readCounter } from './updates/store.js';

/** Everything a request needs, built once from config and closed once at shutdown. */
export interface AppContext extends AsyncDisposable {
  config: ServerConfig;
  logger: Logger;
  database: Database;
  writes: WriteQueue;
  bus: Bus;
  accounts: AccountsService;
  chats: ChatsService;
  openChats: OpenChatsService;
  friends: FriendsService;
  links: LinksService;
  messages: MessagesService;
  updates: UpdatesService;
  media: MediaService;
  presence: PresenceService;
  secret: SecretService;
  metrics: Metrics;
  close(): Promise<void>;
}

export interface ContextOverrides {
  logger?: Logger;
  sms?: SmsProvider;
  /**
   * The time rules such as "edit within 24 hours", token-cache expiry, `writer.now` and the rate
   * limits go by: tests and the abuse script (bench/src/abuse/) move it.
   */
  clock?: () => number;
  /** Resolves host names for link previews: tests answer for names that do not exist. */
  resolveHost?: Resolver;
}

/** Redacted wherever they appear in a log line, so no token, code or text is ever written. */
const REDACT = [
  'token',
  'code',
  'text',
  'params',
  'req.headers.authorization',
  '*.token',
  '*.code',
  '*.text',
];

/** The server's logger; `destination` (stdout by default) lets tests read what it writes. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' } }, destination);
}

export async function createContext(
  config: ServerConfig,
  overrides: ContextOverrides = {},
): Promise<AppContext> {
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const database = await openDatabase(config.databaseUrl, { writes: domainWrites });
  let bus: Bus;
  try {
    bus = await openBus(config, database, logger);
  } catch (error) {
    await database.close();
    throw error;
  }
  const metrics = new Metrics(() => bus.roundTrip());
  const writes = new WriteQueue(database, {
    publish: ({ topic, message }) => bus.publish(topic, message as never),
    published: (after, through) => bus.committed(after, through),
    onCommitted: (seconds) => metrics.commitSeconds.observe(seconds),
    onPublishError: (error) => logger.error({ err: error }, 'publishing a commit failed'),
    readPublished: (after, through) =>
      readPublished(database.reader, chatMembershipLog, after, through),
    ...(overrides.clock && { clock: overrides.clock }),
  });
  const updates = new UpdatesService(database, bus, {
    recentUpdates: config.recentUpdatesBytes > 0 && { maxBytes: config.recentUpdatesBytes },
    memberships: chatMembershipLog,
  });
  const sms = overrides.sms ?? createSmsProvider(config.sms, logger);
  // Accounts and chats call on friends, messages and each other once requests come: their hooks
  // reach services built after them.
  const accounts = new AccountsService(
    config,
    database,
    writes,
    bus,
    sms,
    updates,
    logger,
    {
      userCreated: (w, user) => friends.userCreated(w, user),
      audienceOf: (w, userId) => friends.audienceOf(w, userId),
      viewAs: (viewerId, users) => friends.viewAs(viewerId, users),
      deviceRevoked: (w, userId, deviceId) => secret.deviceRevoked(w, userId, deviceId),
    },
    overrides.clock,
  );
  const clock = overrides.clock ?? Date.now;
  const { rateLimits } = config;
  const chats: ChatsService = new ChatsService(
    database,
    writes,
    bus,
    updates,
    {
      usersSeenBy: (viewerId, userIds) => accounts.usersSeenBy(viewerId, userIds),
      existingUserIds: (w, userIds) => accounts.existingUserIds(w, userIds),
      blockedBy: (w, userId, userIds) => friends.blockersOf(w, userId, userIds),
      friendOf: (w, userId, ownerIds) => friends.friendOf(w, userId, ownerIds),
      answeredIn: (w, chatIds, userId) => messages.answeredIn(w, chatIds, userId),
      lastMessages: (keys) => messages.lastMessages(keys),
      secretChatLeft: (w, chatId, userId) => secret.userLeft(w, chatId, userId),
    },
    {
      typing: new MemoryRateLimiter(rateLimits.typingPerUser, clock),
      groupsPerUser: rateLimits.groupsPerUser,
      memberAddsPerUser: rateLimits.memberAddsPerUser,
      groupAdds: config.groupAdds,
    },
  );
  const openChats = new OpenChatsService(database, writes, chats, updates);
  const media = new MediaService(config, database, writes, chats, logger, overrides.clock);
  // One limit for a user's messages, plain or secret.
  const sends = new MemoryRateLimiter(rateLimits.messagesPerUser, clock);
  const messages = new MessagesService(database, writes, chats, updates, media, sends, clock);
  const friends: FriendsService = new FriendsService(
    config,
    database,
    writes,
    updates,
    accounts,
    chats,
  );
  const links = new LinksService(config, database, writes, logger, overrides.resolveHost);
  const presence = new PresenceService(database, writes, bus, friends, logger);
  const secret: SecretService = new SecretService(database, writes, chats, friends, updates, {
    messageTtlSeconds: config.secret.messageTtlSeconds,
    sends,
  });
  await accounts.hashPhonesOfAllUsers();

  const close = async () => {
    await links.close();
    await writes.idle();
    await bus.close();
    await database.close();
  };
  return {
    config,
    logger,
    database,
    writes,
    bus,
    accounts,
    chats,
    openChats,
    friends,
    links,
    messages,
    updates,
    media,
    presence,
    secret,
    metrics,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** The in-process bus for one node; NATS for a cluster (docs/adr/007-cluster-delivery.md). */
async function openBus(config: ServerConfig, database: Database, logger: Logger): Promise<Bus> {
  if (!config.busUrl) return new LocalBus();
  return NatsBus.connect({
    url: config.busUrl,
    logger,
    log: {
      currentPts: () => readCounter(database.reader, 'pts'),
      readPublished: (after, through) =>
        readPublished(database.reader, chatMembershipLog, after, through),
      maxReplay: REPLAY_MAX_PTS,
    },
  });
}
