import fc from 'fast-check';
import { createTestDatabase, testDialects, type TestDatabase } from '@tokki/dev-env';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { commitBatch, type StepWriter } from '../db/batch.js';
import type { CommandOutcome } from '../db/commands.js';
import { openDatabase, type Database } from '../db/database.js';
import type { SqlRunner } from '../db/sql-runner.js';
import { domainWrites, writeRegistry } from '../write-registry.js';
import { sendManyOnPostgres } from './send-many.js';
import type { SendCommand } from './send-rules.js';
import { sendStep } from './send.js';

/**
 * The two send paths against each other: random batches of sends, run one command at a time by
 * the step (on SQLite, as the write thread runs them) and as one set-based step (on PostgreSQL,
 * as the write queue runs a burst), must answer the same and leave the same rows. Each batch runs
 * on the same seeded world inside a transaction that is rolled back once its state is read.
 */

const USERS = ['u0', 'u1', 'u2', 'u3', 'u4', 'stranger'] as const;
const CHATS = ['direct', 'group', 'blocked', 'open', 'nowhere'] as const;
const CLIENT_MSG_IDS = ['k0', 'k1', 'k2', 'k3'] as const;
const FILES = ['f0', 'f1', 'f2', 'f3', 'missing'] as const;

/**
 * direct: u0 and u1. group: u0, u1, u2 (who joined after message 1), u3 (who left). blocked: a
 * direct chat whose u4 was blocked by u1. open: u0 and u1 as room profiles p0 and p1. Messages 1
 * and 2 of direct and group are stored (k0 by u0, k1 by u1); files: f0 u0's in direct, f1 u1's in
 * group, f2 u0's in group, f3 u0's in open.
 */
async function seed(sql: SqlRunner): Promise<void> {
  for (const id of USERS) {
    await sql.run(
      'insert into users (id, phone, display_name, status_message, created_at) values (?, ?, ?, ?, 0)',
      [id, `+8210${id}`, id, ''],
    );
  }
  const chats: [string, string, string[]][] = [
    ['direct', 'direct', ['u0', 'u1']],
    ['group', 'group', ['u0', 'u1', 'u2', 'u3']],
    ['blocked', 'direct', ['u1', 'u4']],
    ['open', 'open', ['u0', 'u1']],
  ];
  for (const [id, kind, members] of chats) {
    const stored = id === 'direct' || id === 'group' ? 2 : 0;
    await sql.run(
      `insert into chats (id, kind, title, direct_key, last_seq, last_pts, last_activity_at, member_count, created_at)
       values (?, ?, '', null, ?, ?, 0, ?, 0)`,
      [id, kind, stored, stored ? 10 : 1, members.length],
    );
    for (const user of members) {
      await sql.run(
        `insert into chat_members (chat_id, user_id, role, joined_seq, joined_pts, left_pts, read_seq, send_blocked, profile_id, nickname)
         values (?, ?, 'member', ?, 1, ?, 0, ?, ?, ?)`,
        [
          id,
          user,
          id === 'group' && user === 'u2' ? 1 : 0,
          id === 'group' && user === 'u3' ? 5 : null,
          id === 'blocked' && user === 'u4' ? 1 : 0,
          id === 'open' ? `p${user.slice(1)}` : null,
          id === 'open' ? `nick ${user}` : null,
        ],
      );
    }
  }
  for (const chat of ['direct', 'group']) {
    for (const [seq, sender, key] of [
      [1, 'u0', 'k0'],
      [2, 'u1', 'k1'],
    ] as const) {
      await sql.run(
        `insert into messages (chat_id, seq, sender_id, client_msg_id, text, created_at, pts, reply_to_seq, files)
         values (?, ?, ?, ?, ?, 0, ?, null, null)`,
        [chat, seq, sender, key, `stored ${chat} ${seq}`, seq + (chat === 'group' ? 2 : 0)],
      );
    }
  }
  for (const [id, chat, uploader] of [
    ['f0', 'direct', 'u0'],
    ['f1', 'group', 'u1'],
    ['f2', 'group', 'u0'],
    ['f3', 'open', 'u0'],
  ]) {
    await sql.run(
      `insert into files (id, chat_id, uploader_id, upload_id, name, mime, kind, size, sha256,
         original_size, thumb_sha256, thumb_mime, blurhash, width, height, created_at)
       values (?, ?, ?, null, ?, 'application/pdf', 'file', 3, 'x', 3, null, null, null, null, null, 0)`,
      [id, chat, uploader, `${id}.pdf`],
    );
  }
  await sql.run(`update counters set value = 10 where name = 'pts'`, []);
}

const command: fc.Arbitrary<SendCommand> = fc
  .record(
    {
      senderId: fc.constantFrom(...USERS),
      chatId: fc.constantFrom(...CHATS),
      clientMsgId: fc.constantFrom(...CLIENT_MSG_IDS),
      text: fc.constantFrom('안녕', 'hello 토끼', '', 'こんにちは'),
      replyToSeq: fc.constantFrom(1, 2, 3, 99),
      // Mostly one file, which may be the sender's upload to the chat; sometimes several.
      fileIds: fc.oneof(
        fc.constantFrom(...FILES).map((id) => [id]),
        fc.uniqueArray(fc.constantFrom(...FILES), { minLength: 2, maxLength: 3 }),
      ),
    },
    { requiredKeys: ['senderId', 'chatId', 'clientMsgId', 'text'] },
  )
  .map((fields) => ({ kind: 'message.send', ...fields }));

const errorCode = (error: unknown) => (error as { code?: string }).code ?? 'thrown';

/** What a client would see of an outcome: the message, or the error's code. */
const answer = (outcome: CommandOutcome) =>
  outcome.ok ? outcome.value : { error: errorCode(outcome.error) };

/** Every row a send may write, in a fixed order. */
async function state(sql: SqlRunner) {
  return {
    messages: await sql.all('select * from messages order by chat_id, seq', []),
    updates: await sql.all(
      'select pts, chat_id, payload, created_at from chat_updates order by pts',
      [],
    ),
    chats: await sql.all(
      'select id, last_seq, last_pts, last_activity_at from chats order by id',
      [],
    ),
    reads: await sql.all(
      'select chat_id, user_id, read_seq from chat_members order by chat_id, user_id',
      [],
    ),
    pts: await sql.all(`select value from counters where name = 'pts'`, []),
  };
}

type State = Awaited<ReturnType<typeof state>>;

/**
 * Runs jobs as the write queue does (one batch, each job failing alone) on the seeded world,
 * reads the state it would commit, and rolls it all back.
 */
async function inSeededBatch(
  database: Database,
  jobs: ((w: StepWriter) => Promise<unknown>)[],
): Promise<{ outcomes: CommandOutcome[]; state: State }> {
  let seen: State | undefined;
  const { outcomes } = await commitBatch(jobs, {
    dialect: database.dialect,
    hooks: writeRegistry.hooks,
    begin: async () => {
      const trx = await database.db.startTransaction().execute();
      const sql = database.runner(trx);
      await seed(sql);
      return {
        sql,
        commit: async () => {
          seen = await state(sql);
          await trx.rollback().execute();
        },
        rollback: () => trx.rollback().execute(),
      };
    },
    extend: (writer) => writer,
  });
  return { outcomes, state: seen! };
}

const oneByOne = (database: Database, commands: readonly SendCommand[]) =>
  inSeededBatch(
    database,
    commands.map((c) => (w) => sendStep(w, c)),
  );

async function together(database: Database, commands: readonly SendCommand[]) {
  const { outcomes, state } = await inSeededBatch(database, [
    (w) => sendManyOnPostgres(w, commands),
  ]);
  const [step] = outcomes;
  if (!step?.ok) throw step?.error;
  return { outcomes: step.value as CommandOutcome[], state };
}

const postgres = testDialects.filter((dialect) => dialect === 'postgres');

describe.each(postgres)('the send paths, on SQLite and %s', (dialect) => {
  const opened: { test: TestDatabase; database: Database }[] = [];
  let sqlite: Database;
  let pg: Database;

  beforeAll(async () => {
    // Every batch is sent at the same moment, so that timestamps compare equal.
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-12-07T12:00:00Z') });
    for (const which of ['sqlite', dialect] as const) {
      const test = await createTestDatabase(which);
      opened.push({ test, database: await openDatabase(test.url, { writes: domainWrites }) });
    }
    [sqlite, pg] = opened.map((o) => o.database) as [Database, Database];
  });

  afterAll(async () => {
    vi.useRealTimers();
    for (const { test, database } of opened) {
      await database.close();
      await test.drop();
    }
  });

  it('answer the same and store the same for any batch of sends', async () => {
    // What the batches tried came to, so that a generator that stopped producing a case would
    // be noticed rather than pass in silence.
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 12 }), async (commands) => {
        const step = await oneByOne(sqlite, commands);
        const batch = await together(pg, commands);
        expect(batch.outcomes.map(answer)).toEqual(step.outcomes.map(answer));
        expect(batch.state).toEqual(step.state);
        batch.outcomes.forEach((outcome, i) => seen.add(kindOf(commands, i, outcome)));
      }),
      // Random batches may go 200 runs without a case (a send with files needs no reply and
      // only the sender's own uploads), so one batch that reaches every case always runs too.
      { numRuns: 200, examples: [[everyCase]] },
    );
    expect([...seen].sort()).toEqual([
      'FORBIDDEN',
      'NOT_FOUND',
      'NOT_MEMBER',
      'new',
      'new reply',
      'new with files',
      'original',
    ]);
  });
});

/** One batch that comes to each kind of answer, in the order `kindOf` names them. */
const everyCase: SendCommand[] = [
  { senderId: 'u4', chatId: 'blocked', clientMsgId: 'k2', text: '안녕' }, // FORBIDDEN
  { senderId: 'u0', chatId: 'nowhere', clientMsgId: 'k2', text: '안녕' }, // NOT_FOUND
  { senderId: 'stranger', chatId: 'group', clientMsgId: 'k2', text: '안녕' }, // NOT_MEMBER
  { senderId: 'u0', chatId: 'group', clientMsgId: 'k2', text: 'hello 토끼' }, // new
  { senderId: 'u0', chatId: 'direct', clientMsgId: 'k2', text: '안녕', replyToSeq: 1 }, // new reply
  { senderId: 'u0', chatId: 'direct', clientMsgId: 'k3', text: '', fileIds: ['f0'] }, // new with files
  { senderId: 'u0', chatId: 'direct', clientMsgId: 'k0', text: 'こんにちは' }, // original
].map((fields): SendCommand => ({ kind: 'message.send', ...fields }));

function kindOf(commands: readonly SendCommand[], index: number, outcome: CommandOutcome) {
  if (!outcome.ok) return errorCode(outcome.error);
  const c = commands[index]!;
  const message = outcome.value as { clientMsgId: string; text: string; replyToSeq?: number };
  if (message.text !== c.text || c.replyToSeq !== message.replyToSeq) return 'original';
  if (c.replyToSeq !== undefined) return 'new reply';
  return c.fileIds ? 'new with files' : 'new';
}
