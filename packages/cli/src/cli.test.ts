// The `tokki` client commands as a user runs them: the built CLI as child processes, against a
// real `tokki serve` child process, with credentials in a temporary $TOKKI_HOME.
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  createTestDatabase,
  post,
  startServerProcess,
  testPhone,
  type ServerProcess,
  type TestDatabase,
} from '@tokki/dev-env';
import { CliHarness, jsonLines, type Finished, type Running } from './testing/cli-harness.js';

let cli: CliHarness;
let home: string;
let database: TestDatabase;
let server: ServerProcess;

function start(args: string[], input = ''): Running {
  return cli.start(args, input);
}

function tokki(args: string[], input?: string): Promise<Finished> {
  return cli.run(args, input);
}

/** Runs a command that must succeed; its stdout. */
function ok(args: string[], input?: string): Promise<string> {
  return cli.ok(args, input);
}

/** Signs test number n in as `profile` through `tokki login`; the user's id. */
function login(profile: string, n: number, name: string): Promise<string> {
  return cli.login(server.url, profile, n, name);
}

function storedProfile(name: string): { server: string; token: string; pts?: number } {
  return cli.storedProfile(name);
}

beforeAll(async () => {
  cli = new CliHarness();
  home = cli.home;
  database = await createTestDatabase('sqlite');
  server = await startServerProcess({ databaseUrl: database.url });
});

afterAll(async () => {
  await server?.stop();
  await database?.drop();
  cli?.dispose();
});

describe('tokki client', () => {
  test('two users chat: a live listener sees the message, history has it, also after a restart', async () => {
    const alice = testPhone(1);
    const bob = testPhone(2);
    const printed: string[] = [];

    const aliceLogin = await tokki([
      'login',
      '--server',
      server.url,
      '--phone',
      alice.phone,
      '--code',
      alice.code,
      '--name',
      'Alice',
      '--profile',
      'alice',
      '--json',
    ]);
    printed.push(aliceLogin.stdout, aliceLogin.stderr);
    expect(aliceLogin.code).toBe(0);
    expect(JSON.parse(aliceLogin.stdout)).toMatchObject({
      profile: 'alice',
      server: server.url,
      displayName: 'Alice',
      phone: alice.phone,
      newUser: true,
    });

    // Without --code, the code is asked for (here on a pipe, as a script would answer).
    const bobLogin = await tokki(
      ['login', '--server', server.url, '--phone', bob.phone, '--name', 'Bob', '--profile', 'bob'],
      `${bob.code}\n`,
    );
    printed.push(bobLogin.stdout, bobLogin.stderr);
    expect(bobLogin.code).toBe(0);
    expect(bobLogin.stderr).toContain(`code sent to ${bob.phone}`);
    expect(bobLogin.stdout).toContain('Bob');

    // The token is a secret: owner-only files, never printed.
    expect(statSync(join(home, 'profiles')).mode & 0o777).toBe(0o700);
    expect(statSync(join(home, 'profiles', 'bob.json')).mode & 0o777).toBe(0o600);
    const tokens = [storedProfile('alice').token, storedProfile('bob').token];
    expect(storedProfile('bob').server).toBe(server.url);

    const listener = start(['listen', '--json', '--timeout', '6', '--profile', 'bob']);
    await listener.waitFor('stderr', /Listening for updates/);

    const chatId = (await ok(['chat', 'create', '--with', bob.phone, '--profile', 'alice'])).trim();
    expect(chatId).toMatch(/^c_/);
    const text = '안녕, Bob! 🐰';
    const sent = JSON.parse(await ok(['send', chatId, text, '--profile', 'alice', '--json']));
    expect(sent).toMatchObject({ chatId, seq: 1, text });

    await listener.waitFor('stdout', /message\.new/);
    const listened = await listener.finished;
    printed.push(listened.stdout, listened.stderr);
    expect(listened.code).toBe(0);
    expect(jsonLines(listened.stdout)).toContainEqual({
      pts: expect.any(Number),
      update: { kind: 'message.new', message: expect.objectContaining({ chatId, seq: 1, text }) },
    });

    for (const profile of ['alice', 'bob']) {
      const history = jsonLines(await ok(['history', chatId, '--profile', profile, '--json']));
      expect(history).toEqual([expect.objectContaining({ seq: 1, text })]);
    }
    expect(await ok(['history', chatId, '--profile', 'bob'])).toMatch(/#1 .* Alice: 안녕, Bob!/);

    // Same database, same port: the stored server URL still works, nothing is lost.
    const { port, url } = server;
    await server.stop();
    server = await startServerProcess({ databaseUrl: database.url, port });
    expect(server.url).toBe(url);
    for (const profile of ['alice', 'bob']) {
      const history = jsonLines(await ok(['history', chatId, '--profile', profile, '--json']));
      expect(history).toEqual([expect.objectContaining({ seq: 1, text })]);
    }

    // The next listen resumes after the last update printed: only what came since.
    await ok(['send', chatId, 'while you were away', '--profile', 'alice']);
    const resumed = await tokki(['listen', '--json', '--timeout', '1.5', '--profile', 'bob']);
    printed.push(resumed.stdout, resumed.stderr);
    expect(resumed.code).toBe(0);
    const messages = jsonLines(resumed.stdout)
      .map((line) => (line as { update: { kind: string; message?: { seq: number } } }).update)
      .filter((update) => update.kind === 'message.new')
      .map((update) => update.message?.seq);
    expect(messages).toEqual([2]);

    const unread = () =>
      ok(['chats', '--profile', 'bob', '--json']).then(
        (stdout) => (jsonLines(stdout)[0] as { unreadCount: number }).unreadCount,
      );
    expect(await unread()).toBe(2);
    expect(JSON.parse(await ok(['read', chatId, '--profile', 'bob', '--json']))).toEqual({
      chatId,
      readSeq: 2,
    });
    expect(await unread()).toBe(0);

    for (const output of printed) for (const token of tokens) expect(output).not.toContain(token);
  }, 60_000);

  test('listen keeps printing across a server crash and restart', async () => {
    await login('carol', 3, 'Carol');
    await login('dave', 4, 'Dave');
    const chatId = (
      await ok(['chat', 'create', '--with', testPhone(4).phone, '--profile', 'carol'])
    ).trim();

    const listener = start(['listen', '--json', '--timeout', '30', '--profile', 'dave']);
    await listener.waitFor('stderr', /Listening for updates/);
    const { port } = server;
    await server.kill();
    await listener.waitFor('stderr', /reconnecting/);
    server = await startServerProcess({ databaseUrl: database.url, port });
    await ok(['send', chatId, 'after the crash', '--profile', 'carol']);
    await listener.waitFor('stdout', /after the crash/, 20_000);

    // Ctrl-C ends a listen without --timeout's wait, successfully.
    listener.child.kill('SIGINT');
    const { code, stdout } = await listener.finished;
    expect(code).toBe(0);
    expect(jsonLines(stdout)).toContainEqual({
      pts: expect.any(Number),
      update: {
        kind: 'message.new',
        message: expect.objectContaining({ text: 'after the crash' }),
      },
    });
  }, 60_000);

  test('group chats, whoami, devices and logout', async () => {
    const erinId = await login('erin', 5, 'Erin');
    const frankId = await login('frank', 6, 'Frank');
    const graceId = await login('grace', 7, 'Grace');

    // Phone numbers and user ids mix; several members make a group named after them.
    const group = JSON.parse(
      await ok([
        'chat',
        'create',
        '--with',
        testPhone(6).phone,
        graceId,
        '--profile',
        'erin',
        '--json',
      ]),
    );
    expect(group).toMatchObject({ kind: 'group', title: 'Frank, Grace', memberCount: 3 });
    // One member and a title make a group too.
    const titled = JSON.parse(
      await ok([
        'chat',
        'create',
        '--with',
        frankId,
        '--title',
        '둘이서',
        '--profile',
        'erin',
        '--json',
      ]),
    );
    expect(titled).toMatchObject({ kind: 'group', title: '둘이서', memberCount: 2 });

    await ok(['send', group.id, 'hello group', '--profile', 'grace']);
    expect(await ok(['chats', '--profile', 'frank'])).toContain('Frank, Grace (3)');

    expect(JSON.parse(await ok(['whoami', '--profile', 'erin', '--json']))).toMatchObject({
      id: erinId,
      displayName: 'Erin',
      phone: testPhone(5).phone,
      server: server.url,
      profile: 'erin',
    });
    const devices = jsonLines(await ok(['devices', '--profile', 'erin', '--json']));
    expect(devices).toEqual([expect.objectContaining({ current: true })]);

    // Logout revokes the token on the server and forgets the profile.
    const { token } = storedProfile('erin');
    expect(await ok(['logout', '--profile', 'erin'])).toContain('Signed out');
    expect(existsSync(join(home, 'profiles', 'erin.json'))).toBe(false);
    await expect(post(server.url, 'profile.get', {}, token)).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
    });
    const after = await tokki(['whoami', '--profile', 'erin']);
    expect(after.code).not.toBe(0);
    expect(after.stderr).toContain('tokki login');
    expect(frankId).toMatch(/^u_/);
  }, 60_000);

  test('bad input: clear errors on stderr and a non-zero exit code', async () => {
    const unknownCommand = await tokki(['frobnicate']);
    expect(unknownCommand.code).not.toBe(0);
    expect(unknownCommand.stderr).toContain("unknown command 'frobnicate'");

    const unknownFlag = await tokki(['chats', '--frob']);
    expect(unknownFlag.code).not.toBe(0);
    expect(unknownFlag.stderr).toContain("unknown option '--frob'");

    const badLimit = await tokki(['history', 'c_x', '--limit', 'many']);
    expect(badLimit.code).not.toBe(0);
    expect(badLimit.stderr).toContain('Not a positive whole number');

    const notSignedIn = await tokki(['chats', '--profile', 'nobody']);
    expect(notSignedIn.code).not.toBe(0);
    expect(notSignedIn.stdout).toBe('');
    expect(notSignedIn.stderr).toMatch(/Not signed in .*run `tokki login --profile nobody/);

    const { phone } = testPhone(8);
    const wrongCode = await tokki([
      'login',
      '--server',
      server.url,
      '--phone',
      phone,
      '--code',
      '12345',
      '--profile',
      'henry',
    ]);
    expect(wrongCode.code).not.toBe(0);
    expect(wrongCode.stderr).toContain('error: CODE_INVALID:');
    expect(existsSync(join(home, 'profiles', 'henry.json'))).toBe(false);

    // Someone else's chat.
    await login('ivan', 9, 'Ivan');
    await login('judy', 10, 'Judy');
    await login('mallory', 11, 'Mallory');
    const chatId = (
      await ok(['chat', 'create', '--with', testPhone(10).phone, '--profile', 'ivan'])
    ).trim();
    for (const args of [
      ['send', chatId, 'let me in'],
      ['history', chatId],
    ]) {
      const refused = await tokki([...args, '--profile', 'mallory']);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain('error: NOT_MEMBER: You are not a member of this chat.');
    }
    expect(jsonLines(await ok(['history', chatId, '--profile', 'judy', '--json']))).toEqual([]);

    const unknownPhone = await tokki([
      'chat',
      'create',
      '--with',
      testPhone(99).phone,
      '--profile',
      'ivan',
    ]);
    expect(unknownPhone.code).not.toBe(0);
    expect(unknownPhone.stderr).toContain(
      `Nobody on this server has the phone number ${testPhone(99).phone}`,
    );

    const notAUser = await tokki(['chat', 'create', '--with', 'judy', '--profile', 'ivan']);
    expect(notAUser.code).not.toBe(0);
    expect(notAUser.stderr).toContain('neither a phone number');

    const noCode = await tokki(
      ['login', '--server', server.url, '--phone', testPhone(12).phone, '--profile', 'kim'],
      '',
    );
    expect(noCode.code).not.toBe(0);
    expect(noCode.stderr).toContain('No code given');

    writeFileSync(join(home, 'profiles', 'broken.json'), '{"server":');
    const damaged = await tokki(['whoami', '--profile', 'broken']);
    expect(damaged.code).not.toBe(0);
    expect(damaged.stderr).toContain('broken.json is damaged');
    await login('broken', 12, 'Kim');
    expect(await ok(['whoami', '--profile', 'broken'])).toContain('Kim');

    const badProfile = await tokki(['chats', '--profile', '../etc']);
    expect(badProfile.code).not.toBe(0);
    expect(badProfile.stderr).toContain('Invalid profile name');
  }, 60_000);

  test('--help lists every command', async () => {
    const help = await tokki(['--help']);
    expect(help.code).toBe(0);
    for (const command of [
      'serve',
      'login',
      'logout',
      'whoami',
      'devices',
      'chats',
      'chat',
      'send',
      'history',
      'read',
      'listen',
    ]) {
      expect(help.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    }
    const create = await tokki(['chat', 'create', '--help']);
    expect(create.stdout).toContain('--with <who...>');
    expect(create.stdout).toContain('--profile <name>');
  });
});
