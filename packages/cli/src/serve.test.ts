// `tokki serve` configured as an operator does: flags, TOKKI_* variables and --config FILE, and
// refusing a bad or unsafe configuration in one line. Needs the build (npx tsc -b).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, TEST_CONTACT_HASH_KEY } from '@tokki/dev-env';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliHarness } from './testing/cli-harness.js';

let cli: CliHarness;
let dir: string;
beforeAll(async () => {
  cli = new CliHarness();
  dir = await mkdtemp(join(tmpdir(), 'tokki-serve-'));
});
afterAll(async () => {
  cli?.dispose();
  await rm(dir, { recursive: true, force: true });
});

/** Every variable a test sets, so that none leaks in from the machine running the tests. */
const CLEAN_ENV = {
  NODE_ENV: 'development',
  TOKKI_PORT: '',
  TOKKI_MODE: '',
  TOKKI_TEST_NUMBERS: '',
  TOKKI_CONTACT_HASH_KEY: TEST_CONTACT_HASH_KEY,
  TOKKI_LOG_LEVEL: 'warn',
};

async function configFile(name: string, settings: unknown): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, typeof settings === 'string' ? settings : JSON.stringify(settings));
  return path;
}

/** Starts `tokki serve`, waits until it listens, stops it; the port it listened on. */
async function listeningPort(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const serve = cli.start(['serve', ...args], '', { ...CLEAN_ENV, ...env });
  try {
    await serve.waitFor('stdout', /listening on http:\/\/[^:]+:\d+/, 60_000);
    return Number(/listening on http:\/\/[^:]+:(\d+)/.exec(serve.stdout())![1]);
  } finally {
    serve.child.kill('SIGTERM');
    await serve.finished;
  }
}

/** Runs `tokki serve` that must refuse to start; its stderr lines. */
async function refusal(args: string[], env: NodeJS.ProcessEnv = {}): Promise<string[]> {
  const result = await cli.run(['serve', ...args], '', { ...CLEAN_ENV, ...env });
  expect(result.code).toBe(1);
  expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
  return result.stderr.trimEnd().split('\n');
}

// Each start of the CLI loads the server: seconds on a busy machine.
describe('tokki serve', { timeout: 300_000 }, () => {
  it('takes flags over TOKKI_* variables over the --config file', async () => {
    const [fromFile, fromEnv, fromFlag] = await Promise.all([freePort(), freePort(), freePort()]);
    const file = await configFile('ports.json', {
      host: '127.0.0.1',
      port: fromFile,
      dataDir: join(dir, 'data'),
    });
    expect(await listeningPort(['--config', file], {})).toBe(fromFile);
    expect(await listeningPort(['--config', file], { TOKKI_PORT: String(fromEnv) })).toBe(fromEnv);
    expect(
      await listeningPort(['--config', file, '--port', String(fromFlag)], {
        TOKKI_PORT: String(fromEnv),
      }),
    ).toBe(fromFlag);
  });

  it('refuses a bad config file or variable in one line naming the setting', async () => {
    const unknown = await configFile('unknown.json', { prot: 8080 });
    expect(await refusal(['--config', unknown])).toEqual([
      `error: Config file ${unknown}: unknown setting "prot" (the settings are listed in docs/operations.md).`,
    ]);
    const wrongType = await configFile('type.json', { testNumbers: 'yes' });
    expect(await refusal(['--config', wrongType])).toEqual([
      `error: Config file ${wrongType}: "testNumbers" must be true or false, not "yes".`,
    ]);
    const broken = await configFile('broken.json', '{"port": 80');
    expect(await refusal(['--config', broken])).toEqual([
      expect.stringMatching(new RegExp(`^error: Config file ${broken}: not valid JSON \\(`)),
    ]);
    expect(await refusal([], { TOKKI_PORT: 'eighty' })).toEqual([
      'error: TOKKI_PORT must be an integer from 0 to 65535, not "eighty".',
    ]);
  });

  it('refuses production with test numbers or the console SMS provider, one line each', async () => {
    expect(await refusal(['--mode', 'production'])).toEqual([
      'error: Production mode needs a real SMS provider: "console" only prints codes to the log. ' +
        'Set sms.provider (TOKKI_SMS_PROVIDER) and its credentials, or run in local mode to try Tokki.',
    ]);
    const lines = await refusal([], { TOKKI_MODE: 'production', TOKKI_TEST_NUMBERS: 'true' });
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe(
      'Production mode refuses test numbers: +99966XYYYY sign in with publicly known codes. ' +
        'Remove testNumbers (TOKKI_TEST_NUMBERS).',
    );
  });
});
