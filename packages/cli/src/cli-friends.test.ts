// `tokki contacts`, `tokki friends` and `tokki profile` as a user runs them: the built CLI as
// child processes against a real server, with credentials in a temporary $TOKKI_HOME.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestServer, testPhone, type TestServer } from '@tokki/dev-env';
import { CliHarness, jsonLines } from './testing/cli-harness.js';

let cli: CliHarness;
let server: TestServer;

/** Writes a file in the test's scratch folder; its path. */
function file(name: string, content: string | Buffer): string {
  const dir = join(cli.home, 'files');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** `+99966 0 0123` spelled with separators, as address books do. */
function spaced(n: number): string {
  const { phone } = testPhone(n);
  return `${phone.slice(0, 6)} ${phone.slice(6, 7)} ${phone.slice(7)}`;
}

/** A valid width × height RGB PNG, a gradient. */
function png(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body) >>> 0);
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bits per channel
  header[9] = 2; // RGB
  const stride = width * 3 + 1;
  const rows = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      rows.set([(x * 255) / width, (y * 255) / height, 128], y * stride + 1 + x * 3);
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

beforeAll(async () => {
  cli = new CliHarness();
  server = await startTestServer();
});

afterAll(async () => {
  await server?.close();
  cli?.dispose();
});

describe('tokki contacts, friends and profile', () => {
  test('a synced contact becomes a friend under its address-book name, and is recommended the uploader, live', async () => {
    const aliceId = await cli.login(server.url, 'alice', 101, 'Alice');
    const bobId = await cli.login(server.url, 'bob', 102, 'Bob');

    const listener = cli.start(['listen', '--timeout', '90', '--profile', 'bob']);
    await listener.waitFor('stderr', /Listening for updates/);

    const contacts = file(
      'alice-contacts.txt',
      [
        '# Alice’s address book', // 1
        `${spaced(102)},Bobby`, // 2: Bob, with separators
        'not-a-number,Nobody', // 3: refused by the server
        '12', // 4: refused before sending
        '010-5555-0101,Dentist', // 5: not a Tokki user
        '', // 6
        `${testPhone(102).phone},Bob again`, // 7: line 2's number again
        `010-5555-0102,${'x'.repeat(65)}`, // 8: a name too long for the server
      ].join('\n'),
    );
    const synced = JSON.parse(
      await cli.ok(['contacts', 'sync', '--file', contacts, '--profile', 'alice', '--json']),
    );
    expect(synced).toMatchObject({
      sent: 3,
      added: 2,
      renamed: 0,
      unchanged: 0,
      complete: true,
      rejected: [
        { line: 3, phone: 'not-a-number', reason: expect.any(String) },
        { line: 4, phone: '12', reason: 'Not a phone number (too short or too long).' },
        { line: 8, phone: '010-5555-0102', reason: 'Name longer than 64 characters.' },
      ],
      duplicates: [{ line: 7, duplicateOf: 2 }],
      friendsAdded: [{ user: { id: bobId, displayName: 'Bob' }, contactName: 'Bobby' }],
    });
    // Nothing about the non-user comes back.
    expect(JSON.stringify(synced)).not.toContain('+821055550101');

    expect(await cli.ok(['friends', '--profile', 'alice'])).toMatch(
      new RegExp(`^${bobId} {4}Bobby \\(Bob\\)`, 'm'),
    );
    expect(jsonLines(await cli.ok(['friends', '--profile', 'alice', '--json']))).toEqual([
      expect.objectContaining({
        user: expect.objectContaining({ id: bobId }),
        contactName: 'Bobby',
      }),
    ]);

    // Again: nothing new; a changed name is a rename.
    const again = await cli.ok(['contacts', 'sync', '--file', contacts, '--profile', 'alice']);
    expect(again).toContain('Added 0, renamed 0, unchanged 2 (3 sent');
    expect(again).toMatch(/line 3: not-a-number: /);
    expect(again).toContain('line 7: +9996600102: same number as line 2');
    const renamed = JSON.parse(
      await cli.ok(
        ['contacts', 'sync', '--file', '-', '--profile', 'alice', '--json'],
        `${testPhone(102).phone},Bobby Kim\n`,
      ),
    );
    expect(renamed).toMatchObject({ sent: 1, added: 0, renamed: 1, friendsAdded: [] });
    expect(await cli.ok(['friends', '--profile', 'alice'])).toMatch(
      new RegExp(`^${bobId} {4}Bobby Kim \\(Bob\\)`, 'm'),
    );

    // Bob does not have Alice's number: she is recommended to him, live.
    await listener.waitFor('stdout', /Recommended friend: Alice has your number/);
    expect(
      jsonLines(await cli.ok(['friends', 'recommended', '--profile', 'bob', '--json'])),
    ).toEqual([
      {
        user: expect.objectContaining({ id: aliceId, displayName: 'Alice' }),
        since: expect.any(Number),
      },
    ]);
    expect(await cli.ok(['friends', 'recommended', '--profile', 'bob'])).toMatch(
      new RegExp(`^${aliceId}  Alice`, 'm'),
    );
    expect(await cli.ok(['friends', '--profile', 'bob'])).toContain('No friends yet');

    // Bob adds her: a friend, no longer a recommendation.
    const added = JSON.parse(
      await cli.ok(['friends', 'add', '--user', aliceId, '--profile', 'bob', '--json']),
    );
    expect(added).toMatchObject({ user: { id: aliceId }, contactName: null });
    await listener.waitFor('stdout', /New friend: Alice/);
    await listener.waitFor('stdout', /No longer recommended: Alice/);
    expect(
      jsonLines(await cli.ok(['friends', 'recommended', '--profile', 'bob', '--json'])),
    ).toEqual([]);
    expect(await cli.ok(['friends', 'recommended', '--profile', 'bob'])).toContain(
      'No recommendations',
    );
    listener.child.kill('SIGINT');
    expect((await listener.finished).code).toBe(0);

    // Removing from the address book leaves friends friends.
    const removed = JSON.parse(
      await cli.ok(
        ['contacts', 'remove', '--file', '-', '--profile', 'alice', '--json'],
        '010-5555-0101\n010-5555-0199\n',
      ),
    );
    expect(removed).toMatchObject({ sent: 2, removed: 1, unchanged: 1, rejected: [] });
    expect(jsonLines(await cli.ok(['friends', '--profile', 'alice', '--json']))).toHaveLength(1);
  }, 90_000);

  test('add by phone and by Tokki ID; favourites first, hidden apart; block and unblock', async () => {
    await cli.login(server.url, 'dave', 111, 'Dave');
    const erinId = await cli.login(server.url, 'erin', 112, 'Erin');
    const frankId = await cli.login(server.url, 'frank', 113, 'Frank');
    const graceId = await cli.login(server.url, 'grace', 114, 'Grace');

    const erin = JSON.parse(
      await cli.ok(['profile', 'set', '--id', 'Erin.Kim', '--profile', 'erin', '--json']),
    );
    expect(erin.tokkiId?.toLowerCase()).toBe('erin.kim');

    expect(await cli.ok(['friends', 'add', spaced(113), '--profile', 'dave'])).toBe(
      `${frankId}  Frank is your friend.\n`,
    );
    const byId = JSON.parse(
      await cli.ok(['friends', 'add', 'erin.kim', '--profile', 'dave', '--json']),
    );
    expect(byId).toMatchObject({ user: { id: erinId, displayName: 'Erin' } });
    await cli.ok(['friends', 'add', testPhone(114).phone, '--profile', 'dave']);

    const updated = JSON.parse(
      await cli.ok([
        'friends',
        'update',
        graceId,
        '--favorite',
        '--name',
        'Zoe',
        '--profile',
        'dave',
        '--json',
      ]),
    );
    expect(updated).toMatchObject({ favorite: true, contactName: 'Zoe' });
    await cli.ok(['friends', 'update', frankId, '--hidden', '--profile', 'dave']);

    const ids = async (...args: string[]) =>
      jsonLines(await cli.ok(['friends', ...args, '--profile', 'dave', '--json'])).map(
        (friend) => (friend as { user: { id: string } }).user.id,
      );
    // The favourite "Zoe" before "Erin"; hidden Frank only on request, last.
    expect(await ids()).toEqual([graceId, erinId]);
    expect(await ids('--hidden')).toEqual([graceId, erinId, frankId]);
    const listed = await cli.ok(['friends', '--profile', 'dave']);
    expect(listed).toMatch(new RegExp(`^${graceId}  ★ Zoe \\(Grace\\)`, 'm'));
    expect(listed).toContain('(1 hidden: `tokki friends --hidden` lists them.)');
    expect(await cli.ok(['friends', '--hidden', '--profile', 'dave'])).toMatch(
      new RegExp(`^${frankId} {4}Frank .*\\(hidden\\)`, 'm'),
    );

    // Blocked: out of the list, refused without being told why.
    expect(await cli.ok(['friends', 'block', erinId, '--profile', 'dave'])).toContain(
      `Blocked ${erinId}`,
    );
    expect(await ids()).toEqual([graceId]);
    expect(jsonLines(await cli.ok(['friends', 'blocked', '--profile', 'dave', '--json']))).toEqual([
      expect.objectContaining({ id: erinId, displayName: 'Erin' }),
    ]);
    const refused = await cli.run([
      'chat',
      'create',
      '--with',
      testPhone(111).phone,
      '--profile',
      'erin',
    ]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/^error: /);
    expect(refused.stderr.toLowerCase()).not.toContain('block');

    expect(
      JSON.parse(await cli.ok(['friends', 'unblock', erinId, '--profile', 'dave', '--json'])),
    ).toEqual({ userId: erinId, blocked: false });
    expect(await cli.ok(['friends', 'blocked', '--profile', 'dave'])).toContain(
      'Nobody is blocked',
    );
    expect(await ids()).toEqual([graceId, erinId]);
  }, 60_000);

  test('profile set: name, status, picture and Tokki ID, and tokki profile shows them', async () => {
    const henryId = await cli.login(server.url, 'henry', 121, 'Henry');
    const avatar = file('avatar.png', png(64, 48));

    const me = JSON.parse(
      await cli.ok([
        'profile',
        'set',
        '--name',
        '헨리',
        '--status',
        'on holiday',
        '--photo',
        avatar,
        '--id',
        'henry_1',
        '--profile',
        'henry',
        '--json',
      ]),
    );
    expect(me).toMatchObject({
      id: henryId,
      displayName: '헨리',
      statusMessage: 'on holiday',
      tokkiId: 'henry_1',
      phone: testPhone(121).phone,
      photo: expect.any(String),
      photoUrl: `${server.url}/v1/photos/${me.photo}`,
    });
    for (const size of ['small', 'large']) {
      const response = await fetch(`${me.photoUrl}?size=${size}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('image/jpeg');
    }

    expect(JSON.parse(await cli.ok(['profile', '--profile', 'henry', '--json']))).toEqual(me);
    const shown = await cli.ok(['profile', 'show', '--profile', 'henry']);
    expect(shown).toContain(`헨리 (${testPhone(121).phone})`);
    expect(shown).toMatch(/Tokki ID +henry_1/);
    expect(shown).toMatch(/status +on holiday/);
    expect(shown).toContain(`/v1/photos/${me.photo}`);

    const cleared = JSON.parse(
      await cli.ok(['profile', 'set', '--no-photo', '--no-id', '--profile', 'henry', '--json']),
    );
    expect(cleared).toMatchObject({
      photo: null,
      photoUrl: null,
      tokkiId: null,
      displayName: '헨리',
    });
    expect(await cli.ok(['profile', '--profile', 'henry'])).toMatch(/Tokki ID +\(none\)/);
  }, 60_000);

  test('bad input: clear errors on stderr and a non-zero exit code', async () => {
    await cli.login(server.url, 'ivy', 131, 'Ivy');
    const as = (args: string[]) => cli.run([...args, '--profile', 'ivy']);
    const refused = async (args: string[], message: string | RegExp) => {
      const result = await as(args);
      expect(result.code, `tokki ${args.join(' ')}`).not.toBe(0);
      expect(result.stdout).toBe('');
      if (typeof message === 'string') expect(result.stderr).toContain(message);
      else expect(result.stderr).toMatch(message);
    };

    const missing = join(cli.home, 'nowhere.txt');
    await refused(['contacts', 'sync', '--file', missing], `Cannot read ${missing}: no such file.`);
    await refused(['contacts', 'sync', '--file', cli.home], 'it is a directory');
    await refused(['contacts', 'sync'], "required option '--file <file>' not specified");
    await refused(['contacts', 'remove', '--file', missing], 'no such file');

    await refused(['friends', 'add'], 'Whom to add?');
    await refused(['friends', 'add', '010-1234-5678', '--user', 'u_x'], 'not both');
    await refused(['friends', 'add', 'no way!'], 'neither a phone number nor a Tokki ID');
    await refused(['friends', 'add', '--user', '+821012345678'], 'is not a user id');
    await refused(['friends', 'block', 'erin'], 'is not a user id');
    await refused(['friends', 'update', 'u_x'], 'Nothing to change');
    await refused(['friends', '--frob'], "unknown option '--frob'");
    await refused(['friends', 'befriend'], /error|unknown/);
    await refused(['friends', 'add', 'nobody.here'], /^error: [A-Z_]+: /m);

    await refused(['profile', 'set'], 'Nothing to change');
    await refused(['profile', 'set', '--id', 'a!'], '"a!" cannot be a Tokki ID');
    await refused(
      ['profile', 'set', '--name', 'Never', '--photo', file('notes.png', 'hello, not a picture')],
      'is not a JPEG, PNG, WebP or GIF image',
    );
    const huge = Buffer.alloc(10 * 1024 * 1024 + 1);
    png(1, 1).copy(huge);
    await refused(['profile', 'set', '--photo', file('huge.png', huge)], 'at most 10.0 MiB');
    // Right signature, wrong inside: the server's decoder refuses it.
    const broken = Buffer.concat([png(1, 1).subarray(0, 16), Buffer.alloc(64, 7)]);
    await refused(['profile', 'set', '--photo', file('broken.png', broken)], /^error: [A-Z_]+: /m);
    // Nothing was changed by the refused commands.
    expect(JSON.parse(await cli.ok(['profile', '--profile', 'ivy', '--json']))).toMatchObject({
      displayName: 'Ivy',
      photo: null,
    });
  }, 60_000);

  test('--help lists the new commands', async () => {
    const help = await cli.ok(['--help']);
    for (const command of ['friends', 'contacts', 'profile']) {
      expect(help).toMatch(new RegExp(`^  ${command} `, 'm'));
    }
    const friends = await cli.ok(['friends', '--help']);
    for (const command of [
      'list',
      'recommended',
      'add',
      'update',
      'dismiss',
      'block',
      'unblock',
      'blocked',
    ]) {
      expect(friends).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    }
    expect(await cli.ok(['contacts', 'sync', '--help'])).toContain('010-1234-5678,Mom');
  });
});

describe('contact discovery limit', () => {
  let limited: TestServer;

  beforeAll(async () => {
    const perDay = { max: 2000, windowSeconds: 24 * 3600 };
    limited = await startTestServer({
      config: {
        rateLimits: { contactDiscoveryPerAccount: perDay, contactDiscoveryPerDevice: perDay },
      },
    });
  });

  afterAll(async () => {
    await limited?.close();
  });

  test('a 100,000-line address book goes up until the limit, then stops saying when to go on', async () => {
    await cli.login(limited.url, 'kim', 141, 'Kim');
    const lines = ['# a very large address book'];
    for (let i = 0; i < 100_000; i++) {
      const middle = String(2000 + Math.floor(i / 10_000)).padStart(4, '0');
      lines.push(`010-${middle}-${String(i % 10_000).padStart(4, '0')},Contact ${i}`);
    }
    const book = file('huge-contacts.txt', lines.join('\n'));

    const started = Date.now();
    const first = await cli.run(['contacts', 'sync', '--file', book, '--profile', 'kim', '--json']);
    expect(first.code).not.toBe(0);
    const report = JSON.parse(first.stdout);
    expect(report).toMatchObject({
      complete: false,
      rejected: [],
      retryAfter: expect.any(Number),
    });
    // Two batches fill the limit; the third is refused whole.
    expect(report.sent).toBe(2000);
    expect(report.added).toBe(report.sent);
    // Line 1 is the comment: entry k is on line k + 1.
    expect(report.stoppedAtLine).toBe(report.sent + 2);
    expect(first.stderr).toContain('error: RATE_LIMITED: ');
    expect(first.stderr).toContain(
      `${report.sent} entries up to line ${report.sent + 1} were uploaded, nothing from line ${report.stoppedAtLine} on`,
    );
    expect(first.stderr).toMatch(/Run the same command again in \d+ h( \d+ min)?;/);
    // It stopped at the limit instead of sending a hundred refused batches.
    expect(Date.now() - started).toBeLessThan(20_000);

    // Running it again is harmless: what is there is not new, and the limit still holds.
    const second = await cli.run(['contacts', 'sync', '--file', book, '--profile', 'kim']);
    expect(second.code).not.toBe(0);
    expect(second.stdout).toContain(`Added 0, renamed 0, unchanged ${report.sent}`);
    expect(second.stderr).toContain(`nothing from line ${report.stoppedAtLine} on`);

    // Adding by number counts against the same limit, and says when to retry.
    const byPhone = await cli.run(['friends', 'add', '010-3000-0001', '--profile', 'kim']);
    expect(byPhone.code).not.toBe(0);
    expect(byPhone.stderr).toContain('error: RATE_LIMITED: ');
    expect(byPhone.stderr).toMatch(/Try again in \d+ h/);
  }, 90_000);
});
