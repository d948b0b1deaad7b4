// `tokki reply`, `react`, `forward`, `pin`, `edit` and `delete` as a user runs them: the built
// CLI as child processes against a real server, with credentials in a temporary $TOKKI_HOME.
import type { Message } from '@tokki/protocol';
import { describe, expect, test } from 'vitest';
import { jsonLines, useCliAndServer } from './testing/cli-harness.js';

const context = useCliAndServer();

describe('tokki reply, react, edit and delete', () => {
  // A dozen CLI processes one after another: the timeout leaves room for a busy machine.
  test('edits and deletes for everyone or for oneself, and says why it cannot', async () => {
    await context.cli.login(context.server.url, 'alice', 201, 'Alice');
    await context.cli.login(context.server.url, 'bob', 202, 'Bob');
    await context.cli.login(context.server.url, 'carol', 203, 'Carol');
    const chat = (
      await context.cli.ok(['chat', 'create', '--with', '+9996600202', '--profile', 'alice'])
    ).trim();
    const send = async (text: string) =>
      (
        jsonLines(
          await context.cli.ok(['send', chat, text, '--profile', 'alice', '--json']),
        )[0] as Message
      ).seq;
    const typo = await send('See you at 7 tomorow');
    const oops = await send('wrong chat, sorry');
    const mine = await send('just for Bob to hide');

    const listener = context.cli.start(['listen', '--timeout', '90', '--profile', 'bob']);
    await listener.waitFor('stderr', /Listening for updates/);

    expect(
      await context.cli.ok([
        'edit',
        chat,
        `#${typo}`,
        'See you at 7 tomorrow',
        '--profile',
        'alice',
      ]),
    ).toBe(`Edited #${typo} in ${chat}.\n`);
    await listener.waitFor('stdout', new RegExp(`#${typo} edited: See you at 7 tomorrow`));
    expect(
      await context.cli.ok(['delete', chat, String(oops), '--for-everyone', '--profile', 'alice']),
    ).toBe(`Deleted #${oops} for everyone.\n`);
    await listener.waitFor('stdout', new RegExp(`#${oops} was deleted`));
    expect(
      jsonLines(await context.cli.ok(['delete', chat, String(mine), '--profile', 'bob', '--json'])),
    ).toEqual([{ chatId: chat, seq: mine, forEveryone: false }]);

    const answer = await context.cli.ok(['reply', chat, String(typo), 'Sure!', '--profile', 'bob']);
    expect(answer).toMatch(new RegExp(`^Answered #${typo} in ${chat} as #\\d+\\.`));
    expect(await context.cli.ok(['react', chat, String(typo), 'heart', '--profile', 'bob'])).toBe(
      `Reacted heart to #${typo}.\n`,
    );
    await listener.waitFor('stdout', new RegExp(`Bob reacted heart to #${typo}`));
    expect(await context.cli.ok(['pin', chat, String(typo), '--profile', 'bob'])).toBe(
      `Pinned #${typo} in ${chat}.\n`,
    );
    await listener.waitFor('stdout', new RegExp(`Bob pinned #${typo}`));
    expect(await context.cli.ok(['pin', chat, 'none', '--profile', 'alice'])).toBe(
      `Unpinned in ${chat}.\n`,
    );
    const third = (
      await context.cli.ok(['chat', 'create', '--with', '+9996600203', '--profile', 'bob'])
    ).trim();
    expect(
      await context.cli.ok(['forward', chat, String(typo), third, '--profile', 'bob']),
    ).toMatch(new RegExp(`^Forwarded #${typo} to ${third} as #1\\.`));
    const bobSees = await context.cli.ok(['history', chat, '--profile', 'bob']);
    expect(bobSees).toMatch(new RegExp(`Bob: ↪ #${typo} Sure!`));
    expect(bobSees).toMatch(/See you at 7 tomorrow \(edited\) {2}\[heart 1\]/);
    const badReaction = await context.cli.run([
      'react',
      chat,
      String(typo),
      'angry',
      '--profile',
      'bob',
    ]);
    expect(badReaction.code).not.toBe(0);
    expect(badReaction.stderr).toMatch(/Not a reaction: angry/);
    expect(await context.cli.ok(['react', chat, String(typo), 'none', '--profile', 'bob'])).toBe(
      `Took back your reaction to #${typo}.\n`,
    );

    expect(bobSees).toMatch(new RegExp(`#${typo} .*Alice: See you at 7 tomorrow \\(edited\\)`));
    expect(bobSees).toMatch(new RegExp(`#${oops} .*Alice: \\(deleted\\)`));
    expect(bobSees).not.toContain('just for Bob to hide');
    expect(await context.cli.ok(['history', chat, '--profile', 'alice'])).toContain(
      'just for Bob to hide',
    );

    // Refusals: someone else's message, a deleted one, no such message, not a number.
    const refused = await context.cli.run([
      'edit',
      chat,
      String(typo),
      'hijacked',
      '--profile',
      'bob',
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/FORBIDDEN/);
    expect(
      (await context.cli.run(['edit', chat, String(oops), 'back', '--profile', 'alice'])).stderr,
    ).toMatch(/CONFLICT/);
    expect((await context.cli.run(['delete', chat, '999', '--profile', 'alice'])).stderr).toMatch(
      /NOT_FOUND/,
    );
    const notANumber = await context.cli.run(['delete', chat, 'first', '--profile', 'alice']);
    expect(notANumber.code).not.toBe(0);
    expect(notANumber.stderr).toMatch(/Not a message number: first/);
    listener.child.kill();
  }, 90_000);
});
