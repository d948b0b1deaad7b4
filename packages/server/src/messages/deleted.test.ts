import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  signInTestUsers,
  startTestServer,
  testClient,
  testDialects,
  uploadTestFile,
  type TestServer,
  type TestUser,
} from '@tokki/dev-env';
import type { Chat } from '@tokki/protocol';
import { searchDocument } from './search-document.js';

/** Deleted means deleted (issue 15): what a deletion for everyone leaves on the server. */
describe.each(testDialects)('a message deleted for everyone on %s', (dialect) => {
  let s: TestServer;
  let next = 1;
  const { call, live, update, updates, closeSockets } = testClient(() => s);
  const send = (user: TestUser, chatId: string, text: string, more: object = {}) =>
    call('messages.send', { chatId, clientMsgId: `m${next++}`, text, ...more }, user).then(
      (r) => r.message,
    );
  const upload = (user: TestUser, chatId: string, data: Buffer, filename: string, type: string) =>
    uploadTestFile(s.url, user.token, data, { chatId, filename, filetype: type });
  const download = (user: TestUser, fileId: string) =>
    fetch(`${s.url}/v1/files/${fileId}`, { headers: { authorization: `Bearer ${user.token}` } });
  const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
  const blobs = () => s.server.ctx.media.blobs;

  let alice: TestUser, bob: TestUser, carol: TestUser, dave: TestUser;
  let direct: Chat, withCarol: Chat;

  beforeAll(async () => {
    s = await startTestServer({ dialect });
    [alice, bob, carol, dave] = await signInTestUsers(s.url, ['Alice', 'Bob', 'Carol', 'Dave']);
    direct = await call('chats.createDirect', { userId: bob.userId }, alice);
    withCarol = await call('chats.createDirect', { userId: carol.userId }, alice);
  });
  afterAll(async () => {
    closeSockets();
    await s?.close();
  });

  it('takes its files with it: 404 to download, gone from history, bytes erased unless a forward uses them', async () => {
    const menu = Buffer.from(`%PDF-1.4 menu ${Math.random()}`);
    const image = await sharp({
      create: { width: 40, height: 30, channels: 3, background: '#3a7' },
    })
      .png()
      .toBuffer();
    const menuId = await upload(alice, direct.id, menu, 'menu.pdf', 'application/pdf');
    const imageId = await upload(alice, direct.id, image, 'cat.png', 'image/png');
    const forwarded = await send(alice, direct.id, 'the menu', { fileIds: [menuId] });
    const album = await send(alice, direct.id, 'a cat', { fileIds: [imageId] });
    const [copy] = (
      await call(
        'messages.forward',
        { chatId: direct.id, seq: forwarded.seq, toChatIds: [withCarol.id], clientMsgId: 'fw1' },
        alice,
      )
    ).messages;
    const copyId = copy!.files![0]!.id;
    // Before: Bob can fetch both, and holds a signed URL.
    const { url } = await call('files.get', { fileId: menuId }, bob);
    expect((await download(bob, menuId)).status).toBe(200);
    const imageInfo = await call('files.get', { fileId: imageId }, bob);
    const imageBlobs = [imageInfo.url, imageInfo.thumbUrl!].map(async (u) =>
      sha256(Buffer.from(await (await fetch(new URL(u, s.url))).arrayBuffer())),
    );
    const [imageSha, thumbSha] = await Promise.all(imageBlobs);
    expect(await blobs().has(imageSha!)).toBeDefined();

    for (const message of [forwarded, album])
      await call(
        'messages.delete',
        { chatId: direct.id, seq: message.seq, forEveryone: true },
        alice,
      );

    // Neither listed nor downloadable, by id or by the URL handed out before.
    for (const fileId of [menuId, imageId]) {
      await expect(call('files.get', { fileId }, bob)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(call('files.get', { fileId }, alice)).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      expect((await download(bob, fileId)).status).toBe(404);
    }
    expect((await fetch(new URL(url, s.url))).status).toBe(404);
    const { messages } = await call('messages.history', { chatId: direct.id }, bob);
    for (const seq of [forwarded.seq, album.seq]) {
      const tombstone = messages.find((m) => m.seq === seq)!;
      expect(tombstone).toMatchObject({ text: '' });
      expect(tombstone.files).toBeUndefined();
    }
    // A deleted file cannot be sent again either.
    await expect(send(alice, direct.id, 'again', { fileIds: [menuId] })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });

    // The image's bytes and its thumbnail's are erased; the menu's stay for the forward.
    expect(await blobs().has(imageSha!)).toBeUndefined();
    expect(await blobs().has(thumbSha!)).toBeUndefined();
    expect(await blobs().has(sha256(menu))).toBe(menu.length);
    const kept = await download(carol, copyId);
    expect(kept.status).toBe(200);
    expect(Buffer.from(await kept.arrayBuffer())).toEqual(menu);
  });

  it('refuses to attach a file that a message already carries', async () => {
    const note = Buffer.from(`note ${Math.random()}`);
    const id = await upload(alice, direct.id, note, 'note.txt', 'text/plain');
    await send(alice, direct.id, 'first', { fileIds: [id] });
    const before = (await call('messages.history', { chatId: direct.id }, alice)).messages.length;
    await expect(send(alice, direct.id, 'second', { fileIds: [id] })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    expect((await call('messages.history', { chatId: direct.id }, alice)).messages.length).toBe(
      before,
    );
  });

  it('leaves neither its text nor its edit in any table, the recent-updates memory or the search index', async () => {
    // Syllables no other message of this suite uses, so that their search grams are theirs alone.
    const original = `첫글 뷁퓉쉛 ${next}`;
    const edited = `고친 휅쮋뙗 ${next}`;
    const group = await call(
      'chats.createGroup',
      { title: 'Secrets', memberIds: [bob.userId, dave.userId] },
      alice,
    );
    const message = await send(alice, group.id, original);
    const reply = await send(bob, group.id, 'what?', { replyToSeq: message.seq });
    await call('messages.react', { chatId: group.id, seq: message.seq, reaction: 'like' }, bob);
    await call('chats.pin', { chatId: group.id, seq: message.seq }, alice);
    await call('messages.edit', { chatId: group.id, seq: message.seq, text: edited }, alice);
    const bobLive = await live(bob);
    // Before the deletion the checks below do see the text, index included: they can tell.
    const before = await textsOnServer(s, [original, edited]);
    expect(before).toContain(`${edited} in messages`);
    expect(before).toContain(`${edited} in chat_updates`);
    expect(before).toContain(`${edited} in recent-updates memory`);
    if (dialect === 'sqlite') expect(before).toContain(`${edited} in message_search_data`);
    expect((await call('messages.search', { query: '휅쮋' }, bob)).messages).toHaveLength(1);

    await call('messages.delete', { chatId: group.id, seq: message.seq, forEveryone: true }, alice);
    await update(bobLive, 'message.deleted', (u) => u.seq === message.seq);

    expect(await textsOnServer(s, [original, edited])).toEqual([]);
    for (const user of [alice, bob, dave]) {
      const difference = await call('updates.getDifference', { pts: 0 }, user);
      const json = JSON.stringify(difference);
      expect(json).not.toContain('뷁퓉');
      expect(json).not.toContain('휅쮋');
    }
    expect(JSON.stringify(updates(bobLive))).not.toContain('휅쮋');
    expect((await call('messages.search', { query: '휅쮋' }, bob)).messages).toEqual([]);
    expect((await call('messages.search', { query: '뷁퓉' }, bob)).messages).toEqual([]);
    // The reply stays, answering a tombstone; the chat's last message says nothing of it.
    const { messages } = await call('messages.get', { chatId: group.id, seqs: [reply.seq] }, dave);
    expect(messages[0]).toMatchObject({ text: 'what?', replyToSeq: message.seq });
  });
});

/**
 * Where the server still holds any of `texts`, as `text in place`: a dump of every column of every
 * table (found in the schema, the search index's own tables included), and the recent-updates
 * memory. SQLite's search index keeps a text as hex-encoded character pairs (search-document.ts),
 * looked for too.
 */
async function textsOnServer(s: TestServer, texts: readonly string[]): Promise<string[]> {
  const { database, updates } = s.server.ctx;
  const tables =
    database.dialect === 'sqlite'
      ? await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(
          database.db,
        )
      : await sql<{ name: string }>`select table_name as name from information_schema.tables
          where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(database.db);
  const dumps = new Map<string, string>();
  for (const { name } of tables.rows) {
    const rows = await sql<Record<string, unknown>>`select * from ${sql.table(name)}`.execute(
      database.db,
    );
    // Bytes (SQLite's index pages, PostgreSQL's bytea) as text, to be searched like the rest.
    const dump = JSON.stringify(rows.rows, (_key, value: unknown) =>
      isSerializedBytes(value) ? Buffer.from(value.data).toString('latin1') : value,
    );
    dumps.set(name, dump);
  }
  dumps.set('recent-updates memory', JSON.stringify(updates.recentUpdates ?? null));
  const found: string[] = [];
  for (const text of texts) {
    // A pair's hex, less its first byte (FTS5 shares a term's prefix with the term before it).
    const grams = searchDocument(text)
      .split(' ')
      .filter((gram) => gram.length >= 12)
      .map((gram) => gram.slice(2));
    for (const [place, dump] of dumps) {
      if (dump.includes(text) || grams.some((gram) => dump.includes(gram)))
        found.push(`${text} in ${place}`);
    }
  }
  return found;
}

/** A Buffer as JSON.stringify hands it to a replacer (after its toJSON). */
const isSerializedBytes = (value: unknown): value is { type: 'Buffer'; data: number[] } =>
  typeof value === 'object' &&
  value !== null &&
  (value as { type?: unknown }).type === 'Buffer' &&
  Array.isArray((value as { data?: unknown }).data);
