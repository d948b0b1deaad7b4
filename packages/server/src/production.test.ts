import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { post, startTestServer, testPhone } from '@tokki/dev-env';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig, type ConfigInput } from './config.js';
import { ConfigError } from './settings.js';

const KEY = 'ab'.repeat(32);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokki-production-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The lines production mode refuses this configuration with. */
function refusals(input: ConfigInput): string[] {
  try {
    resolveConfig({ mode: 'production', dataDir: join(dir, 'data'), ...input });
  } catch (error) {
    return (error as Error).message.split('\n');
  }
  return [];
}

describe('production mode refuses to start', () => {
  it('with test numbers enabled, in one line', () => {
    const lines = refusals({ contactHashKey: KEY, testNumbers: true });
    expect(lines).toContain(
      'Production mode refuses test numbers: +99966XYYYY sign in with publicly known codes. ' +
        'Remove testNumbers (TOKKI_TEST_NUMBERS).',
    );
  });

  it('with test numbers off unless asked: only the SMS provider is then refused', () => {
    expect(refusals({ contactHashKey: KEY })).toEqual([
      expect.stringMatching(/^Production mode needs a real SMS provider: "console" only prints/),
    ]);
  });

  it('without a real SMS provider, in one line', () => {
    expect(refusals({ contactHashKey: KEY, sms: { provider: 'console' } })).toEqual([
      'Production mode needs a real SMS provider: "console" only prints codes to the log. ' +
        'Set sms.provider (TOKKI_SMS_PROVIDER) and its credentials, or run in local mode to try Tokki.',
    ]);
  });

  it('without a contact-hash key', () => {
    expect(refusals({})).toContainEqual(
      expect.stringMatching(
        /^Production mode needs a contact-hash key: set TOKKI_CONTACT_HASH_KEY/,
      ),
    );
  });

  it('with the contact-hash key file in the data directory or beside the SQLite file', async () => {
    const data = join(dir, 'data');
    const databaseDir = join(dir, 'db');
    await mkdir(join(data, 'keys'), { recursive: true });
    await mkdir(databaseDir, { recursive: true });
    const inData = join(data, 'keys', 'contact-hash.key');
    const besideDatabase = join(databaseDir, 'contact-hash.key');
    const linkedIntoData = join(dir, 'linked-keys');
    await symlink(join(data, 'keys'), linkedIntoData);
    const apart = join(dir, 'etc-tokki', 'contact-hash.key');
    const beside = (file: string) =>
      refusals({ contactHashKeyFile: file, databaseUrl: `sqlite:${databaseDir}/tokki.db` }).filter(
        (line) => line.includes('stored beside the database'),
      );

    expect(beside(inData)).toEqual([
      `Production mode refuses a contact-hash key stored beside the database: contactHashKeyFile ` +
        `${inData} is inside ${data}. Keep it apart (e.g. /etc/tokki/contact-hash.key), or a ` +
        `stolen database or backup can be reversed.`,
    ]);
    expect(beside(besideDatabase)).toHaveLength(1);
    expect(beside(join(linkedIntoData, 'contact-hash.key'))).toHaveLength(1);
    expect(beside(apart)).toEqual([]);
  });

  it('with every reason at once, one line each, as a ConfigError (tokki serve prints no stack)', () => {
    expect(() => resolveConfig({ mode: 'production', testNumbers: true })).toThrow(ConfigError);
    const lines = refusals({
      testNumbers: true,
      contactHashKeyFile: join(dir, 'data', 'contact-hash.key'),
    });
    expect(lines.map((line) => line.slice(0, 40))).toEqual([
      'Production mode needs a real SMS provide',
      'Production mode refuses test numbers: +9',
      'Production mode refuses a contact-hash k',
    ]);
  });
});

describe('the contact-hash key file', () => {
  it('is read in local mode, and a missing or short one is one clear line', async () => {
    const file = join(dir, 'key-file');
    await writeFile(file, `${KEY}\n`);
    expect(resolveConfig({ contactHashKeyFile: file, dataDir: dir }).contactHashKey).toEqual(
      Buffer.from(KEY, 'hex'),
    );
    expect(() => resolveConfig({ contactHashKeyFile: join(dir, 'none'), dataDir: dir })).toThrow(
      `contactHashKeyFile ${join(dir, 'none')}: cannot be read (ENOENT).`,
    );
    await writeFile(file, 'abcd\n');
    expect(() => resolveConfig({ contactHashKeyFile: file, dataDir: dir })).toThrow(
      `contactHashKeyFile ${file} must be at least 64 hex digits (32 bytes).`,
    );
  });
});

describe('test numbers turned off', () => {
  it('are not phone numbers, and the server says so', async () => {
    const server = await startTestServer({ config: { testNumbers: false } });
    try {
      await expect(
        post(server.url, 'auth.requestCode', { phone: testPhone(1).phone }),
      ).rejects.toMatchObject({ code: 'PHONE_INVALID' });
      await expect(post(server.url, 'server.getInfo', {})).resolves.toMatchObject({
        mode: 'local',
        testNumbers: false,
      });
    } finally {
      await server.close();
    }
  });
});
