// `tokki search` as a user runs it: the built CLI as child processes against a real server, with
// credentials in a temporary $TOKKI_HOME.
import { describe, expect, test } from 'vitest';
import { jsonLines, useCliAndServer } from './testing/cli-harness.js';

const context = useCliAndServer();

describe('tokki search', () => {
  test('finds messages by part of a word, newest first, in all chats or one', async () => {
    await context.cli.login(context.server.url, 'alice', 301, 'Alice');
    await context.cli.login(context.server.url, 'bob', 302, 'Bob');
    await context.cli.login(context.server.url, 'carol', 303, 'Carol');
    const withBob = (
      await context.cli.ok(['chat', 'create', '--with', '+9996600302', '--profile', 'alice'])
    ).trim();
    const withCarol = (
      await context.cli.ok(['chat', 'create', '--with', '+9996600303', '--profile', 'alice'])
    ).trim();
    await context.cli.ok(['send', withBob, '안녕하세요, 밥!', '--profile', 'bob']);
    await context.cli.ok(['send', withCarol, 'こんにちは', '--profile', 'carol']);
    await context.cli.ok(['send', withCarol, '안녕, 캐롤', '--profile', 'alice']);

    const found = await context.cli.ok(['search', '안녕', '--profile', 'alice']);
    expect(found.trim().split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^${withCarol}  #2 .* Alice: 안녕, 캐롤$`)),
      expect.stringMatching(new RegExp(`^${withBob}  #1 .* Bob: 안녕하세요, 밥!$`)),
    ]);
    const inOneChat = jsonLines(
      await context.cli.ok(['search', '안녕', '--chat', withBob, '--json', '--profile', 'alice']),
    );
    expect(inOneChat).toEqual([expect.objectContaining({ chatId: withBob, seq: 1 })]);
    expect(
      jsonLines(
        await context.cli.ok(['search', '안녕', '--limit', '1', '--json', '--profile', 'alice']),
      ),
    ).toEqual([expect.objectContaining({ chatId: withCarol, text: '안녕, 캐롤' })]);
    expect(await context.cli.ok(['search', 'こんにち', '--profile', 'bob'])).toBe(
      'No messages found.\n',
    );

    // Refusals: a chat one is not in, nothing to search for.
    const notMember = await context.cli.run([
      'search',
      '안녕',
      '--chat',
      withCarol,
      '--profile',
      'bob',
    ]);
    expect(notMember.code).toBe(1);
    expect(notMember.stderr).toMatch(/NOT_MEMBER/);
    const blank = await context.cli.run(['search', '  ', '--profile', 'bob']);
    expect(blank.code).toBe(1);
    expect(blank.stderr).toMatch(/INVALID_PARAMS/);
  });
});
