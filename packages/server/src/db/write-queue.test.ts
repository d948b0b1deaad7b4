import type { Message } from '@tokki/protocol';
import { readFileSync, statSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, testDialects, type TestDatabase } from '@tokki/dev-env';
import { openDatabase, type Database } from './database.js';
import type { Publication } from '../bus/bus.js';
import { Refused } from './batch.js';
import { WriteQueue, type Writer } from './write-queue.js';
import { domainWrites } from '../write-registry.js';

const insertUser = (id: string) => async (w: Writer) => {
  await w.sql.run(
    'insert into users (id, phone, display_name, status_message, created_at) values (?, ?, ?, ?, ?)',
    [id, `+8210${id}`, id, '', w.now],
  );
  return w.nextPts();
};

/** Users a, b and outsider; a and b in chat c. */
async function seedChat(queue: WriteQueue): Promise<void> {
  await queue.run(async (w) => {
    for (const id of ['a', 'b', 'outsider']) await insertUser(id)(w);
    await w.sql.run(
      `insert into chats (id, kind, title, direct_key, last_seq, last_pts, last_activity_at, member_count, created_at)
       values ('c', 'direct', '', 'a:b', 0, 0, 0, 2, 0)`,
      [],
    );
    for (const id of ['a', 'b']) {
      await w.sql.run(
        `insert into chat_members (chat_id, user_id, role, joined_seq, joined_pts, left_pts, read_seq)
         values ('c', ?, 'member', 0, 0, null, 0)`,
        [id],
      );
    }
  });
}

const send = (senderId: string, clientMsgId: string, chatId = 'c') => ({
  kind: 'message.send' as const,
  senderId,
  chatId,
  clientMsgId,
  text: `text of ${clientMsgId}`,
});

describe.each(testDialects)('write queue on %s', (dialect) => {
  let test: TestDatabase;
  let database: Database;

  afterEach(async () => {
    await database?.close();
    await test?.drop();
  });

  const open = async (publish?: (publication: Publication) => void) => {
    test = await createTestDatabase(dialect);
    database = await openDatabase(test.url, { writes: domainWrites });
    return new WriteQueue(database, { publish });
  };

  /** Chat c, and the publications of the queue in the order they were sent. */
  const openWithChat = async () => {
    const published: Publication[] = [];
    const queue = await open((publication) => published.push(publication));
    await seedChat(queue);
    return { queue, published };
  };

  it('commits a burst as one batch, pts in order, publications after commit', async () => {
    const hooked: string[] = [];
    const queue = await open((p) => hooked.push((p.message as { userId: string }).userId));
    const jobs = Array.from({ length: 50 }, (_, i) =>
      queue.run(async (w) => {
        const pts = await insertUser(`u${i}`)(w);
        w.publish('user.update', { userId: `u${i}`, pts, frame: '', at: w.now });
        return pts;
      }),
    );
    const points = await Promise.all(jobs);
    expect(points).toEqual(points.map((_, i) => i + 1));
    expect(hooked).toHaveLength(50);
    const counter = await database.db
      .selectFrom('counters')
      .select('value')
      .where('name', '=', 'pts')
      .executeTakeFirst();
    expect(Number(counter?.value)).toBe(50);
  });

  it('fails a throwing job alone: the rest of its batch commits, its writes do not', async () => {
    const hooked: string[] = [];
    const queue = await open((p) => hooked.push((p.message as { userId: string }).userId));
    const outcomes = await Promise.allSettled(
      ['a', 'b', 'bad', 'c'].map((id) =>
        queue.run(async (w) => {
          await insertUser(id)(w);
          w.publish('user.update', { userId: id, pts: 0, frame: '', at: w.now });
          if (id === 'bad') throw new Error('refused');
          return id;
        }),
      ),
    );
    expect(outcomes.map((o) => o.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    expect(outcomes[2]).toMatchObject({ reason: { message: 'refused' } });
    const users = await database.db.selectFrom('users').select('id').orderBy('id').execute();
    expect(users.map((u) => u.id)).toEqual(['a', 'b', 'c']);
    expect(hooked).toEqual(['a', 'b', 'c']);
  });

  it('lets a job refuse without running the rest of its batch again', async () => {
    const queue = await open();
    let runs = 0;
    const outcomes = await Promise.allSettled([
      queue.run(async (w) => {
        runs += 1;
        return insertUser('kept')(w);
      }),
      queue.run(async () => {
        throw new Refused(new Error('not yours'));
      }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected']);
    expect(outcomes[1]).toMatchObject({ reason: { message: 'not yours' } });
    expect(runs).toBe(1);
    expect(await database.db.selectFrom('users').select('id').execute()).toEqual([{ id: 'kept' }]);
  });

  it('answers a lone failing job with its own error and stores nothing', async () => {
    const queue = await open();
    await expect(
      queue.run(async (w) => {
        await insertUser('x')(w);
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    expect(await database.db.selectFrom('users').selectAll().execute()).toEqual([]);
  });

  it('fails the second of two conflicting writes in one batch, keeping the first', async () => {
    const queue = await open();
    // The same primary key twice: the batch runs again isolated, and only the second fails.
    const outcomes = await Promise.allSettled([
      queue.run(insertUser('same')),
      queue.run(insertUser('same')),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected']);
    expect(await database.db.selectFrom('users').select('id').execute()).toEqual([{ id: 'same' }]);
  });

  it('commits commands in a batch: each stored once, published in pts order before the answer', async () => {
    const { queue, published } = await openWithChat();
    const answeredAfter: number[] = [];
    const sent = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        queue.runCommand<Message>(send(i % 2 ? 'a' : 'b', `m${i}`)).then((message) => {
          answeredAfter.push(published.length);
          return message;
        }),
      ),
    );
    expect(sent.map((m) => m.seq)).toEqual(sent.map((_, i) => i + 1));
    const points = published.map((p) => (p.topic === 'chat.update' ? p.message.pts : -1));
    expect(points).toHaveLength(100);
    expect(points).toEqual([...points].sort((x, y) => x - y));
    // Every answer comes after its own publication.
    answeredAfter.forEach((count, i) => expect(count).toBeGreaterThanOrEqual(i + 1));

    const again = await queue.runCommand<Message>(send('b', 'm0'));
    expect(again).toEqual(sent[0]);
    const rows = await database.db.selectFrom('messages').select('seq').execute();
    expect(rows).toHaveLength(100);
    expect(published).toHaveLength(100);
  });

  it('answers a repeat in the same burst with the first message, stored once', async () => {
    const { queue, published } = await openWithChat();
    const [first, other, repeat] = await Promise.all([
      queue.runCommand<Message>(send('a', 'same')),
      queue.runCommand<Message>(send('b', 'other')),
      queue.runCommand<Message>(send('a', 'same')),
    ]);
    expect(repeat).toEqual(first);
    expect(other.seq).not.toBe(first.seq);
    const rows = await database.db.selectFrom('messages').select('client_msg_id').execute();
    expect(rows.map((r) => r.client_msg_id).sort()).toEqual(['other', 'same']);
    expect(published).toHaveLength(2);
    const reads = await database.db
      .selectFrom('chat_members')
      .select(['user_id', 'read_seq'])
      .orderBy('user_id')
      .execute();
    // Each sender has read up to their own message.
    expect(reads).toEqual([
      { user_id: 'a', read_seq: first.seq },
      { user_id: 'b', read_seq: other.seq },
    ]);
  });

  it('refuses a command alone, with its typed error, and stores nothing of it', async () => {
    const { queue, published } = await openWithChat();
    const outcomes = await Promise.allSettled([
      queue.runCommand(send('a', 'ok-1')),
      queue.runCommand(send('outsider', 'x')),
      queue.runCommand(send('a', 'y', 'no-such-chat')),
      queue.runCommand(send('b', 'ok-2')),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual([
      'fulfilled',
      'rejected',
      'rejected',
      'fulfilled',
    ]);
    expect(outcomes[1]).toMatchObject({ reason: { code: 'NOT_MEMBER' } });
    expect(outcomes[2]).toMatchObject({ reason: { code: 'NOT_FOUND' } });
    const rows = await database.db.selectFrom('messages').select('sender_id').execute();
    expect(rows.map((r) => r.sender_id).sort()).toEqual(['a', 'b']);
    expect(published).toHaveLength(2);
  });

  it('keeps pts in commit order when closures and commands share a burst', async () => {
    const { queue, published } = await openWithChat();
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        i % 3 === 0
          ? queue.run(async (w) => {
              const pts = w.nextPts();
              w.publish('user.update', { userId: 'a', pts, frame: '{}', at: w.now });
              return pts;
            })
          : queue.runCommand(send('a', `m${i}`)).then(() => 0),
      ),
    );
    const points = published.map((p) => ('pts' in p.message ? p.message.pts : -1));
    expect(points).toHaveLength(40);
    expect(new Set(points).size).toBe(40);
    expect(points).toEqual([...points].sort((x, y) => x - y));
    expect(results.filter((pts) => pts > 0)).toHaveLength(14);
  });
});

describe('the SQLite write thread', () => {
  let test: TestDatabase;
  let database: Database;

  afterEach(async () => {
    await database?.close();
    await test?.drop();
  });

  it('is replaced after a crash: the batch it held fails, the next one commits', async () => {
    test = await createTestDatabase('sqlite');
    database = await openDatabase(test.url, { writes: domainWrites });
    const queue = new WriteQueue(database);
    const thread = database.writeThread!;
    await thread.crashForTest();
    // The queue knows nothing of it: the next send goes to a fresh thread.
    await expect(queue.runCommand(send('a', 'm'))).rejects.toMatchObject({ code: 'NOT_FOUND' });

    const settled = queue.runCommand(send('a', 'n')).then(
      () => 'answered',
      (error: Error & { code?: string }) => error.code ?? error.message,
    );
    await new Promise((resolve) => setTimeout(resolve, 1));
    await thread.crashForTest();
    // Either the batch was answered before the crash, or it fails with the thread's error.
    const outcome = await settled;
    expect(outcome === 'NOT_FOUND' || /write thread exited/.test(outcome)).toBe(true);
    // And the thread after that one commits too.
    await expect(queue.runCommand(send('a', 'o'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('starts the WAL over under steady writes, so it cannot grow without end', async () => {
    test = await createTestDatabase('sqlite');
    // Without the checkpoint thread, which would also start it over whenever writes pause.
    database = await openDatabase(test.url, { checkpointThread: false, writes: domainWrites });
    const queue = new WriteQueue(database);
    await seedChat(queue);
    const wal = `${test.url.slice('sqlite:'.length)}-wal`;
    // The WAL header's checkpoint sequence number goes up each time the WAL starts over.
    const restarts = () => readFileSync(wal).readUInt32BE(12);
    const before = restarts();
    const until = performance.now() + 3_000;
    let sent = 0;
    while (performance.now() < until) {
      await Promise.all(
        Array.from({ length: 20 }, () => queue.runCommand(send('a', `m${sent++}`))),
      );
    }
    expect(restarts()).toBeGreaterThan(before);
    expect(statSync(wal).size).toBeLessThanOrEqual(64 * 1024 * 1024);
  });
});
