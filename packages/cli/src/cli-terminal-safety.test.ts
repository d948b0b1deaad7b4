// What another user wrote cannot drive the terminal of someone reading it with `tokki`: a
// hostile client (the API directly) names itself and writes with escape sequences, C1 controls,
// a carriage return and a bidi override; Bob reads with the built CLI.
import type { Message } from '@tokki/protocol';
import { post, signInTestUser } from '@tokki/dev-env';
import { describe, expect, test } from 'vitest';
import { jsonLines, useCliAndServer } from './testing/cli-harness.js';

const context = useCliAndServer();

// Clears the screen, retitles the window, sets the clipboard (OSC 52), a one-byte CSI, a
// carriage return that would overwrite the line, and a right-to-left override.
const HOSTILE_NAME = 'Mallory\u001b[2J\u001b]0;owned\u0007';
const HOSTILE_TEXT = 'hi\u001b]52;c;cm0gLXJmIH4=\u0007 \u009b31mred\rfake line \u202etxt.exe';
// The sequences go whole; the carriage return becomes a line break.
const SAFE_NAME = 'Mallory';
const SAFE_LINES = ['hi red', 'fake line txt.exe'];
// eslint-disable-next-line no-control-regex
const TERMINAL_CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('tokki shows what others wrote without letting it drive the terminal', () => {
  test('history, listen and --json', { timeout: 90_000 }, async () => {
    const bob = await context.cli.login(context.server.url, 'bob', 301, 'Bob');
    const mallory = await signInTestUser(context.server.url, 302, { displayName: HOSTILE_NAME });
    const chat = (await post(
      context.server.url,
      'chats.createDirect',
      { userId: bob },
      mallory.token,
    )) as {
      id: string;
    };
    const listener = context.cli.start(['listen', '--timeout', '60', '--profile', 'bob']);
    await listener.waitFor('stderr', /Listening for updates/, 30_000);
    const { message: sent } = (await post(
      context.server.url,
      'messages.send',
      { chatId: chat.id, clientMsgId: 'hostile-1', text: HOSTILE_TEXT },
      mallory.token,
    )) as { message: Message };
    await listener.waitFor('stdout', /fake line/, 30_000);
    listener.child.kill('SIGINT');

    const history = await context.cli.ok(['history', chat.id, '--profile', 'bob']);
    for (const shown of [history, listener.stdout()]) {
      expect(shown).not.toMatch(TERMINAL_CONTROLS);
      for (const line of SAFE_LINES) expect(shown).toContain(line);
      expect(shown).toContain(SAFE_NAME);
    }

    // Scripts get every character back; a terminal showing the line gets only escapes.
    const json = await context.cli.ok(['history', chat.id, '--profile', 'bob', '--json']);
    expect(json).not.toMatch(TERMINAL_CONTROLS);
    const [message] = jsonLines(json) as Message[];
    expect(message).toMatchObject({ seq: sent.seq, text: HOSTILE_TEXT });
  });
});
