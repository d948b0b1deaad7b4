import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, testDialects, type TestDatabase } from '@tokki/dev-env';
import { openDatabase, type Database } from './database.js';
import { WriteQueue, type Writer } from './write-queue.js';

describe.each(testDialects)('write queue on %s', (dialect) => {
  let test: TestDatabase;
  let database: Database;

  afterEach(async () => {
    await database?.close();
    await test?.drop();
  });

  const open = async () => {
    test = await createTestDatabase(dialect);
    database = await openDatabase(test.url);
    return new WriteQueue(database);
  };

  const insertUser = (id: string) => async (w: Writer) => {
    await w.sql.run(
      'insert into users (id, phone, display_name, status_message, created_at) values (?, ?, ?, ?, ?)',
      [id, `+8210${id}`, id, '', w.now],
    );
    return w.nextPts();
  };

  it('commits a burst as one batch, pts in order, hooks after commit', async () => {
    const queue = await open();
    const hooked: string[] = [];
    const jobs = Array.from({ length: 50 }, (_, i) =>
      queue.run(async (w) => {
        const pts = await insertUser(`u${i}`)(w);
        w.afterCommit(() => hooked.push(`u${i}`));
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
    const queue = await open();
    const hooked: string[] = [];
    const outcomes = await Promise.allSettled(
      ['a', 'b', 'bad', 'c'].map((id) =>
        queue.run(async (w) => {
          await insertUser(id)(w);
          w.afterCommit(() => hooked.push(id));
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
});
