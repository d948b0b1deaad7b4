import { hkdfSync, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { productionRefusals } from './production.js';
import type { RateLimit } from './rate-limit/rate-limit.js';
import { ConfigError, mergeSettings, settingsFromEnv, type TrustProxy } from './settings.js';

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
  /** Who texts sign-in codes (accounts/sms.ts). */
  sms: SmsConfig;
  /** `+99966XYYYY` sign in with the code XXXXX: never in production. */
  testNumbers: boolean;
  /** Fastify's trustProxy: whose X-Forwarded-For to believe (http/client-address.ts). */
  trustProxy: TrustProxy;
  rateLimits: {
    codeRequestsPerPhone: RateLimit;
    /** On top of the hourly one: a number cannot be texted all day an hour at a time. */
    codeRequestsPerPhoneDaily: RateLimit;
    /** Keyed by the client's address, an IPv6 one by its /64 (rate-limit/address.ts). */
    codeRequestsPerIp: RateLimit;
    codeRequestsPerIpDaily: RateLimit;
    /** Wrong codes tried for a number, whichever of its codes they were meant for. */
    wrongCodesPerPhoneDaily: RateLimit;
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
    /** For a whole fetch, redirects included (the page, then its image: each its own). */
    timeoutMs: number;
    /** A preview image larger than this (after Content-Encoding) is not fetched, nor shown. */
    maxImageBytes: number;
  };
  /**
   * Key of the HMAC that contacts are stored under (accounts/phone-hash.ts). It must not live
   * in the database, or a stolen database could be reversed by hashing every number.
   */
  contactHashKey: Buffer;
  /** Updates older than this are pruned; devices further behind are told to reload. */
  updateRetentionSeconds: number;
  secret: {
    /**
     * How long the server keeps a secret chat's message that not every device has acknowledged:
     * at this TTL its ciphertext is purged regardless (docs/adr/008-secret-chats.md).
     */
    messageTtlSeconds: number;
  };
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
  /**
   * Where `/metrics` is served: never on the public listener without a token. `listen` is a
   * separate `host:port` for it (scrapers inside the network); `token` lets it be read on the
   * public listener with `Authorization: Bearer <token>`. Neither: no `/metrics` at all.
   */
  metrics: { listen: { host: string; port: number } | undefined; token: string | undefined };
}

export interface ConfigInput {
  mode?: Mode;
  host?: string;
  port?: number;
  dataDir?: string;
  databaseUrl?: string;
  /** Else TOKKI_BUS_URL. */
  busUrl?: string;
  sms?: SmsInput;
  /** Default: on in local mode, off in production (which refuses them). */
  testNumbers?: boolean;
  trustProxy?: TrustProxy;
  rateLimits?: Partial<ServerConfig['rateLimits']>;
  linkPreviews?: Partial<ServerConfig['linkPreviews']>;
  secret?: Partial<ServerConfig['secret']>;
  requestsInFlightPerSocket?: number;
  imageDecodesAtOnce?: number;
  groupAdds?: ServerConfig['groupAdds'];
  /** At least 32 bytes, hex; else TOKKI_CONTACT_HASH_KEY; else, in local mode, a key file. */
  contactHashKey?: string;
  /** A file holding the key; production refuses one beside the database. */
  contactHashKeyFile?: string;
  updateRetentionSeconds?: number;
  deviceIdleTimeoutSeconds?: number;
  recentUpdatesBytes?: number;
  webRoot?: string;
  logLevel?: string;
  /** Default `<dataDir>/media`. */
  mediaDir?: string;
  /** At least 32 bytes, hex; else TOKKI_MEDIA_URL_KEY; else derived from the contact-hash key. */
  mediaUrlKey?: string;
  /** `listen`: `host:port` (else TOKKI_METRICS_LISTEN); `token`: else TOKKI_METRICS_TOKEN. */
  metrics?: { listen?: string; token?: string };
}

/**
 * The SMS gateway and its credentials. `console` prints codes to the log (local mode only); the
 * others are the adapters in accounts/ (sms-twilio.ts, sms-sens.ts, sms-webhook.ts).
 */
export type SmsConfig = (
  | { provider: 'console' }
  | {
      provider: 'twilio';
      /** Default https://api.twilio.com. */
      baseUrl: string;
      accountSid: string;
      /** HTTP Basic user and password: the Account SID and auth token, or an API key's SID and secret. */
      username: string;
      password: string;
      /** The sender: a number, or a Messaging Service (exactly one of them). */
      from: string | undefined;
      messagingServiceSid: string | undefined;
    }
  | {
      provider: 'sens';
      /** Default https://sens.apigw.ntruss.com. */
      baseUrl: string;
      serviceId: string;
      accessKey: string;
      secretKey: string;
      /** A calling number registered with SENS, digits only. */
      from: string;
    }
  | {
      provider: 'http';
      /** The operator's endpoint, sent a JSON POST signed per Standard Webhooks. */
      url: string;
      /** `whsec_<base64>`. */
      secret: string;
    }
) & {
  /** How long one try may take; a send tries `tries` times, with a short backoff between. */
  timeoutMs: number;
  tries: number;
};

/** Config's `sms` block as given: every field optional until resolveConfig checks it. */
export interface SmsInput {
  provider?: string;
  baseUrl?: string;
  url?: string;
  accountSid?: string;
  authToken?: string;
  apiKeySid?: string;
  apiKeySecret?: string;
  messagingServiceSid?: string;
  serviceId?: string;
  accessKey?: string;
  secretKey?: string;
  from?: string;
  secret?: string;
  timeoutMs?: number;
  tries?: number;
}

export const DEFAULT_PORT = 8080;

const DAY_SECONDS = 24 * 3600;
const CONTACT_HASH_KEY_FILE = 'contact-hash.key';

/**
 * Fills defaults and refuses combinations that would be unsafe to run. What `input` leaves unset
 * comes from the `TOKKI_*` environment (settings.ts), then the defaults.
 */
export function resolveConfig(given: ConfigInput = {}): ServerConfig {
  const input = mergeSettings(settingsFromEnv(process.env), given);
  const mode: Mode = input.mode ?? (process.env.NODE_ENV === 'production' ? 'production' : 'local');
  const sms = resolveSms(input.sms ?? {});
  const dataDir = input.dataDir ?? './data';
  const databaseUrl = input.databaseUrl ?? `sqlite:${join(dataDir, 'tokki.db')}`;
  const testNumbers = input.testNumbers ?? mode === 'local';
  if (mode === 'production') {
    const refusals = productionRefusals({
      ...input,
      smsProvider: sms.provider,
      testNumbers,
      dataDir,
      databaseUrl,
    });
    if (refusals.length > 0) throw new ConfigError(refusals.join('\n'));
  }
  const busUrl = resolveBusUrl(input.busUrl, databaseUrl);
  const contactHashKey = resolveContactHashKey(
    input.contactHashKey,
    mode,
    dataDir,
    input.contactHashKeyFile,
  );
  return {
    mode,
    host: input.host ?? '0.0.0.0',
    port: input.port ?? DEFAULT_PORT,
    databaseUrl,
    busUrl,
    sms,
    testNumbers,
    trustProxy: input.trustProxy ?? false,
    rateLimits: {
      codeRequestsPerPhone: { max: 5, windowSeconds: 3600 },
      codeRequestsPerPhoneDaily: { max: 10, windowSeconds: DAY_SECONDS },
      codeRequestsPerIp: { max: 30, windowSeconds: 3600 },
      codeRequestsPerIpDaily: { max: 100, windowSeconds: DAY_SECONDS },
      wrongCodesPerPhoneDaily: { max: 20, windowSeconds: DAY_SECONDS },
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
      ...input.rateLimits,
    },
    // A client flushing its offline queue pipelines sends; 256 of them is still a bounded cost.
    requestsInFlightPerSocket: positiveInteger(
      input.requestsInFlightPerSocket ?? 256,
      'requestsInFlightPerSocket',
    ),
    imageDecodesAtOnce: positiveInteger(input.imageDecodesAtOnce ?? 2, 'imageDecodesAtOnce'),
    groupAdds: resolveGroupAdds(input.groupAdds ?? 'known'),
    linkPreviews: {
      allowHosts: input.linkPreviews?.allowHosts ?? [],
      timeoutMs: input.linkPreviews?.timeoutMs ?? 5000,
      maxImageBytes: input.linkPreviews?.maxImageBytes ?? 5 * 1024 * 1024,
    },
    contactHashKey,
    updateRetentionSeconds: input.updateRetentionSeconds ?? 30 * 24 * 3600,
    secret: {
      messageTtlSeconds: positiveInteger(
        input.secret?.messageTtlSeconds ?? 7 * 24 * 3600,
        'secret.messageTtlSeconds',
      ),
    },
    deviceIdleTimeoutSeconds: input.deviceIdleTimeoutSeconds ?? 183 * 24 * 3600,
    // Fed by every update in pts order, which a node of a cluster does not see (docs/adr/007).
    recentUpdatesBytes: busUrl ? 0 : (input.recentUpdatesBytes ?? 64 * 1024 * 1024),
    webRoot: input.webRoot,
    logLevel: input.logLevel ?? 'info',
    mediaDir: input.mediaDir ?? join(dataDir, 'media'),
    mediaUrlKey: resolveMediaUrlKey(input.mediaUrlKey, contactHashKey),
    metrics: resolveMetrics(input.metrics),
  };
}

/** `/metrics`: a separate `host:port`, a bearer token of 32 characters or more, or neither. */
function resolveMetrics(input: ConfigInput['metrics'] = {}): ServerConfig['metrics'] {
  const { listen, token } = input;
  if (token !== undefined && token.length < 32) {
    throw new ConfigError(
      'The metrics token must be at least 32 characters (e.g. `openssl rand -hex 32`).',
    );
  }
  if (listen === undefined) return { listen: undefined, token };
  // `host:port`, `[v6]:port`, or a port alone (loopback).
  const match = /^(?:(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):)?(\d{1,5})$/.exec(listen.trim());
  const port = match ? Number(match[2]) : NaN;
  if (!match || port > 65535) {
    throw new ConfigError(
      `Invalid metrics listen address "${listen}": use host:port, e.g. 127.0.0.1:9464.`,
    );
  }
  const host = (match[1] ?? '127.0.0.1').replace(/^\[(.*)\]$/, '$1');
  return { listen: { host, port }, token };
}

const SMS_PROVIDERS = ['console', 'twilio', 'sens', 'http'];

/** The `sms` block, with each provider's credentials required: one clear line for a missing one. */
function resolveSms(input: SmsInput): SmsConfig {
  const provider = input.provider ?? 'console';
  const need = (field: keyof SmsInput): string => {
    const value = input[field];
    if (typeof value !== 'string' || value === '') {
      throw new ConfigError(`The SMS provider "${provider}" needs sms.${field}.`);
    }
    return value;
  };
  const timing = {
    timeoutMs: positiveInteger(input.timeoutMs ?? 2000, 'sms.timeoutMs'),
    tries: positiveInteger(input.tries ?? 3, 'sms.tries'),
  };
  switch (provider) {
    case 'console':
      return { provider, ...timing };
    case 'twilio': {
      const accountSid = need('accountSid');
      // An API key (recommended by Twilio) or the account's auth token: one of them, whole.
      const withKey = input.apiKeySid !== undefined || input.apiKeySecret !== undefined;
      if (!withKey && input.authToken === undefined) {
        throw new ConfigError(
          'The SMS provider "twilio" needs sms.authToken, or sms.apiKeySid and sms.apiKeySecret.',
        );
      }
      if ((input.from === undefined) === (input.messagingServiceSid === undefined)) {
        throw new ConfigError(
          'The SMS provider "twilio" needs exactly one sender: sms.from or sms.messagingServiceSid.',
        );
      }
      return {
        provider,
        baseUrl: httpUrl(input.baseUrl ?? 'https://api.twilio.com', 'sms.baseUrl'),
        accountSid,
        username: withKey ? need('apiKeySid') : accountSid,
        password: withKey ? need('apiKeySecret') : need('authToken'),
        from: input.from,
        messagingServiceSid: input.messagingServiceSid,
        ...timing,
      };
    }
    case 'sens': {
      const serviceId = need('serviceId');
      if (serviceId.includes('/')) throw new ConfigError('sms.serviceId must not contain "/".');
      return {
        provider,
        baseUrl: httpUrl(input.baseUrl ?? 'https://sens.apigw.ntruss.com', 'sms.baseUrl'),
        serviceId,
        accessKey: need('accessKey'),
        secretKey: need('secretKey'),
        from: need('from').replace(/\D/g, ''),
        ...timing,
      };
    }
    case 'http': {
      const secret = need('secret');
      if (!/^whsec_[A-Za-z0-9+/]{32,}={0,2}$/.test(secret)) {
        throw new ConfigError(
          'sms.secret must be "whsec_" and at least 24 random bytes in base64.',
        );
      }
      return { provider, url: httpUrl(need('url'), 'sms.url'), secret, ...timing };
    }
    default:
      throw new ConfigError(
        `Unknown SMS provider "${provider}". Available: ${SMS_PROVIDERS.join(', ')}.`,
      );
  }
}

function httpUrl(value: string, what: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${what} must be an http(s) URL.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(`${what} must be an http(s) URL.`);
  }
  return value.replace(/\/+$/, '');
}

/**
 * The download-URL key: given, from the environment, or derived from the contact-hash key (a
 * secret the server keeps anyway), so that no deployment needs one more secret to start.
 */
function resolveMediaUrlKey(given: string | undefined, contactHashKey: Buffer): Buffer {
  if (given !== undefined) return parseKey(given, 'The media URL key');
  return Buffer.from(hkdfSync('sha256', contactHashKey, '', 'tokki media url', 32));
}

/**
 * The contact-hash key: given, read from the given key file, or — in local mode only — read from
 * the data directory, where the first start writes a random one. Production must be given one,
 * and keep it (with its backups, not the database's): a new key unmatches every stored contact.
 */
export function resolveContactHashKey(
  given: string | undefined,
  mode: Mode,
  dataDir: string,
  keyFile?: string,
): Buffer {
  if (given !== undefined) return parseKey(given, 'The contact-hash key');
  if (keyFile !== undefined) return readKeyFile(keyFile, 'contactHashKeyFile');
  if (mode === 'production') {
    throw new ConfigError(
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

function readKeyFile(file: string, setting: string): Buffer {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(`${setting} ${file}: cannot be read (${code}).`);
  }
  return parseKey(text.trim(), `${setting} ${file}`);
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1)
    throw new ConfigError(`${name} must be a whole number ≥ 1.`);
  return value;
}

function resolveGroupAdds(value: string): ServerConfig['groupAdds'] {
  if (value !== 'known' && value !== 'anyone')
    throw new ConfigError(`groupAdds must be "known" or "anyone", not "${value}".`);
  return value;
}

function parseKey(hex: string, what: string): Buffer {
  if (!/^([0-9a-fA-F]{2}){32,}$/.test(hex)) {
    throw new ConfigError(`${what} must be at least 64 hex digits (32 bytes).`);
  }
  return Buffer.from(hex, 'hex');
}

/** A cluster's bus: NATS URLs, and only with a database every node shares. */
function resolveBusUrl(given: string | undefined, databaseUrl: string): string | undefined {
  if (given === undefined) return undefined;
  for (const url of given.split(',')) {
    if (!/^(nats|tls):\/\/[^\s/]+\/?$/.test(url.trim())) {
      throw new ConfigError(
        `Invalid bus URL "${url}": use nats://host:port (several separated by commas).`,
      );
    }
  }
  if (!databaseUrl.startsWith('postgres')) {
    throw new ConfigError(
      'A cluster bus needs a database every node shares: use --db postgres://… with --bus.',
    );
  }
  return given;
}
