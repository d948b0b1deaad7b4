// `tokki send --file` and `tokki download` as a user runs them: the built CLI as child processes
// against a real server, with credentials in a temporary $TOKKI_HOME.
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Message } from '@tokki/protocol';
import { describe, expect, test } from 'vitest';
import { jsonLines, useCliAndServer } from './testing/cli-harness.js';

const context = useCliAndServer();

describe('tokki send --file and download', () => {
  test('sends files (an album with a caption) and downloads them byte for byte', async () => {
    const { cli, server } = context;
    await cli.login(server.url, 'alice', 401, 'Alice');
    await cli.login(server.url, 'bob', 402, 'Bob');
    await cli.login(server.url, 'carol', 403, 'Carol');
    const chat = (
      await cli.ok(['chat', 'create', '--with', '+9996600402', '--profile', 'alice'])
    ).trim();
    const report = join(cli.home, 'report.bin');
    const notes = join(cli.home, 'notes.txt');
    const data = randomBytes(3 * 1024 * 1024 + 17);
    writeFileSync(report, data);
    writeFileSync(notes, '회의록 — minutes\n');

    const sent = await cli.run([
      'send',
      chat,
      '--file',
      report,
      '--file',
      notes,
      '--caption',
      '자료 보내요',
      '--profile',
      'alice',
      '--json',
    ]);
    expect(sent.code).toBe(0);
    expect(sent.stderr).toMatch(/report\.bin: 100 %/);
    const message = jsonLines(sent.stdout)[0] as Message;
    expect(message).toMatchObject({ text: '자료 보내요' });
    expect(message.files?.map((f) => [f.name, f.size])).toEqual([
      ['report.bin', data.length],
      ['notes.txt', Buffer.byteLength('회의록 — minutes\n')],
    ]);
    expect(await cli.ok(['history', chat, '--profile', 'bob'])).toMatch(
      /자료 보내요\n +📎 1\. report\.bin \(3\.0 MB\)\n +📎 2\. notes\.txt/,
    );

    const copy = join(cli.home, 'copy.bin');
    expect(
      await cli.ok(['download', chat, String(message.seq), '--out', copy, '--profile', 'bob']),
    ).toBe(`Saved report.bin (3.0 MB) to ${copy}.\n`);
    expect(readFileSync(copy).equals(data)).toBe(true);
    const second = join(cli.home, 'notes-copy.txt');
    await cli.ok([
      'download',
      chat,
      String(message.seq),
      '--index',
      '2',
      '--out',
      second,
      '--profile',
      'bob',
    ]);
    expect(readFileSync(second, 'utf8')).toBe('회의록 — minutes\n');

    // Refusals: someone not in the chat, a file there already, no such file, a missing path.
    const stranger = await cli.run([
      'download',
      chat,
      String(message.seq),
      '--out',
      join(cli.home, 'x'),
      '--profile',
      'carol',
    ]);
    expect(stranger.code).toBe(1);
    expect(stranger.stderr).toMatch(/NOT_MEMBER/);
    expect(
      (await cli.run(['download', chat, String(message.seq), '--out', copy, '--profile', 'bob']))
        .stderr,
    ).toMatch(/exists already/);
    expect(
      (
        await cli.run([
          'download',
          chat,
          String(message.seq),
          '--index',
          '3',
          '--out',
          join(cli.home, 'y'),
          '--profile',
          'bob',
        ])
      ).stderr,
    ).toMatch(/no file number 3/);
    const missing = await cli.run([
      'send',
      chat,
      '--file',
      join(cli.home, 'nope.bin'),
      '--profile',
      'alice',
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/Cannot read .*nope\.bin/);
    expect((await cli.run(['send', chat, '--profile', 'alice'])).stderr).toMatch(/Nothing to send/);
  });
});
