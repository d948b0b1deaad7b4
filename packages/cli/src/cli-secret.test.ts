// `tokki secret …` as a user runs it: the built CLI as child processes against a real server,
// each profile its own device with its secret state in the temporary $TOKKI_HOME.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { jsonLines, useCliAndServer } from './testing/cli-harness.js';

const context = useCliAndServer();

interface PrintedMessage {
  chatId: string;
  seq: number;
  senderId: string;
  content: { type: string; text?: string; timer: number };
}

describe('tokki secret', () => {
  // A dozen CLI processes, each loading MLS: room for a busy machine.
  test(
    'create, send, history, timer, verify and listen, with --json',
    { timeout: 180_000 },
    async () => {
      const { cli, server } = context;
      const minji = await cli.login(server.url, 'minji', 401, 'Minji');
      const junho = await cli.login(server.url, 'junho', 402, 'Junho');
      // Each device publishes its identity and key packages the first time it runs a secret command.
      const none = await cli.run(['secret', 'history', 'x_none', '--profile', 'junho']);
      expect(none.code).toBe(1);
      expect(none.stderr).toMatch(/NO_SUCH_CHAT/);
      await cli.ok(['friends', 'add', '+9996600402', '--profile', 'minji']);

      const created = jsonLines(
        await cli.ok(['secret', 'create', junho, '--profile', 'minji', '--json']),
      )[0] as { chatId: string; members: { userId: string }[] };
      const chat = created.chatId;
      expect(created.members.map((m) => m.userId).sort()).toEqual([minji, junho].sort());

      const listener = cli.start([
        'secret',
        'listen',
        '--json',
        '--timeout',
        '120',
        '--profile',
        'junho',
      ]);
      await listener.waitFor('stderr', /Listening for secret messages/, 60_000);

      const text = `비밀 메시지 ${Math.random()}`;
      const sent = jsonLines(
        await cli.ok(['secret', 'send', chat, text, '--profile', 'minji', '--json']),
      )[0] as PrintedMessage;
      expect(sent).toMatchObject({
        chatId: chat,
        senderId: minji,
        content: { type: 'text', text },
      });
      await listener.waitFor('stdout', new RegExp(`"text":"${text}"`), 60_000);
      const heard = jsonLines(listener.stdout()) as PrintedMessage[];
      expect(heard).toContainEqual(
        expect.objectContaining({
          seq: sent.seq,
          senderId: minji,
          content: { type: 'text', text, timer: 0 },
        }),
      );

      // The timer is a service line both sides see; later texts carry it.
      expect(await cli.ok(['secret', 'timer', chat, '1h', '--profile', 'minji'])).toMatch(
        /disappear 1h after they are read/,
      );
      await listener.waitFor('stdout', /"type":"timer","timer":3600/, 60_000);
      const bad = await cli.run(['secret', 'timer', chat, '2m', '--profile', 'minji']);
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toMatch(/off, 5s, 10s, 30s, 1m, 1h, 1d, 1w/);

      const reply = `답장 ${Math.random()}`;
      await cli.ok(['secret', 'send', chat, reply, '--profile', 'junho']);
      const history = jsonLines(
        await cli.ok(['secret', 'history', chat, '--profile', 'minji', '--json']),
      ) as PrintedMessage[];
      expect(history.map((m) => m.content)).toEqual([
        { type: 'text', text, timer: 0 },
        { type: 'timer', timer: 3600 },
        { type: 'text', text: reply, timer: 3600 },
      ]);
      expect(await cli.ok(['secret', 'history', chat, '--profile', 'minji'])).toMatch(
        new RegExp(`Junho: ${reply} \\[1h\\]`),
      );

      // Both sides compute the same safety number and image; --mark records the check.
      const mine = jsonLines(
        await cli.ok(['secret', 'verify', chat, junho, '--profile', 'minji', '--json']),
      )[0] as { safetyNumber: string; keyImage: number[][]; verified: boolean };
      const theirs = jsonLines(
        await cli.ok(['secret', 'verify', chat, minji, '--profile', 'junho', '--json', '--mark']),
      )[0] as { safetyNumber: string; keyImage: number[][]; verified: boolean };
      expect(mine.safetyNumber).toMatch(/^\d{60}$/);
      expect(theirs.safetyNumber).toBe(mine.safetyNumber);
      expect(theirs.keyImage).toEqual(mine.keyImage);
      expect(mine.verified).toBe(false);
      expect(theirs.verified).toBe(true);
      const shown = await cli.ok(['secret', 'verify', chat, junho, '--profile', 'minji']);
      const rows = shown.split('\n').filter((line) => /^\d{5}( \d{5}){3}$/.test(line));
      expect(rows.join('').replace(/ /g, '')).toBe(mine.safetyNumber);
      expect(shown).toMatch(/Not verified/);

      // Someone outside the chat gets a clear refusal.
      await cli.login(server.url, 'eunji', 403, 'Eunji');
      const outsider = await cli.run(['secret', 'send', chat, 'hi', '--profile', 'eunji']);
      expect(outsider.code).toBe(1);
      expect(outsider.stderr).toMatch(/NO_SUCH_CHAT/);

      listener.child.kill('SIGINT');
      expect((await listener.finished).code).toBe(0);

      // The state is an owner-only file, and holds none of the plaintexts in the clear.
      const dir = join(cli.home, 'secret', 'minji');
      const files = readdirSync(dir);
      expect(files.length).toBeGreaterThan(0);
      for (const file of files) {
        expect(statSync(join(dir, file)).mode & 0o777).toBe(0o600);
        const bytes = readFileSync(join(dir, file));
        for (const plaintext of [text, reply]) {
          expect(bytes.includes(Buffer.from(plaintext))).toBe(false);
        }
      }
      // Signing out deletes the device's secret state with the profile.
      await cli.ok(['logout', '--profile', 'minji']);
      expect(existsSync(dir)).toBe(false);
    },
  );
});
