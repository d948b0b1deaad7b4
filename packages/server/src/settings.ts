import { readFileSync } from 'node:fs';
import proxyAddr from '@fastify/proxy-addr';
import type { ConfigInput, Mode } from './config.js';
import type { RateLimit } from './rate-limit/rate-limit.js';

/**
 * Every setting an operator can give, described once: its key in a config file (`tokki serve
 * --config FILE`, JSON, nested objects for dotted keys), its type, its default and what it means.
 * The `TOKKI_*` environment variable is derived from the key, parsing and validation come from the
 * type, and docs/operations.md's table must list exactly these (settings.test.ts checks it).
 *
 * To add a setting: add it to ConfigInput (and ServerConfig / resolveConfig), then here — the
 * compiler refuses a ConfigInput key missing below — then its row in docs/operations.md (the test
 * prints the row to paste).
 */

/** A configuration that cannot be used: one line per problem, naming the setting. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** How a setting's value is read from JSON and from an environment variable. */
export interface Kind<T> {
  /** The docs' Type column. */
  type: string;
  /** What a wrong value is told it must be. */
  expected: string;
  fromJson(value: unknown): T | undefined;
  fromEnv(text: string): T | undefined;
}

export interface Setting<T> {
  kind: Kind<T>;
  /** The docs' Default column. */
  default: string;
  description: string;
  /** Never echoed in an error. */
  secret?: boolean;
}

const string: Kind<string> = {
  type: 'string',
  expected: 'a non-empty string',
  fromJson: (v) => (typeof v === 'string' && v !== '' ? v : undefined),
  fromEnv: (t) => t,
};

const hexKey: Kind<string> = {
  type: 'hex key',
  expected: 'at least 64 hex digits (e.g. `openssl rand -hex 32`)',
  fromJson: (v) => (typeof v === 'string' ? hexKey.fromEnv(v) : undefined),
  fromEnv: (t) => (/^([0-9a-fA-F]{2}){32,}$/.test(t) ? t : undefined),
};

function integer(min: number, max = Number.MAX_SAFE_INTEGER): Kind<number> {
  const check = (n: number) => (Number.isSafeInteger(n) && n >= min && n <= max ? n : undefined);
  return {
    type: 'integer',
    expected:
      max === Number.MAX_SAFE_INTEGER
        ? `an integer of at least ${min}`
        : `an integer from ${min} to ${max}`,
    fromJson: (v) => (typeof v === 'number' ? check(v) : undefined),
    fromEnv: (t) => (/^\d+$/.test(t) ? check(Number(t)) : undefined),
  };
}

const boolean: Kind<boolean> = {
  type: 'boolean',
  expected: 'true or false',
  fromJson: (v) => (typeof v === 'boolean' ? v : undefined),
  fromEnv: (t) =>
    t === 'true' || t === '1' ? true : t === 'false' || t === '0' ? false : undefined,
};

function oneOf<const T extends string>(...values: T[]): Kind<T> {
  const pick = (v: unknown) => values.find((value) => value === v);
  return {
    type: values.length > 2 ? `one of ${values.join(', ')}` : values.join(' or '),
    expected: values.map((v) => `"${v}"`).join(' or '),
    fromJson: pick,
    fromEnv: pick,
  };
}

const list: Kind<string[]> = {
  type: 'list',
  expected: 'a list of strings (in the environment: separated by commas)',
  fromJson: (v) =>
    Array.isArray(v) && v.every((item) => typeof item === 'string') ? (v as string[]) : undefined,
  fromEnv: (t) => splitList(t),
};

const rateLimit: Kind<RateLimit> = {
  type: 'rate limit',
  expected: '{"max": N, "windowSeconds": S} (in the environment: N/S)',
  fromJson: (v) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
    const { max, windowSeconds, ...rest } = v as Record<string, unknown>;
    if (Object.keys(rest).length > 0) return undefined;
    return rateLimitOf(max, windowSeconds);
  },
  fromEnv: (t) => {
    const match = /^(\d+)\/(\d+)$/.exec(t);
    return match ? rateLimitOf(Number(match[1]), Number(match[2])) : undefined;
  },
};

function rateLimitOf(max: unknown, windowSeconds: unknown): RateLimit | undefined {
  return Number.isSafeInteger(max) &&
    (max as number) >= 0 &&
    Number.isSafeInteger(windowSeconds) &&
    (windowSeconds as number) > 0
    ? { max: max as number, windowSeconds: windowSeconds as number }
    : undefined;
}

/**
 * Which proxies' X-Forwarded-For to believe: none, any, or those at these addresses and CIDRs.
 * No hop count: it cannot tell a proxy from a client that sends the header itself (Fastify 5
 * ignores one for that reason).
 */
export type TrustProxy = boolean | string[];

const trustProxy: Kind<TrustProxy> = {
  type: 'boolean or list',
  expected: 'false, true, or a list of proxy addresses and CIDRs (e.g. 127.0.0.1,10.0.0.0/8)',
  fromJson: (v) => {
    if (typeof v === 'boolean') return v;
    if (typeof v === 'string') return proxyList(splitList(v));
    return Array.isArray(v) && v.every((item) => typeof item === 'string')
      ? proxyList(v as string[])
      : undefined;
  },
  fromEnv: (t) => (t === 'true' || t === 'false' ? t === 'true' : proxyList(splitList(t))),
};

/** Addresses and CIDRs proxy-addr understands (it also knows loopback, linklocal, uniquelocal). */
function proxyList(items: string[]): string[] | undefined {
  try {
    proxyAddr.compile(items);
    return items;
  } catch {
    return undefined;
  }
}

function splitList(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** The settings' keys: every leaf of ConfigInput (dotted inside nested objects), bar those below. */
export type SettingKey = Exclude<LeafPaths<ConfigInput>, ProgrammaticOnly>;
/** Set by `tokki serve` or by tests, not by operators. */
type ProgrammaticOnly = 'webRoot';

type Leaf = string | number | boolean | readonly unknown[] | RateLimit;
type LeafPaths<T, Prefix extends string = ''> = {
  [K in keyof T & string]-?: NonNullable<T[K]> extends Leaf
    ? `${Prefix}${K}`
    : LeafPaths<NonNullable<T[K]>, `${Prefix}${K}.`>;
}[keyof T & string];
type ValueAt<T, Path extends string> = Path extends `${infer Head}.${infer Rest}`
  ? Head extends keyof T
    ? ValueAt<NonNullable<T[Head]>, Rest>
    : never
  : Path extends keyof T
    ? NonNullable<T[Path]>
    : never;

/** The table. Defaults in words are computed by resolveConfig; settings.test.ts checks the rest. */
export const SETTINGS: { [K in SettingKey]: Setting<ValueAt<ConfigInput, K>> } = {
  mode: {
    kind: oneOf<Mode>('local', 'production'),
    default: 'local (production if NODE_ENV=production)',
    description:
      'production refuses to start insecurely (see Production below); local prints sign-in codes to the log.',
  },
  host: { kind: string, default: '0.0.0.0', description: 'Address to listen on.' },
  port: { kind: integer(0, 65535), default: '8080', description: 'Port to listen on.' },
  dataDir: {
    kind: string,
    default: './data',
    description: 'Data directory: the SQLite database and media, unless set apart below.',
  },
  databaseUrl: {
    kind: string,
    default: 'sqlite:DATA_DIR/tokki.db',
    description: 'sqlite:PATH, or postgres://… for a cluster.',
  },
  busUrl: {
    kind: string,
    default: 'none (one node)',
    description:
      'nats://host:port[,nats://…]: the bus between the nodes of a cluster (PostgreSQL only).',
  },
  'sms.provider': {
    kind: oneOf('console', 'twilio', 'sens', 'http'),
    default: 'console',
    description:
      'Who texts sign-in codes: console prints them to the log (local mode only); twilio, sens (NAVER Cloud SENS) or http (a signed webhook to any gateway).',
  },
  'sms.baseUrl': {
    kind: string,
    default: 'https://api.twilio.com or https://sens.apigw.ntruss.com',
    description: "Twilio's or SENS's address (for a regional endpoint or a test double).",
  },
  'sms.accountSid': { kind: string, default: 'none', description: 'twilio: the Account SID.' },
  'sms.authToken': {
    kind: string,
    secret: true,
    default: 'none',
    description: "twilio: the account's auth token (or an API key below).",
  },
  'sms.apiKeySid': { kind: string, default: 'none', description: 'twilio: an API key SID.' },
  'sms.apiKeySecret': {
    kind: string,
    secret: true,
    default: 'none',
    description: "twilio: that API key's secret.",
  },
  'sms.messagingServiceSid': {
    kind: string,
    default: 'none',
    description: 'twilio: a Messaging Service to send from, instead of sms.from.',
  },
  'sms.serviceId': { kind: string, default: 'none', description: 'sens: the SMS service ID.' },
  'sms.accessKey': { kind: string, default: 'none', description: 'sens: the access key ID.' },
  'sms.secretKey': {
    kind: string,
    secret: true,
    default: 'none',
    description: 'sens: the secret key that signs each request.',
  },
  'sms.from': {
    kind: string,
    default: 'none',
    description:
      'twilio or sens: the sending number (for sens, a calling number registered with it).',
  },
  'sms.url': {
    kind: string,
    default: 'none',
    description: 'http: the endpoint sent a JSON POST signed per Standard Webhooks.',
  },
  'sms.secret': {
    kind: string,
    secret: true,
    default: 'none',
    description: 'http: the signing secret, whsec_ and base64 of 24 bytes or more.',
  },
  'sms.timeoutMs': {
    kind: integer(1),
    default: '2000',
    description: 'Time for one try at sending a code.',
  },
  'sms.tries': {
    kind: integer(1),
    default: '3',
    description: 'Tries at sending a code when the gateway fails (5xx, 429, timeout).',
  },
  testNumbers: {
    kind: boolean,
    default: 'true in local mode, false in production',
    description:
      'Whether +99966XYYYY numbers sign in with the publicly known code XXXXX; production refuses true.',
  },
  contactHashKey: {
    kind: hexKey,
    secret: true,
    default: 'local mode: DATA_DIR/contact-hash.key, written on first start',
    description:
      'Key of the HMAC contacts are stored under; required in production, kept apart from the database and its backups.',
  },
  contactHashKeyFile: {
    kind: string,
    default: 'none',
    description:
      'A file holding the contact-hash key (e.g. a systemd credential); production refuses one inside the data directory or beside the SQLite file.',
  },
  mediaUrlKey: {
    kind: hexKey,
    secret: true,
    default: 'derived from the contact-hash key',
    description: 'Key of the HMAC that signs download URLs.',
  },
  mediaDir: {
    kind: string,
    default: 'DATA_DIR/media',
    description: 'Uploaded files; shared by every node of a cluster.',
  },
  trustProxy: {
    kind: trustProxy,
    default: 'false',
    description:
      'Which reverse proxies to believe about the client address (X-Forwarded-For): their addresses or CIDRs (loopback, 10.0.0.0/8…), or true for any (only if nothing else can reach the port).',
  },
  logLevel: {
    kind: oneOf('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'),
    default: 'info',
    description: 'Log level.',
  },
  updateRetentionSeconds: {
    kind: integer(1),
    default: '2592000 (30 days)',
    description: 'Updates older than this are pruned; devices further behind reload.',
  },
  'secret.messageTtlSeconds': {
    kind: integer(1),
    default: '604800 (7 days)',
    description:
      "A secret chat's message not every device has acknowledged is purged from the server after this.",
  },
  deviceIdleTimeoutSeconds: {
    kind: integer(1),
    default: '15811200 (183 days)',
    description: 'A device token unused for this long expires.',
  },
  recentUpdatesBytes: {
    kind: integer(0),
    default: '67108864 (64 MiB; 0 with busUrl)',
    description: 'Memory for the newest updates, from which catch-up reads; 0 turns it off.',
  },
  'linkPreviews.allowHosts': {
    kind: list,
    default: 'none',
    description:
      'Hosts whose pages may be previewed although they are internal addresses (intranet sites).',
  },
  'linkPreviews.timeoutMs': {
    kind: integer(1),
    default: '5000',
    description: 'Time for fetching one link preview, redirects included.',
  },
  'linkPreviews.maxImageBytes': {
    kind: integer(1),
    default: '5242880 (5 MiB)',
    description: 'A preview image larger than this is neither fetched nor shown.',
  },
  'rateLimits.codeRequestsPerPhone': {
    kind: rateLimit,
    default: '5/3600',
    description: 'Sign-in codes sent to one number.',
  },
  'rateLimits.codeRequestsPerPhoneDaily': {
    kind: rateLimit,
    default: '10/86400',
    description: 'Sign-in codes sent to one number a day, on top of the hourly limit.',
  },
  'rateLimits.codeRequestsPerIp': {
    kind: rateLimit,
    default: '30/3600',
    description: 'Sign-in codes requested from one client address (IPv6: its /64).',
  },
  'rateLimits.codeRequestsPerIpDaily': {
    kind: rateLimit,
    default: '100/86400',
    description: 'The same, a day.',
  },
  'rateLimits.wrongCodesPerPhoneDaily': {
    kind: rateLimit,
    default: '20/86400',
    description: 'Wrong codes tried for one number a day; past it, even the right one waits.',
  },
  'rateLimits.contactDiscoveryPerAccount': {
    kind: rateLimit,
    default: '5000/86400',
    description: 'Numbers new to an account (address book, lookups by number or Tokki ID).',
  },
  'rateLimits.contactDiscoveryPerDevice': {
    kind: rateLimit,
    default: '3000/86400',
    description: 'The same, per device.',
  },
  'rateLimits.linkPreviewsPerUser': {
    kind: rateLimit,
    default: '60/60',
    description: 'Link previews fetched for one user (cache misses).',
  },
  'rateLimits.messagesPerUser': {
    kind: rateLimit,
    default: '120/60',
    description:
      "Messages one user sends (a forward counts one per chat); counted in each node's memory.",
  },
  'rateLimits.typingPerUser': {
    kind: rateLimit,
    default: '60/60',
    description: "Typing events of one user; counted in each node's memory.",
  },
  'rateLimits.groupsPerUser': {
    kind: rateLimit,
    default: '50/3600',
    description: 'Groups one user creates.',
  },
  'rateLimits.memberAddsPerUser': {
    kind: rateLimit,
    default: '5000/86400',
    description: 'People one user puts into groups, at creation or later.',
  },
  'rateLimits.uploadBytesPerUser': {
    kind: rateLimit,
    default: '10737418240/86400 (10 GiB a day)',
    description: 'Bytes one user uploads, counted as each upload begins.',
  },
  requestsInFlightPerSocket: {
    kind: integer(1),
    default: '256',
    description: 'Requests one WebSocket may have unanswered; past it, RATE_LIMITED.',
  },
  imageDecodesAtOnce: {
    kind: integer(1),
    default: '2',
    description: 'Images decoded at once (thumbnails, previews); the others wait their turn.',
  },
  groupAdds: {
    kind: oneOf('known', 'anyone'),
    default: 'known',
    description:
      'known: only a friend, or someone they share a chat with, may add a user to a group (others need an invite link); anyone: for a company server.',
  },
  'metrics.listen': {
    kind: string,
    default: 'none',
    description: 'host:port of a separate listener for /metrics, reachable from inside only.',
  },
  'metrics.token': {
    kind: string,
    secret: true,
    default: 'none',
    description:
      'A bearer token (32 characters or more) that lets /metrics be read on the public port.',
  },
};

export const SETTING_KEYS = Object.keys(SETTINGS) as SettingKey[];

/** `rateLimits.codeRequestsPerIp` → `TOKKI_RATE_LIMITS_CODE_REQUESTS_PER_IP`. */
export function envName(key: string): string {
  return (
    'TOKKI_' +
    key
      .replace(/\./g, '_')
      .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
      .toUpperCase()
  );
}

/** The settings given as `TOKKI_*` variables; an empty variable counts as unset. */
export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): ConfigInput {
  const input: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) {
    const name = envName(key);
    const text = env[name]?.trim();
    if (!text) continue;
    const setting: Setting<unknown> = SETTINGS[key];
    const value = setting.kind.fromEnv(text);
    if (value === undefined) throw wrongValue(name, setting, text);
    setAt(input, key, value);
  }
  return input as ConfigInput;
}

/**
 * The `TOKKI_*` variables that give these settings: what a test or the bench hands a `tokki serve`
 * it spawns. `settingsFromEnv` reads them back to the same values.
 */
export function settingsToEnv(input: ConfigInput): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of SETTING_KEYS) {
    const value = key
      .split('.')
      .reduce<unknown>((at, part) => (at as Record<string, unknown> | undefined)?.[part], input);
    if (value === undefined) continue;
    env[envName(key)] = Array.isArray(value)
      ? value.join(',')
      : typeof value === 'object' && value !== null
        ? `${(value as RateLimit).max}/${(value as RateLimit).windowSeconds}`
        : String(value);
  }
  return env;
}

/**
 * The settings of a config file's parsed JSON: an object whose keys are settings, nested objects
 * for dotted keys (`{"rateLimits": {"codeRequestsPerIp": …}}`) — or dotted keys themselves.
 */
export function settingsFromJson(json: unknown, where: string): ConfigInput {
  if (!isPlainObject(json)) throw new ConfigError(`${where}: must be a JSON object of settings.`);
  const input: Record<string, unknown> = {};
  const walk = (object: Record<string, unknown>, prefix: string) => {
    for (const [name, value] of Object.entries(object)) {
      const key = prefix + name;
      if (key in SETTINGS) {
        const setting: Setting<unknown> = SETTINGS[key as SettingKey];
        const parsed = setting.kind.fromJson(value);
        if (parsed === undefined) throw wrongValue(`${where}: "${key}"`, setting, value);
        setAt(input, key, parsed);
      } else if (isPlainObject(value) && SETTING_KEYS.some((k) => k.startsWith(`${key}.`))) {
        walk(value, `${key}.`);
      } else {
        throw new ConfigError(
          `${where}: unknown setting "${key}" (the settings are listed in docs/operations.md).`,
        );
      }
    }
  };
  walk(json, '');
  return input as ConfigInput;
}

/** Reads a JSON config file; every problem is one ConfigError line naming the file. */
export function readConfigFile(path: string): ConfigInput {
  const where = `Config file ${path}`;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`${where}: cannot be read (${(error as NodeJS.ErrnoException).code}).`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${where}: not valid JSON (${(error as Error).message}).`);
  }
  return settingsFromJson(json, where);
}

/** Later layers win; nested objects merge key by key; undefined values count as unset. */
export function mergeSettings(...layers: ConfigInput[]): ConfigInput {
  const merged: Record<string, unknown> = {};
  const into = (target: Record<string, unknown>, layer: Record<string, unknown>) => {
    for (const [key, value] of Object.entries(layer)) {
      if (value === undefined) continue;
      if (isPlainObject(value)) {
        const existing = target[key];
        const nested = isPlainObject(existing) ? { ...existing } : {};
        into(nested, value);
        target[key] = nested;
      } else {
        target[key] = value;
      }
    }
  };
  for (const layer of layers) into(merged, layer as Record<string, unknown>);
  return merged as ConfigInput;
}

function wrongValue(where: string, setting: Setting<unknown>, value: unknown): ConfigError {
  const shown = setting.secret ? '' : `, not ${JSON.stringify(value)}`;
  return new ConfigError(`${where} must be ${setting.kind.expected}${shown}.`);
}

function setAt(target: Record<string, unknown>, key: string, value: unknown): void {
  const parts = key.split('.');
  let object = target;
  for (const part of parts.slice(0, -1)) {
    if (!isPlainObject(object[part])) object[part] = {};
    object = object[part] as Record<string, unknown>;
  }
  object[parts[parts.length - 1]!] = value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
