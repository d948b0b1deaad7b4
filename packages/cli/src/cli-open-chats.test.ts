// `tokki open …` (open chats) and the group commands `invite`, `join`, `members`, `kick`, `admin`
// and `mute` as a user runs them: the built CLI as child processes against a real server, with
// credentials in a temporary $TOKKI_HOME.
import { beforeAll, describe, expect, test } from 'vitest';
import { LIMITS, type Chat, type Member, type MethodResult } from '@tokki/protocol';
import { testPhone } from '@tokki/dev-env';
import { jsonLines, useCliAndServer } from './testing/cli-harness.js';

/** What `open create --json` prints. */
type OpenChatCreated = MethodResult<'open.create'> & { invitePath: string; inviteUrl: string };

const context = useCliAndServer();
/** User ids by profile name; the profiles are signed in once, for every test. */
const ids: Record<'alice' | 'bob' | 'carol' | 'dave', string> = {
  alice: '',
  bob: '',
  carol: '',
  dave: '',
};

beforeAll(async () => {
  const names = { alice: 'Alice', bob: 'Bob', carol: 'Carol', dave: 'Dave' } as const;
  for (const [i, profile] of (['alice', 'bob', 'carol', 'dave'] as const).entries()) {
    ids[profile] = await context.cli.login(context.server.url, profile, 401 + i, names[profile]);
  }
});

/** Runs a command that must fail: its stderr, after checking the exit code. */
async function refused(args: string[]): Promise<string> {
  const result = await context.cli.run(args);
  expect(result.code, `tokki ${args.join(' ')} should fail`).toBe(1);
  expect(result.stdout).toBe('');
  return result.stderr;
}

/** The ids of the chats a profile is in. */
async function chatIds(profile: string): Promise<string[]> {
  const chats = jsonLines(await context.cli.ok(['chats', '--json', '--profile', profile]));
  return chats.map((chat) => (chat as { id: string }).id);
}

describe('tokki open', () => {
  test('open chats: made, found, joined by id or link, and everyone named by nickname only', async () => {
    const { cli, server } = context;

    const created = await cli.ok([
      'open',
      'create',
      '토끼 팬클럽',
      '--nickname',
      '당근',
      '--description',
      'Rabbits only',
      '--limit',
      '3',
      '--listed',
      '--profile',
      'alice',
    ]);
    const [room, link] = created.trim().split('\n');
    expect(room).toMatch(/^c_[0-9a-z]{16}$/);
    expect(link).toMatch(new RegExp(`^${server.url}/join/[\\w-]{22}$`));
    const token = link!.slice(link!.lastIndexOf('/') + 1);

    const [hidden] = jsonLines(
      await cli.ok([
        'open',
        'create',
        'Burrow',
        '--nickname',
        'Mole',
        '--json',
        '--profile',
        'bob',
      ]),
    ) as [OpenChatCreated];
    expect(hidden).toMatchObject({
      chat: { kind: 'open', title: 'Burrow', open: { listed: false, memberLimit: 1500 } },
      invitePath: `/join/${hidden.inviteToken}`,
      inviteUrl: `${server.url}/join/${hidden.inviteToken}`,
    });

    // Listed rooms are found and shown; the unlisted one only by its link.
    const found = await cli.ok(['open', 'search', '팬클', '--profile', 'dave']);
    expect(found).toMatch(new RegExp(`^${room}  토끼 팬클럽 +1/3 +Rabbits only\\n$`));
    const everything = jsonLines(await cli.ok(['open', 'search', '--json', '--profile', 'dave']));
    expect(everything).toEqual([expect.objectContaining({ id: room, memberCount: 1 })]);
    expect(await cli.ok(['open', 'search', 'Burrow', '--profile', 'dave'])).toBe(
      'No listed open chats with that in their title.\n',
    );
    expect(await cli.ok(['open', 'info', room!, '--profile', 'dave'])).toBe(
      `토끼 팬클럽 (${room})\n1 of at most 3 members; listed\nRabbits only\n`,
    );
    expect(await refused(['open', 'info', hidden.chat.id, '--profile', 'dave'])).toMatch(
      /NOT_FOUND: .*by its link only/,
    );
    expect(await cli.ok(['open', 'info', hidden.chat.id, '--profile', 'bob'])).toMatch(
      /^Burrow .*\n1 of at most 1,500 members; unlisted/,
    );

    // Refused joins change nothing: no nickname, a nickname too long, an unlisted room's id.
    expect(await refused(['open', 'join', room!, '--profile', 'dave'])).toMatch(
      /required option '--nickname <name>'/,
    );
    const tooLong = 'ㅋ'.repeat(LIMITS.NICKNAME_MAX + 1);
    expect(
      await refused(['open', 'join', room!, '--nickname', tooLong, '--profile', 'dave']),
    ).toMatch(new RegExp(`nickname is at most ${LIMITS.NICKNAME_MAX} characters`));
    expect(
      await refused(['open', 'join', hidden.chat.id, '--nickname', 'Dave', '--profile', 'dave']),
    ).toMatch(/NOT_FOUND: .*by its link only/);
    expect(
      await refused(['open', 'join', 'not a link!', '--nickname', 'D', '--profile', 'dave']),
    ).toMatch(/is not an invite link/);
    expect(await chatIds('dave')).toEqual([]);

    // By the id of a listed room, by a hash-routed link, by the path; the fourth finds it full.
    const listener = cli.start(['listen', '--timeout', '120', '--profile', 'carol']);
    expect(await cli.ok(['open', 'join', room!, '--nickname', '거북이', '--profile', 'bob'])).toBe(
      `Joined "토끼 팬클럽" as 거북이 (${room}).\n`,
    );
    const joined = jsonLines(
      await cli.ok([
        'open',
        'join',
        `https://tokki.example/#/join/${token}`,
        '--nickname',
        ' 별 ',
        '--json',
        '--profile',
        'carol',
      ]),
    );
    expect(joined).toEqual([expect.objectContaining({ id: room, kind: 'open', memberCount: 3 })]);
    const carolSelf = (joined[0] as { selfId: string }).selfId;
    expect(carolSelf).toMatch(/^p_/);
    expect(
      await refused(['open', 'join', `/join/${token}`, '--nickname', 'Dave', '--profile', 'dave']),
    ).toMatch(/GROUP_FULL: .*at most 3 members/);
    expect(await chatIds('dave')).toEqual([]);
    expect(
      await refused(['join', link!, '--profile', 'dave']),
      'a group join of an open chat points to `tokki open join`',
    ).toMatch(/is an open chat: .*`tokki open join \S+ --nickname NAME`/);

    // Talk: every name printed is a nickname of the room.
    await listener.waitFor('stderr', /Listening for updates/);
    await cli.ok(['send', room!, '안녕하세요, 토끼들!', '--profile', 'alice']);
    await cli.ok(['reply', room!, '1', '반가워요', '--profile', 'bob']);
    await cli.ok(['react', room!, '1', 'heart', '--profile', 'bob']);
    await listener.waitFor('stdout', /거북이 reacted heart to #1/);
    const history = await cli.ok(['history', room!, '--profile', 'carol']);
    expect(history).toMatch(
      /#1 .* 당근: 안녕하세요, 토끼들! {2}\[heart 1\]\n#2 .* 거북이: ↪ #1 반가워요\n$/,
    );
    const searched = await cli.ok(['search', '안녕', '--profile', 'carol']);
    expect(searched).toMatch(new RegExp(`^${room}  #1 .* 당근: 안녕하세요, 토끼들!\\n$`));
    const members = await cli.ok(['members', room!, '--profile', 'carol']);
    expect(members.trim().split('\n')).toHaveLength(3);
    expect(members).toMatch(/^p_\w+ {2}당근 +host$/m);
    expect(members).toMatch(/^p_\w+ {2}거북이$/m);
    expect(members).toMatch(new RegExp(`^${carolSelf} {2}별 +\\(you\\)$`, 'm'));
    const memberIds = Object.fromEntries(
      members
        .trim()
        .split('\n')
        .map((line) => line.split(/ +/))
        .map(([id, name]) => [name!, id!]),
    );

    expect(await cli.ok(['open', 'nickname', room!, '느림보', '--profile', 'bob'])).toBe(
      `You are "느림보" in ${room} now.\n`,
    );
    await listener.waitFor('stdout', /거북이 is now known as "느림보"/);
    expect(await cli.ok(['history', room!, '--profile', 'alice'])).toMatch(/느림보: ↪ #1 반가워요/);

    // A plain member removes no one; the host makes co-hosts and removes members, for good.
    expect(await refused(['kick', room!, memberIds['별']!, '--profile', 'bob'])).toMatch(
      /FORBIDDEN/,
    );
    expect(await cli.ok(['admin', room!, memberIds['거북이']!, '--profile', 'alice'])).toBe(
      `느림보 is a co-host of ${room} now.\n`,
    );
    await listener.waitFor('stdout', /당근 made 느림보 a co-host/);
    expect(await cli.ok(['kick', room!, memberIds['별']!, '--profile', 'bob'])).toBe(
      `Removed 별 from ${room}.\n`,
    );
    await listener.waitFor('stdout', /느림보 removed 별/);
    expect(
      await refused(['open', 'join', link!, '--nickname', '별', '--profile', 'carol']),
    ).toMatch(/FORBIDDEN: You were removed/);

    // What Carol saw, live and in history: nicknames, never a name, number or user id.
    listener.child.kill();
    const seen = [history, searched, members, listener.stdout()].join('\n');
    for (const secret of ['Alice', 'Bob', testPhone(401).phone, testPhone(402).phone]) {
      expect(seen).not.toContain(secret);
    }
    expect(seen).not.toMatch(/u_\w+/);
    for (const id of Object.values(ids)) expect(seen).not.toContain(id);
  }, 120_000);

  test('settings by the host and co-hosts; a revoked link no longer works', async () => {
    const { cli } = context;
    const [created] = jsonLines(
      await cli.ok([
        'open',
        'create',
        'Book club',
        '--nickname',
        'Reader',
        '--listed',
        '--json',
        '--profile',
        'alice',
      ]),
    ) as [OpenChatCreated];
    const room: string = created.chat.id;
    await cli.ok(['open', 'join', room, '--nickname', 'Owl', '--profile', 'bob']);

    expect(
      await cli.ok([
        'open',
        'settings',
        room,
        '--unlisted',
        '--limit',
        '10',
        '--description',
        'Monthly',
        '--profile',
        'alice',
      ]),
    ).toBe(`${room}: unlisted (joined by link only), at most 10 members: "Monthly".\n`);
    expect(await refused(['open', 'info', room, '--profile', 'dave'])).toMatch(/NOT_FOUND/);
    expect(await refused(['open', 'settings', room, '--listed', '--profile', 'bob'])).toMatch(
      /FORBIDDEN/,
    );
    expect(await refused(['open', 'settings', room, '--profile', 'alice'])).toMatch(
      /Nothing to change/,
    );
    expect(
      await refused(['open', 'settings', room, '--listed', '--unlisted', '--profile', 'alice']),
    ).toMatch(/not both/);
    expect(await refused(['open', 'settings', room, '--limit', '1', '--profile', 'alice'])).toMatch(
      /Not a number from 2 to 3000/,
    );
    expect(jsonLines(await cli.ok(['open', 'info', room, '--json', '--profile', 'bob']))).toEqual([
      {
        id: room,
        title: 'Book club',
        memberCount: 2,
        description: 'Monthly',
        memberLimit: 10,
        listed: false,
      },
    ]);

    const link = (await cli.ok(['invite', 'create', room, '--profile', 'alice'])).trim();
    expect(await cli.ok(['invite', 'show', link, '--profile', 'dave'])).toBe(
      `Open chat "Book club", 2 members: unlisted (joined by link only), at most 10 members: ` +
        `"Monthly"\nJoin it with: tokki open join ${link.split('/').pop()} --nickname NAME\n`,
    );
    expect(await cli.ok(['invite', 'revoke', room, '--profile', 'alice'])).toBe(
      `The invite link of ${room} no longer works.\n`,
    );
    expect(
      await refused(['open', 'join', link, '--nickname', 'Dave', '--profile', 'dave']),
    ).toMatch(/NOT_FOUND: This open chat link does not work/);
    expect(await refused(['invite', 'show', link, '--profile', 'dave'])).toMatch(/NOT_FOUND/);
    expect(await chatIds('dave')).not.toContain(room);
  }, 60_000);
});

describe('tokki invite, join, members, kick, admin and mute', () => {
  test('a group: joined by link, admins named by the owner, members removed, muted', async () => {
    const { cli } = context;
    const group = (
      await cli.ok([
        'chat',
        'create',
        '--with',
        testPhone(402).phone,
        '--title',
        'Hikers',
        '--profile',
        'alice',
      ])
    ).trim();

    const link = (await cli.ok(['invite', 'create', group, '--profile', 'alice'])).trim();
    expect(link).toMatch(new RegExp(`^${context.server.url}/join/[\\w-]{22}$`));
    expect(await cli.ok(['invite', 'show', link, '--profile', 'carol'])).toMatch(
      /^Group "Hikers", 2 members\nJoin it with: tokki join [\w-]{22}\n$/,
    );
    expect(await refused(['open', 'join', link, '--nickname', 'C', '--profile', 'carol'])).toMatch(
      /This link is for the group "Hikers", not an open chat: .*`tokki join /,
    );
    expect(await cli.ok(['join', link, '--profile', 'carol'])).toBe(
      `Joined "Hikers" (${group}).\n`,
    );
    const members = await cli.ok(['members', group, '--profile', 'carol']);
    expect(members.trim().split('\n')).toHaveLength(3);
    expect(members).toMatch(new RegExp(`^${ids.alice} {2}Alice +owner$`, 'm'));
    expect(members).toMatch(new RegExp(`^${ids.bob} {2}Bob$`, 'm'));
    expect(members).toMatch(new RegExp(`^${ids.carol} {2}Carol +\\(you\\)$`, 'm'));

    // Bob is a plain member: he removes no one and names no admins.
    expect(await refused(['kick', group, ids.carol, '--profile', 'bob'])).toMatch(/FORBIDDEN/);
    expect(await refused(['admin', group, ids.carol, '--profile', 'bob'])).toMatch(/FORBIDDEN/);
    expect(
      (jsonLines(await cli.ok(['members', group, '--json', '--profile', 'bob'])) as Member[]).map(
        (member) => [member.user.id, member.role],
      ),
    ).toEqual(
      expect.arrayContaining([
        [ids.alice, 'owner'],
        [ids.bob, 'member'],
        [ids.carol, 'member'],
      ]),
    );

    expect(await cli.ok(['admin', group, ids.bob, '--profile', 'alice'])).toBe(
      `Bob is an admin of ${group} now.\n`,
    );
    expect(await cli.ok(['kick', group, ids.carol, '--profile', 'bob'])).toBe(
      `Removed Carol from ${group}.\n`,
    );
    expect(await refused(['history', group, '--profile', 'carol'])).toMatch(/NOT_MEMBER/);
    expect(
      jsonLines(
        await cli.ok(['admin', group, ids.bob, '--remove', '--json', '--profile', 'alice']),
      ),
    ).toEqual([{ chatId: group, memberId: ids.bob, role: 'member' }]);

    expect(await cli.ok(['mute', group, '--profile', 'bob'])).toBe(
      `Muted ${group}: no notifications, no unread badge.\n`,
    );
    const muted = () =>
      cli
        .ok(['chats', '--json', '--profile', 'bob'])
        .then((out) => (jsonLines(out) as Chat[]).find((chat) => chat.id === group)!.muted);
    expect(await muted()).toBe(true);
    expect(await cli.ok(['mute', group, '--off', '--profile', 'bob'])).toBe(`Unmuted ${group}.\n`);
    expect(await muted()).toBeUndefined();

    await cli.ok(['invite', 'revoke', group, '--profile', 'alice']);
    expect(await refused(['join', link, '--profile', 'carol'])).toMatch(
      /NOT_FOUND: This invite link does not work/,
    );
    expect(await chatIds('carol')).not.toContain(group);
    expect(await refused(['join', 'https://x/join/', '--profile', 'carol'])).toMatch(
      /is not an invite link/,
    );
  }, 90_000);
});
