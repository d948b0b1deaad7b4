import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, testDialects, type TestDatabase } from '@tokki/dev-env';
import type { Publication } from '../bus/bus.js';
import { Refused } from '../db/batch.js';
import { openDatabase, type Database } from '../db/database.js';
import { WriteQueue, type Writer } from '../db/write-queue.js';
import type { Message } from '@tokki/protocol';
import type { CommandOutcome } from '../db/commands.js';
import { domainWrites } from '../write-registry.js';
import { sendManyOnPostgres } from './send-many.js';
import type { SendCommand } from './send-rules.js';
import { sendStep } from './send.js';

const postgres = testDialects.filter((dialect) => dialect === 'postgres');

/** Users a, b, c, gone, barred; chats ab, ac, bc; gone left ab; barred is blocked in ac. */
async function seed(w: Writer): Promise<void> {
  for (const id of ['a', 'b', 'c', 'gone', 'barred']) {
    await w.sql.run(
      'insert into users (id, phone, display_name, status_message, created_at) values (?, ?, ?, ?, 0)',
      [id, `+8210${id}`, id, ''],
    );
  }
  const members: Record<string, string[]> = {
    ab: ['a', 'b', 'gone'],
    ac: ['a', 'c', 'barred'],
    bc: ['b', 'c'],
  };
  for (const [chat, ids] of Object.entries(members)) {
    await w.sql.run(
      `insert into chats (id, kind, title, direct_key, last_seq, last_pts, last_activity_at, member_count, created_at)
       values (?, 'group', '', null, 0, 0, 0, ?, 0)`,
      [chat, ids.length],
    );
    for (const id of ids) {
      await w.sql.run(
        `insert into chat_members (chat_id, user_id, role, joined_seq, joined_pts, left_pts, read_seq, send_blocked)
         values (?, ?, 'member', 0, 0, ?, 0, ?)`,
        [chat, id, id === 'gone' ? 1 : null, id === 'barred' ? 1 : 0],
      );
    }
  }
}

/** A file `a` uploaded to `ab`, for sends that carry one. */
async function seedFile(w: Writer): Promise<void> {
  await w.sql.run(
    `insert into files (id, chat_id, uploader_id, upload_id, name, mime, kind, size, sha256,
       original_size, thumb_sha256, thumb_mime, blurhash, width, height, created_at)
     values ('f_a', 'ab', 'a', null, 'a.pdf', 'application/pdf', 'file', 3, 'x', 3, null, null, null, null, null, 0)`,
    [],
  );
}

const send = (senderId: string, chatId: string, clientMsgId: string): SendCommand => ({
  kind: 'message.send',
  senderId,
  chatId,
  clientMsgId,
  text: `${senderId} in ${chatId}: ${clientMsgId} 토끼`,
});

describe.each(postgres)('sends together on %s', (dialect) => {
  const opened: { test: TestDatabase; database: Database }[] = [];

  afterEach(async () => {
    vi.useRealTimers();
    for (const { test, database } of opened.splice(0)) {
      await database.close();
      await test.drop();
    }
  });

  const open = async () => {
    // Both databases get the same timestamps, so that their rows compare equal.
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-11-21T12:00:00Z') });
    const test = await createTestDatabase(dialect);
    const database = await openDatabase(test.url, { writes: domainWrites });
    opened.push({ test, database });
    const queue = new WriteQueue(database);
    await queue.run(seed);
    await queue.run(seedFile);
    // One message already stored, which a repeat in the batch must answer.
    await queue.run((w) => sendStep(w, send('a', 'ab', 'stored')));
    return { database, queue };
  };

  const state = async (database: Database) => ({
    messages: await database.db
      .selectFrom('messages')
      .selectAll()
      .orderBy(['chat_id', 'seq'])
      .execute(),
    updates: await database.db.selectFrom('chat_updates').selectAll().orderBy('pts').execute(),
    chats: await database.db
      .selectFrom('chats')
      .select(['id', 'last_seq', 'last_pts'])
      .orderBy('id')
      .execute(),
    reads: await database.db
      .selectFrom('chat_members')
      .select(['chat_id', 'user_id', 'read_seq'])
      .orderBy(['chat_id', 'user_id'])
      .execute(),
    pts: await database.db.selectFrom('counters').selectAll().orderBy('name').execute(),
  });

  it('stores and answers exactly what sending one by one does', async () => {
    const commands = [
      send('a', 'ab', 'm1'),
      send('b', 'ab', 'm2'),
      send('gone', 'ab', 'left'), // a member once: NOT_MEMBER
      send('a', 'nowhere', 'x'), // NOT_FOUND
      send('c', 'ab', 'never'), // NOT_MEMBER
      send('a', 'ab', 'stored'), // stored before: the original
      send('a', 'ac', 'm3'),
      send('a', 'ab', 'm1'), // earlier in this batch: the first
      send('c', 'bc', 'm4'),
      send('a', 'ab', 'm5'),
      send('b', 'bc', 'm6'),
      send('c', 'ac', 'm7'),
      send('barred', 'ac', 'nope'), // blocked by the other member: FORBIDDEN
      { ...send('b', 'ab', 'r1'), replyToSeq: 1 }, // a reply to the stored message
      { ...send('c', 'bc', 'r2'), replyToSeq: 99 }, // to no message: NOT_FOUND
      { ...send('a', 'ab', 'file'), fileIds: ['f_a'] }, // a's upload to ab
      { ...send('b', 'ab', 'not-his'), fileIds: ['f_a'] }, // someone else's: NOT_FOUND
      { ...send('a', 'ab', 'm1'), replyToSeq: 99 }, // a repeat: the first, whatever it answers
      { ...send('a', 'ab', 'm5'), fileIds: ['f_none'] }, // a repeat: the first, whatever it carries
      { ...send('c', 'bc', 'r3'), replyToSeq: 2 }, // to m6, sent earlier in this batch
    ];
    const answer = (r: CommandOutcome) =>
      r.ok ? r.value : { error: (r.error as { code?: string }).code };

    const oneByOne = await open();
    const expected = await oneByOne.queue.run(async (w) => {
      const results: CommandOutcome[] = [];
      for (const command of commands) {
        results.push(
          await sendStep(w, command).then(
            (value): CommandOutcome => ({ ok: true, value }),
            (error: unknown): CommandOutcome => ({
              ok: false,
              error: error instanceof Refused ? error.reason : error,
            }),
          ),
        );
      }
      return results;
    });

    const together = await open();
    const actual = await together.queue.run((w) => sendManyOnPostgres(w, commands));

    expect(actual.map(answer)).toEqual(expected.map(answer));
    expect(actual.filter((r) => !r.ok)).toHaveLength(6);
    expect(await state(together.database)).toEqual(await state(oneByOne.database));
  });

  it('is how the write queue sends a burst on PostgreSQL', async () => {
    const { database } = await open();
    // Counts the statements that store messages, on the connection the queue writes with.
    let inserts = 0;
    const counted: Database = {
      ...database,
      runner: (trx) => {
        const runner = database.runner(trx);
        return {
          ...runner,
          run: (sql, params) => {
            if (sql.includes('insert into messages')) inserts += 1;
            return runner.run(sql, params);
          },
        };
      },
    };
    const queue = new WriteQueue(counted);
    const sent = await Promise.all(
      Array.from({ length: 10 }, (_, i) => queue.runCommand<Message>(send('b', 'bc', `m${i}`))),
    );
    expect(sent.map((m) => m.seq)).toEqual(sent.map((_, i) => i + 1));
    expect(inserts).toBe(1);
  });

  it('publishes a burst whose first send is refused', async () => {
    const { database } = await open();
    const published: Publication[] = [];
    const queue = new WriteQueue(database, { publish: (p) => published.push(p) });
    const outcomes = await Promise.allSettled([
      queue.runCommand<Message>(send('c', 'ab', 'not a member')),
      queue.runCommand<Message>(send('b', 'bc', 'one')),
      queue.runCommand<Message>(send('c', 'bc', 'two')),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
    expect(published.map((p) => p.topic)).toEqual(['chat.update', 'chat.update']);
  });

  it('falls back to sending one by one when the set-based step fails', async () => {
    const { database } = await open();
    // The set-based insert always fails here (as a unique-key race with another node would).
    const failing: Database = {
      ...database,
      runner: (trx) => {
        const runner = database.runner(trx);
        return {
          ...runner,
          run: (sql, params) =>
            sql.includes('insert into messages') && sql.includes('unnest')
              ? Promise.reject(new Error('simulated conflict'))
              : runner.run(sql, params),
        };
      },
    };
    const queue = new WriteQueue(failing);
    const sent = await Promise.all(
      ['one', 'two', 'three'].map((id) => queue.runCommand<Message>(send('b', 'bc', id))),
    );
    expect(sent.map((m) => m.seq)).toEqual([1, 2, 3]);
    const rows = await database.db.selectFrom('messages').select('chat_id').execute();
    expect(rows.filter((r) => r.chat_id === 'bc')).toHaveLength(3);
  });
});
