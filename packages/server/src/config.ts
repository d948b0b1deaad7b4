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
  /** `console` prints codes to the log (local mode only). */
  smsProvider: 'console';
  /** `+99966XYYYY` sign in with the code XXXXX: never in production. */
  testNumbers: boolean;
  /** Fastify's trustProxy: whose X-Forwarded-For to believe (http/client-address.ts). */
  trustProxy: TrustProxy;
  rateLimits: {
    codeRequestsPerPhone: RateLimit;
    codeRequestsPerIp: RateLimit;
    /** Numbers new to an account (address-book entries, lookups by number or Tokki ID). */
    contactDiscoveryPerAccount: RateLimit;
    contactDiscoveryPerDevice: RateLimit;
    /** Link previews fetched (cache misses): the server must not become a scanner. */
    linkPreviewsPerUser: RateLimit;
  };
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
  /** Default: on in local mode, off in production (which refuses them). */
  testNumbers?: boolean;
  trustProxy?: TrustProxy;
  rateLimits?: Partial<ServerConfig['rateLimits']>;
  linkPreviews?: Partial<ServerConfig['linkPreviews']>;
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
  const smsProvider = input.smsProvider ?? 'console';
  if (smsProvider !== 'console') {
    throw new ConfigError(`Unknown SMS provider "${smsProvider}". Available: console.`);
  }
  const dataDir = input.dataDir ?? './data';
  const databaseUrl = input.databaseUrl ?? `sqlite:${join(dataDir, 'tokki.db')}`;
  const testNumbers = input.testNumbers ?? mode === 'local';
  if (mode === 'production') {
    const refusals = productionRefusals({
      ...input,
      smsProvider,
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
    smsProvider,
    testNumbers,
    trustProxy: input.trustProxy ?? false,
    rateLimits: {
      codeRequestsPerPhone: { max: 5, windowSeconds: 3600 },
      codeRequestsPerIp: { max: 30, windowSeconds: 3600 },
      contactDiscoveryPerAccount: { max: 5000, windowSeconds: DAY_SECONDS },
      contactDiscoveryPerDevice: { max: 3000, windowSeconds: DAY_SECONDS },
      linkPreviewsPerUser: { max: 60, windowSeconds: 60 },
      ...input.rateLimits,
    },
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
