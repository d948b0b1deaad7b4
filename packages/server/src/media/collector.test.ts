import { createHash } from 'node:crypto';
import { readdir, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
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
import { ORPHAN_BLOB_GRACE_MS, UNSENT_UPLOAD_TTL_MS } from './service.js';

const HOUR = 3600 * 1000;

describe.each(testDialects)('the media collector on %s', (dialect) => {
  let s: TestServer;
  const { call, closeSockets } = testClient(() => s);
  let alice: TestUser, bob: TestUser, chat: Chat;
  const media = () => s.server.ctx.media;
  const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
  const bytes = (label: string) => Buffer.from(`${label} ${Math.random()}`);
  const tus = () => ({ authorization: `Bearer ${alice.token}`, 'tus-resumable': '1.0.0' });

  /** A tus upload begun and cut off half-way; its URL. */
  const partialUpload = async (data: Buffer) => {
    const metadata = { chatId: chat.id, filename: 'half.bin', filetype: 'application/pdf' };
    const created = await fetch(`${s.url}/v1/uploads`, {
      method: 'POST',
      headers: {
        ...tus(),
        'upload-length': String(data.length),
        'upload-metadata': Object.entries(metadata)
          .map(([key, value]) => `${key} ${Buffer.from(value).toString('base64')}`)
          .join(','),
      },
    });
    expect(created.status).toBe(201);
    const location = new URL(created.headers.get('location')!, `${s.url}/v1/uploads`);
    const patched = await fetch(location, {
      method: 'PATCH',
      headers: {
        ...tus(),
        'upload-offset': '0',
        'content-type': 'application/offset+octet-stream',
      },
      body: new Uint8Array(data.subarray(0, data.length / 2)),
    });
    expect(patched.status).toBe(204);
    return location;
  };
  const uploadStatus = async (location: URL) =>
    (await fetch(location, { method: 'HEAD', headers: tus() })).status;
  /** A blob no file uses, stored `age` ago. */
  const orphan = async (data: Buffer, age: number) => {
    const { sha256: hash } = await media().blobs.put(Readable.from([data]));
    const path = join(
      s.server.ctx.config.mediaDir,
      'blobs',
      hash.slice(0, 2),
      hash.slice(2, 4),
      hash,
    );
    const then = new Date(Date.now() - age);
    await utimes(path, then, then);
    return hash;
  };

  beforeAll(async () => {
    s = await startTestServer({ dialect });
    [alice, bob] = await signInTestUsers(s.url, ['Alice', 'Bob']);
    chat = await call('chats.createDirect', { userId: bob.userId }, alice);
  });
  afterAll(async () => {
    closeSockets();
    await s?.close();
  });

  it('collects uploads never sent after a day, partial ones too, and blobs no file uses', async () => {
    const unsentBytes = bytes('never sent');
    const sentBytes = bytes('sent');
    const unsent = await uploadTestFile(s.url, alice.token, unsentBytes, {
      chatId: chat.id,
      filename: 'draft.pdf',
      filetype: 'application/pdf',
    });
    const sent = await uploadTestFile(s.url, alice.token, sentBytes, {
      chatId: chat.id,
      filename: 'menu.pdf',
      filetype: 'application/pdf',
    });
    await call(
      'messages.send',
      { chatId: chat.id, clientMsgId: 'c1', text: '', fileIds: [sent] },
      alice,
    );
    const partial = await partialUpload(Buffer.alloc(1000, 7));
    const oldOrphan = await orphan(bytes('old orphan'), ORPHAN_BLOB_GRACE_MS + HOUR);
    const newOrphan = await orphan(bytes('new orphan'), 0);

    // Now: only the blob no file has used for over an hour goes.
    expect(await media().collect(Date.now())).toEqual({
      unsentFiles: 0,
      partialUploads: 0,
      blobs: 1,
    });
    expect(await media().blobs.has(oldOrphan)).toBeUndefined();
    expect(await media().blobs.has(newOrphan)).toBeDefined();
    expect((await call('files.get', { fileId: unsent }, bob)).file.id).toBe(unsent);
    expect(await uploadStatus(partial)).toBe(200);

    // A day later: the unsent upload, its bytes, the partial upload and the other orphan.
    const dayLater = Date.now() + UNSENT_UPLOAD_TTL_MS + HOUR;
    expect(await media().collect(dayLater)).toEqual({
      unsentFiles: 1,
      partialUploads: 1,
      blobs: 1,
    });
    await expect(call('files.get', { fileId: unsent }, alice)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(await media().blobs.has(sha256(unsentBytes))).toBeUndefined();
    expect(await media().blobs.has(newOrphan)).toBeUndefined();
    expect(await uploadStatus(partial)).toBe(404);
    expect(await readdir(media().uploadsDir)).toEqual([]);
    // An unsent upload cannot be sent once collected; the sent file stays, bytes and all.
    await expect(
      call(
        'messages.send',
        { chatId: chat.id, clientMsgId: 'c2', text: '', fileIds: [unsent] },
        alice,
      ),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await call('files.get', { fileId: sent }, bob)).file.id).toBe(sent);
    expect(await media().blobs.has(sha256(sentBytes))).toBe(sentBytes.length);
    // Nothing left to collect.
    expect(await media().collect(dayLater)).toEqual({
      unsentFiles: 0,
      partialUploads: 0,
      blobs: 0,
    });
  });
});
