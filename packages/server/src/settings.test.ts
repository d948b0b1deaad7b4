import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig, type ServerConfig } from './config.js';
import {
  ConfigError,
  envName,
  mergeSettings,
  readConfigFile,
  SETTING_KEYS,
  SETTINGS,
  settingsFromEnv,
  settingsFromJson,
  type Setting,
} from './settings.js';

const KEY = 'ab'.repeat(32);
const OPERATIONS_MD = new URL('../../../docs/operations.md', import.meta.url);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokki-settings-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A row of a Markdown table, whatever the padding of its cells. */
function row(cells: string[]): string {
  return `| ${cells.map((cell) => cell.trim()).join(' | ')} |`;
}

/** The error a function throws, for checking its one line. */
function errorOf(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('did not throw');
}

describe('the settings table in docs/operations.md', () => {
  it('lists exactly the settings, each with its variable, type, default and meaning', async () => {
    const markdown = await readFile(OPERATIONS_MD, 'utf8');
    const table = markdown.slice(
      markdown.indexOf('<!-- settings:start -->'),
      markdown.indexOf('<!-- settings:end -->'),
    );
    const documented = table
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .map((line) => row(line.slice(1, -1).split(' | ')));
    const expected = SETTING_KEYS.map((key) => {
      const setting: Setting<unknown> = SETTINGS[key];
      return row([
        `\`${key}\``,
        `\`${envName(key)}\``,
        setting.kind.type,
        setting.default,
        setting.description,
      ]);
    });
    // On a mismatch the diff shows the rows to paste into docs/operations.md (then `npm run format`).
    expect(documented.join('\n')).toBe(expected.join('\n'));
  });

  it('gives the defaults resolveConfig fills in', () => {
    const config = resolveConfig({ contactHashKey: KEY, dataDir: dir, mode: 'local' });
    let compared = 0;
    for (const key of SETTING_KEYS) {
      const setting: Setting<unknown> = SETTINGS[key];
      // Defaults in words ("none", "DATA_DIR/…", "true in local mode…") are computed; the others
      // must be what the server uses.
      const literal = setting.default.split(' (')[0]!;
      if (/none|DATA_DIR/.test(literal)) continue;
      const value = setting.kind.fromEnv(literal);
      if (value === undefined) continue;
      const resolved = key
        .split('.')
        .reduce<unknown>(
          (object, part) => (object as Record<string, unknown> | undefined)?.[part],
          config satisfies ServerConfig,
        );
      if (resolved === undefined) continue; // not kept in ServerConfig (dataDir)
      expect({ key, value: resolved }).toEqual({ key, value });
      compared++;
    }
    expect(compared).toBeGreaterThan(10);
  });
});

describe('TOKKI_* variables', () => {
  it('are named after the settings, and read by type', () => {
    expect(envName('rateLimits.codeRequestsPerIp')).toBe('TOKKI_RATE_LIMITS_CODE_REQUESTS_PER_IP');
    expect(
      settingsFromEnv({
        TOKKI_PORT: '9000',
        TOKKI_MODE: 'local',
        TOKKI_TEST_NUMBERS: 'false',
        TOKKI_TRUST_PROXY: '127.0.0.1, 10.0.0.0/8',
        TOKKI_LINK_PREVIEWS_ALLOW_HOSTS: 'intranet.example,wiki.example',
        TOKKI_RATE_LIMITS_CODE_REQUESTS_PER_IP: '10/60',
        TOKKI_BUS_URL: '',
        TOKKI_HOME: '/not/a/server/setting',
      }),
    ).toEqual({
      port: 9000,
      mode: 'local',
      testNumbers: false,
      trustProxy: ['127.0.0.1', '10.0.0.0/8'],
      linkPreviews: { allowHosts: ['intranet.example', 'wiki.example'] },
      rateLimits: { codeRequestsPerIp: { max: 10, windowSeconds: 60 } },
    });
  });

  it('keep the variables of before working through resolveConfig', () => {
    const saved = { ...process.env };
    try {
      Object.assign(process.env, {
        TOKKI_BUS_URL: 'nats://127.0.0.1:4222',
        TOKKI_CONTACT_HASH_KEY: KEY,
        TOKKI_MEDIA_URL_KEY: 'cd'.repeat(32),
        TOKKI_LOG_LEVEL: 'warn',
      });
      const config = resolveConfig({ databaseUrl: 'postgres://db/tokki' });
      expect(config.busUrl).toBe('nats://127.0.0.1:4222');
      expect(config.contactHashKey.toString('hex')).toBe(KEY);
      expect(config.mediaUrlKey.toString('hex')).toBe('cd'.repeat(32));
      expect(config.logLevel).toBe('warn');
    } finally {
      for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
      Object.assign(process.env, saved);
    }
  });

  it('refuse a wrong value in one line naming the variable, without echoing secrets', () => {
    const port = errorOf(() => settingsFromEnv({ TOKKI_PORT: '80a' }));
    expect(port).toBeInstanceOf(ConfigError);
    expect(port.message).toBe('TOKKI_PORT must be an integer from 0 to 65535, not "80a".');
    expect(errorOf(() => settingsFromEnv({ TOKKI_TEST_NUMBERS: 'yes' })).message).toBe(
      'TOKKI_TEST_NUMBERS must be true or false, not "yes".',
    );
    expect(
      errorOf(() => settingsFromEnv({ TOKKI_RATE_LIMITS_CODE_REQUESTS_PER_PHONE: '5' })).message,
    ).toMatch(/^TOKKI_RATE_LIMITS_CODE_REQUESTS_PER_PHONE must be .*N\/S.*, not "5"\.$/);
    expect(errorOf(() => settingsFromEnv({ TOKKI_TRUST_PROXY: 'proxy.example' })).message).toMatch(
      /^TOKKI_TRUST_PROXY must be .*addresses and CIDRs/,
    );
    const secret = errorOf(() => settingsFromEnv({ TOKKI_CONTACT_HASH_KEY: 'secret-but-short' }));
    expect(secret.message).toMatch(/^TOKKI_CONTACT_HASH_KEY must be at least 64 hex digits/);
    expect(secret.message).not.toContain('secret-but-short');
    for (const error of [port, secret]) expect(error.message).not.toContain('\n');
  });
});

describe('the config file', () => {
  const file = async (name: string, text: string) => {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  };

  it('holds the settings as JSON, nested objects or dotted keys', async () => {
    const path = await file(
      'good.json',
      JSON.stringify({
        port: 8443,
        trustProxy: ['loopback'],
        rateLimits: { codeRequestsPerPhone: { max: 3, windowSeconds: 3600 } },
        'linkPreviews.timeoutMs': 2000,
      }),
    );
    expect(readConfigFile(path)).toEqual({
      port: 8443,
      trustProxy: ['loopback'],
      rateLimits: { codeRequestsPerPhone: { max: 3, windowSeconds: 3600 } },
      linkPreviews: { timeoutMs: 2000 },
    });
  });

  it('refuses an unknown key, a wrong type or a broken file in one line naming it', async () => {
    const cases: [string, string, RegExp][] = [
      ['unknown.json', '{"prot": 80}', /: unknown setting "prot" \(the settings are listed/],
      [
        'nested-unknown.json',
        '{"rateLimits": {"codeRequestsPerPhon": {"max": 1, "windowSeconds": 1}}}',
        /: unknown setting "rateLimits.codeRequestsPerPhon"/,
      ],
      [
        'type.json',
        '{"port": "8080"}',
        /: "port" must be an integer from 0 to 65535, not "8080"\.$/,
      ],
      [
        'limit.json',
        '{"rateLimits": {"codeRequestsPerIp": {"max": 1}}}',
        /: "rateLimits.codeRequestsPerIp" must be \{"max": N, "windowSeconds": S\}/,
      ],
      ['broken.json', '{"port": 8080,}', /: not valid JSON \(/],
      ['array.json', '[]', /: must be a JSON object of settings\.$/],
    ];
    for (const [name, text, message] of cases) {
      const path = await file(name, text);
      const error = errorOf(() => readConfigFile(path));
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.message).toMatch(new RegExp(`^Config file ${path}`));
      expect(error.message).toMatch(message);
      expect(error.message).not.toContain('\n');
    }
    expect(errorOf(() => readConfigFile(join(dir, 'missing.json'))).message).toBe(
      `Config file ${join(dir, 'missing.json')}: cannot be read (ENOENT).`,
    );
  });
});

describe('precedence', () => {
  it('is flags, then environment, then file, then defaults', () => {
    const file = settingsFromJson(
      {
        port: 1001,
        host: '127.0.0.2',
        logLevel: 'debug',
        rateLimits: {
          codeRequestsPerIp: { max: 1, windowSeconds: 1 },
          codeRequestsPerPhone: { max: 2, windowSeconds: 2 },
        },
      },
      'file',
    );
    const env = settingsFromEnv({
      TOKKI_PORT: '1002',
      TOKKI_HOST: '127.0.0.3',
      TOKKI_RATE_LIMITS_CODE_REQUESTS_PER_IP: '3/3',
    });
    const flags = { port: 1003, host: undefined, contactHashKey: KEY, dataDir: dir };
    const config = resolveConfig(mergeSettings(file, env, flags));
    expect(config.port).toBe(1003);
    expect(config.host).toBe('127.0.0.3');
    expect(config.logLevel).toBe('debug');
    expect(config.rateLimits.codeRequestsPerIp).toEqual({ max: 3, windowSeconds: 3 });
    expect(config.rateLimits.codeRequestsPerPhone).toEqual({ max: 2, windowSeconds: 2 });
    expect(config.rateLimits.linkPreviewsPerUser).toEqual({ max: 60, windowSeconds: 60 });
    expect(config.updateRetentionSeconds).toBe(30 * 24 * 3600);
  });
});
