// `tokki search` as a user runs it: the built CLI as child processes against a real server, with
// credentials in a temporary $TOKKI_HOME.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestServer, type TestServer } from '@tokki/dev-env';
import { CliHarness, jsonLines } from './testing/cli-harness.js';

let cli: CliHarness;
let server: TestServer;

beforeAll(async () => {
  cli = new CliHarness();
  server = await startTestServer();
});

afterAll(async () => {
  await server?.close();
  cli?.dispose();
});

describe('tokki search', () => {
  test('finds messages by part of a word, newest first, in all chats or one', async () => {
    await cli.login(server.url, 'alice', 301, 'Alice');
    await cli.login(server.url, 'bob', 302, 'Bob');
    await cli.login(server.url, 'carol', 303, 'Carol');
    const withBob = (
      await cli.ok(['chat', 'create', '--with', '+9996600302', '--profile', 'alice'])
    ).trim();
    const withCarol = (
      await cli.ok(['chat', 'create', '--with', '+9996600303', '--profile', 'alice'])
    ).trim();
    await cli.ok(['send', withBob, '안녕하세요, 밥!', '--profile', 'bob']);
    await cli.ok(['send', withCarol, 'こんにちは', '--profile', 'carol']);
    await cli.ok(['send', withCarol, '안녕, 캐롤', '--profile', 'alice']);

    const found = await cli.ok(['search', '안녕', '--profile', 'alice']);
    expect(found.trim().split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^${withCarol}  #2 .* Alice: 안녕, 캐롤$`)),
      expect.stringMatching(new RegExp(`^${withBob}  #1 .* Bob: 안녕하세요, 밥!$`)),
    ]);
    const inOneChat = jsonLines(
      await cli.ok(['search', '안녕', '--chat', withBob, '--json', '--profile', 'alice']),
    );
    expect(inOneChat).toEqual([expect.objectContaining({ chatId: withBob, seq: 1 })]);
    expect(
      jsonLines(await cli.ok(['search', '안녕', '--limit', '1', '--json', '--profile', 'alice'])),
    ).toEqual([expect.objectContaining({ chatId: withCarol, text: '안녕, 캐롤' })]);
    expect(await cli.ok(['search', 'こんにち', '--profile', 'bob'])).toBe('No messages found.\n');

    // Refusals: a chat one is not in, nothing to search for.
    const notMember = await cli.run(['search', '안녕', '--chat', withCarol, '--profile', 'bob']);
    expect(notMember.code).toBe(1);
    expect(notMember.stderr).toMatch(/NOT_MEMBER/);
    const blank = await cli.run(['search', '  ', '--profile', 'bob']);
    expect(blank.code).toBe(1);
    expect(blank.stderr).toMatch(/INVALID_PARAMS/);
  });
});
