import { hkdfSync, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RateLimit } from './rate-limit/rate-limit.js';

export type Mode = 'local' | 'production';

export interface ServerConfig {
  mode: Mode;
  host: string;
  port: number;
  /** `sqlite:PATH` or `postgres://…`. */
  databaseUrl: string;
  /**
   * `nats://host:port[,nats://…]`: the bus to the other nodes of a cluster (PostgreSQL only).
   * Undefined for one node, which uses an in-process bus.
   */
  busUrl: string | undefined;
  /** `console` prints codes to the log (local mode only). */
  smsProvider: 'console';
  rateLimits: {
    codeRequestsPerPhone: RateLimit;
    codeRequestsPerIp: RateLimit;
    /** Numbers new to an account (address-book entries, lookups by number or Tokki ID). */
    contactDiscoveryPerAccount: RateLimit;
    contactDiscoveryPerDevice: RateLimit;
    /** Link previews fetched (cache misses): the server must not become a scanner. */
    linkPreviewsPerUser: RateLimit;
    /** Messages sent (a forward counts one per target chat); counted in each node's memory. */
    messagesPerUser: RateLimit;
    /** `chats.setTyping` calls (clients repeat one every few seconds); in each node's memory. */
    typingPerUser: RateLimit;
    /** Groups created. */
    groupsPerUser: RateLimit;
    /** Users put into groups by this user (at creation or later), one hit each. */
    memberAddsPerUser: RateLimit;
    /** Bytes uploaded (declared `Upload-Length`, counted as uploads begin). */
    uploadBytesPerUser: RateLimit;
  };
  /** Requests one WebSocket may have unanswered at once; beyond it, RATE_LIMITED. */
  requestsInFlightPerSocket: number;
  /** Images decoded and re-encoded at once (sharp); more wait their turn. */
  imageDecodesAtOnce: number;
  /**
   * Who may put a user into a group: `known`, only someone that user has as a friend or already
   * has a chat with (as in KakaoTalk; anyone else sends an invite link); `anyone`, for a company
   * server whose people do not keep each other as friends.
   */
  groupAdds: 'known' | 'anyone';
  linkPreviews: {
    /**
     * Hosts (names or IP addresses, as in URLs) whose pages may be fetched even though they are,
     * or resolve to, internal addresses: for tests' local pages, or an intranet's own sites.
     * Empty by default; every other host must be public (docs/adr/004-link-previews.md).
     */
    allowHosts: string[];
    /** For a whole fetch, redirects included. */
    timeoutMs: number;
  };
  /**
   * Key of the HMAC that contacts are stored under (accounts/phone-hash.ts). It must not live
   * in the database, or a stolen database could be reversed by hashing every number.
   */
  contactHashKey: Buffer;
  /** Updates older than this are pruned; devices further behind are told to reload. */
  updateRetentionSeconds: number;
  /** A device token unused for this long expires (Telegram's default: six months). */
  deviceIdleTimeoutSeconds: number;
  /**
   * Memory for the newest updates, from which catch-up reads instead of the database; 0 turns it
   * off. Always 0 with a bus URL: a node of a cluster does not see every update (docs/adr/007).
   */
  recentUpdatesBytes: number;
  /** The built web app (`packages/web/dist`), served at `/`; none when undefined. */
  webRoot: string | undefined;
  logLevel: string;
  /** Uploaded files (media/): blobs, partial uploads. */
  mediaDir: string;
  /** Key of the HMAC that signs download URLs (`?t=`), so that `<img src>` needs no header. */
  mediaUrlKey: Buffer;
}

export interface ConfigInput {
  mode?: Mode;
  host?: string;
  port?: number;
  dataDir?: string;
  databaseUrl?: string;
  /** Else TOKKI_BUS_URL. */
  busUrl?: string;
  smsProvider?: string;
  /** Else TOKKI_RATE_LIMITS: a JSON object of the same shape, e.g. `{"messagesPerUser": {"max": 600, "windowSeconds": 60}}`. */
  rateLimits?: Partial<ServerConfig['rateLimits']>;
  linkPreviews?: Partial<ServerConfig['linkPreviews']>;
  requestsInFlightPerSocket?: number;
  imageDecodesAtOnce?: number;
  /** Else TOKKI_GROUP_ADDS. */
  groupAdds?: ServerConfig['groupAdds'];
  /** At least 32 bytes, hex; else TOKKI_CONTACT_HASH_KEY; else, in local mode, a key file. */
  contactHashKey?: string;
  updateRetentionSeconds?: number;
  deviceIdleTimeoutSeconds?: number;
  recentUpdatesBytes?: number;
  webRoot?: string;
  logLevel?: string;
  /** Default `<dataDir>/media`. */
  mediaDir?: string;
  /** At least 32 bytes, hex; else TOKKI_MEDIA_URL_KEY; else derived from the contact-hash key. */
  mediaUrlKey?: string;
}

export const DEFAULT_PORT = 8080;

const DAY_SECONDS = 24 * 3600;
const CONTACT_HASH_KEY_FILE = 'contact-hash.key';

/** Fills defaults and refuses combinations that would be unsafe to run. */
export function resolveConfig(input: ConfigInput = {}): ServerConfig {
  const mode: Mode = input.mode ?? (process.env.NODE_ENV === 'production' ? 'production' : 'local');
  const smsProvider = input.smsProvider ?? 'console';
  if (smsProvider !== 'console') {
    throw new Error(`Unknown SMS provider "${smsProvider}". Available: console.`);
  }
  if (mode === 'production' && smsProvider === 'console') {
    throw new Error(
      'Production mode needs a real SMS provider; "console" only prints codes to the log. ' +
        'Run in local mode (without --mode production / NODE_ENV=production) to try Tokki.',
    );
  }
  const dataDir = input.dataDir ?? './data';
  const databaseUrl = input.databaseUrl ?? `sqlite:${join(dataDir, 'tokki.db')}`;
  const busUrl = resolveBusUrl(
    input.busUrl ?? (process.env.TOKKI_BUS_URL || undefined),
    databaseUrl,
  );
  const contactHashKey = resolveContactHashKey(input.contactHashKey, mode, dataDir);
  return {
    mode,
    host: input.host ?? '0.0.0.0',
    port: input.port ?? DEFAULT_PORT,
    databaseUrl,
    busUrl,
    smsProvider,
    rateLimits: withRateLimits(input.rateLimits, {
      codeRequestsPerPhone: { max: 5, windowSeconds: 3600 },
      codeRequestsPerIp: { max: 30, windowSeconds: 3600 },
      contactDiscoveryPerAccount: { max: 5000, windowSeconds: DAY_SECONDS },
      contactDiscoveryPerDevice: { max: 3000, windowSeconds: DAY_SECONDS },
      linkPreviewsPerUser: { max: 60, windowSeconds: 60 },
      // A fast typist in a busy group sends a few a second for a moment, not two a second for a
      // minute; a client repeats setTyping every 4 s in the chat it types in.
      messagesPerUser: { max: 120, windowSeconds: 60 },
      typingPerUser: { max: 60, windowSeconds: 60 },
      groupsPerUser: { max: 50, windowSeconds: 3600 },
      // A company's 3,000-member group can be built in a day.
      memberAddsPerUser: { max: 5000, windowSeconds: DAY_SECONDS },
      uploadBytesPerUser: { max: 10 * 1024 ** 3, windowSeconds: DAY_SECONDS },
    }),
    // A client flushing its offline queue pipelines sends; 256 of them is still a bounded cost.
    requestsInFlightPerSocket: positiveInteger(
      input.requestsInFlightPerSocket ?? 256,
      'requestsInFlightPerSocket',
    ),
    imageDecodesAtOnce: positiveInteger(input.imageDecodesAtOnce ?? 2, 'imageDecodesAtOnce'),
    groupAdds: resolveGroupAdds(input.groupAdds ?? (process.env.TOKKI_GROUP_ADDS || 'known')),
    linkPreviews: {
      allowHosts: input.linkPreviews?.allowHosts ?? [],
      timeoutMs: input.linkPreviews?.timeoutMs ?? 5000,
    },
    contactHashKey,
    updateRetentionSeconds: input.updateRetentionSeconds ?? 30 * 24 * 3600,
    deviceIdleTimeoutSeconds: input.deviceIdleTimeoutSeconds ?? 183 * 24 * 3600,
    // Fed by every update in pts order, which a node of a cluster does not see (docs/adr/007).
    recentUpdatesBytes: busUrl ? 0 : (input.recentUpdatesBytes ?? 64 * 1024 * 1024),
    webRoot: input.webRoot,
    logLevel: input.logLevel ?? 'info',
    mediaDir: input.mediaDir ?? join(dataDir, 'media'),
    mediaUrlKey: resolveMediaUrlKey(input.mediaUrlKey, contactHashKey),
  };
}

/**
 * The download-URL key: given, from the environment, or derived from the contact-hash key (a
 * secret the server keeps anyway), so that no deployment needs one more secret to start.
 */
function resolveMediaUrlKey(given: string | undefined, contactHashKey: Buffer): Buffer {
  const configured = given ?? process.env.TOKKI_MEDIA_URL_KEY;
  if (configured !== undefined) return parseKey(configured, 'The media URL key');
  return Buffer.from(hkdfSync('sha256', contactHashKey, '', 'tokki media url', 32));
}

/**
 * The contact-hash key: given, from the environment, or — in local mode only — read from the data
 * directory, where the first start writes a random one. Production must be given one, and keep it
 * (with its backups, not the database's): a new key unmatches every stored contact.
 */
export function resolveContactHashKey(
  given: string | undefined,
  mode: Mode,
  dataDir: string,
): Buffer {
  const configured = given ?? process.env.TOKKI_CONTACT_HASH_KEY;
  if (configured !== undefined) return parseKey(configured, 'The contact-hash key');
  if (mode === 'production') {
    throw new Error(
      'Production mode needs a contact-hash key: set TOKKI_CONTACT_HASH_KEY to 64 or more hex ' +
        'digits (e.g. `openssl rand -hex 32`) and keep it apart from the database.',
    );
  }
  const file = join(dataDir, CONTACT_HASH_KEY_FILE);
  try {
    return parseKey(readFileSync(file, 'utf8').trim(), file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32).toString('hex');
  // 'wx': two servers starting at once must not write different keys.
  try {
    writeFileSync(file, key + '\n', { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return parseKey(readFileSync(file, 'utf8').trim(), file);
  }
  return Buffer.from(key, 'hex');
}

/** The defaults, with the limits given in the config, or else in TOKKI_RATE_LIMITS, instead. */
function withRateLimits(
  given: Partial<ServerConfig['rateLimits']> | undefined,
  defaults: ServerConfig['rateLimits'],
): ServerConfig['rateLimits'] {
  const chosen = given ?? rateLimitsFromEnv(process.env.TOKKI_RATE_LIMITS, Object.keys(defaults));
  return { ...defaults, ...chosen };
}

/** TOKKI_RATE_LIMITS: some of `rateLimits`, as JSON; each given limit whole. */
function rateLimitsFromEnv(
  json: string | undefined,
  known: readonly string[],
): Partial<ServerConfig['rateLimits']> {
  if (!json) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new Error('TOKKI_RATE_LIMITS must be a JSON object of rate limits.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new Error('TOKKI_RATE_LIMITS must be a JSON object of rate limits.');
  for (const [name, limit] of Object.entries(parsed)) {
    if (!known.includes(name))
      throw new Error(`TOKKI_RATE_LIMITS.${name} is not a rate limit (${known.join(', ')}).`);
    const { max, windowSeconds } = (limit ?? {}) as Partial<RateLimit>;
    if (!Number.isInteger(max) || !Number.isInteger(windowSeconds) || windowSeconds! < 1)
      throw new Error(`TOKKI_RATE_LIMITS.${name} needs a whole max and windowSeconds ≥ 1.`);
  }
  return parsed as Partial<ServerConfig['rateLimits']>;
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number ≥ 1.`);
  return value;
}

function resolveGroupAdds(value: string): ServerConfig['groupAdds'] {
  if (value !== 'known' && value !== 'anyone')
    throw new Error(`groupAdds must be "known" or "anyone", not "${value}".`);
  return value;
}

function parseKey(hex: string, what: string): Buffer {
  if (!/^([0-9a-fA-F]{2}){32,}$/.test(hex)) {
    throw new Error(`${what} must be at least 64 hex digits (32 bytes).`);
  }
  return Buffer.from(hex, 'hex');
}

/** A cluster's bus: NATS URLs, and only with a database every node shares. */
function resolveBusUrl(given: string | undefined, databaseUrl: string): string | undefined {
  if (given === undefined) return undefined;
  for (const url of given.split(',')) {
    if (!/^(nats|tls):\/\/[^\s/]+\/?$/.test(url.trim())) {
      throw new Error(
        `Invalid bus URL "${url}": use nats://host:port (several separated by commas).`,
      );
    }
  }
  if (!databaseUrl.startsWith('postgres')) {
    throw new Error(
      'A cluster bus needs a database every node shares: use --db postgres://… with --bus.',
    );
  }
  return given;
}
