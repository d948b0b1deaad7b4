import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isBlurhashValid } from 'blurhash';
import sharp from 'sharp';
import * as tus from 'tus-js-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  signInTestUser,
  startTestServer,
  testClient,
  testDialects,
  type TestServer,
  type TestUser,
} from '@tokki/dev-env';
import { LIMITS, type Chat } from '@tokki/protocol';

const MB = 1024 * 1024;

describe.each(testDialects)('media on %s', (dialect) => {
  let s: TestServer;
  let mediaDir: string;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let chat: Chat;
  let next = 700;
  const { call } = testClient(() => s);
  const bearer = (user: TestUser) => ({ authorization: `Bearer ${user.token}` });

  /** tus creation: POST with Upload-Length and Upload-Metadata (base64 values). */
  const create = (user: TestUser | null, length: number, metadata: Record<string, string>) =>
    fetch(`${s.url}/v1/uploads`, {
      method: 'POST',
      headers: {
        ...(user && bearer(user)),
        'tus-resumable': '1.0.0',
        'upload-length': String(length),
        'upload-metadata': Object.entries(metadata)
          .map(([key, value]) => `${key} ${Buffer.from(value).toString('base64')}`)
          .join(','),
      },
    });
  const uploadUrl = (response: Response) =>
    new URL(response.headers.get('location')!, `${s.url}/v1/uploads`).toString();
  const patch = (
    user: TestUser | null,
    url: string,
    offset: number,
    body: BodyInit | Uint8Array,
    signal?: AbortSignal,
  ) =>
    fetch(url, {
      method: 'PATCH',
      headers: {
        ...(user && bearer(user)),
        'tus-resumable': '1.0.0',
        'upload-offset': String(offset),
        'content-type': 'application/offset+octet-stream',
      },
      body,
      signal,
      duplex: 'half',
    } as RequestInit);
  const head = (user: TestUser | null, url: string) =>
    fetch(url, {
      method: 'HEAD',
      headers: { ...(user && bearer(user)), 'tus-resumable': '1.0.0' },
    });
  /** Creates and completes an upload in one PATCH; the last response. */
  const uploadWhole = async (user: TestUser, data: Buffer, metadata: Record<string, string>) => {
    const created = await create(user, data.length, metadata);
    expect(created.status).toBe(201);
    return patch(user, uploadUrl(created), 0, data);
  };
  const errorOf = async (response: Response) =>
    ((await response.json()) as { error: { code: string; message: string } }).error;
  const download = (user: TestUser, fileId: string, init: RequestInit = {}, query = '') =>
    fetch(`${s.url}/v1/files/${fileId}${query}`, {
      ...init,
      headers: { ...bearer(user), ...(init.headers as Record<string, string>) },
    });
  const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
  /** Every file under the media directory: blobs, partial uploads, temp files. */
  const storedFiles = async () => {
    const entries = await readdir(mediaDir, { recursive: true, withFileTypes: true }).catch(
      () => [],
    );
    return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
  };

  beforeAll(async () => {
    mediaDir = await mkdtemp(join(tmpdir(), 'tokki-media-'));
    s = await startTestServer({ dialect, config: { mediaDir } });
    const newUser = (name: string) => signInTestUser(s.url, next++, { displayName: name });
    [alice, bob, carol] = await Promise.all([newUser('Alice'), newUser('Bob'), newUser('Carol')]);
    chat = await call('chats.createGroup', { title: 'Photos', memberIds: [bob.userId] }, alice);
  });
  afterAll(async () => {
    await s?.close();
    await rm(mediaDir, { recursive: true, force: true });
  });

  it('resumes a 50 MB upload cut off half-way; the download is byte-identical', async () => {
    const data = randomBytes(50 * MB);
    const created = await create(alice, data.length, {
      chatId: chat.id,
      filename: '발표 자료.bin',
      filetype: 'application/octet-stream',
    });
    expect(created.status).toBe(201);
    const url = uploadUrl(created);

    // The connection drops after a little more than half the bytes.
    const cutAt = 26 * MB;
    const abort = new AbortController();
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (sent >= cutAt) {
          abort.abort();
          return;
        }
        const chunk = data.subarray(sent, sent + MB);
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    await expect(patch(alice, url, 0, body, abort.signal)).rejects.toThrow();

    // HEAD says how much arrived (tus may still be flushing: ask until it settles).
    let offset = -1;
    await expect
      .poll(
        async () => {
          const response = await head(alice, url);
          expect(response.status).toBe(200);
          expect(response.headers.get('upload-length')).toBe(String(data.length));
          const now = Number(response.headers.get('upload-offset'));
          const settled = now === offset;
          offset = now;
          return settled;
        },
        { interval: 200, timeout: 10_000 },
      )
      .toBe(true);
    expect(offset).toBeGreaterThan(0);
    expect(offset).toBeLessThanOrEqual(cutAt);

    const finished = await patch(alice, url, offset, data.subarray(offset));
    expect(finished.status).toBe(204);
    expect(finished.headers.get('upload-offset')).toBe(String(data.length));
    const fileId = finished.headers.get('tokki-file-id')!;
    expect(fileId).toMatch(/^f_/);
    // A HEAD after completion still answers, and names the file.
    const after = await head(alice, url);
    expect(after.headers.get('upload-offset')).toBe(String(data.length));
    expect(after.headers.get('tokki-file-id')).toBe(fileId);

    // Bob, another member, downloads it, streamed and hashed as it comes.
    const { file } = await call('files.get', { fileId }, bob);
    expect(file).toMatchObject({
      id: fileId,
      chatId: chat.id,
      name: '발표 자료.bin',
      size: data.length,
      kind: 'file',
      mime: 'application/octet-stream',
    });
    const response = await download(bob, fileId);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBe(String(data.length));
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="__ __.bin"; filename*=UTF-8''${encodeURIComponent('발표 자료.bin')}`,
    );
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const hash = createHash('sha256');
    hash.update(new Uint8Array(await response.arrayBuffer()));
    expect(hash.digest('hex')).toBe(sha256(data));

    // Ranges: a resumed download, the last bytes, and one past the end.
    const middle = await download(bob, fileId, { headers: { range: 'bytes=1000-1999' } });
    expect(middle.status).toBe(206);
    expect(middle.headers.get('content-range')).toBe(`bytes 1000-1999/${data.length}`);
    expect(Buffer.from(await middle.arrayBuffer())).toEqual(data.subarray(1000, 2000));
    const tail = await download(bob, fileId, { headers: { range: 'bytes=-10' } });
    expect(Buffer.from(await tail.arrayBuffer())).toEqual(data.subarray(data.length - 10));
    const beyond = await download(bob, fileId, { headers: { range: `bytes=${data.length}-` } });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe(`bytes */${data.length}`);

    // Carol is not in the chat: the same answer as for a file that does not exist.
    for (const id of [fileId, 'f_doesnotexist0000']) {
      await expect(call('files.get', { fileId: id }, carol)).rejects.toMatchObject({
        status: 404,
        code: 'NOT_FOUND',
      });
      const refused = await download(carol, id);
      expect(refused.status).toBe(404);
      expect((await errorOf(refused)).code).toBe('NOT_FOUND');
    }
  }, 120_000);

  it('serves a photo to the other member re-encoded without EXIF, with a thumbnail and placeholder', async () => {
    const photo = await sharp({
      create: { width: 1600, height: 1200, channels: 3, background: '#3a7' },
    })
      .composite([
        { input: { create: { width: 400, height: 300, channels: 3, background: '#f40' } } },
      ])
      .jpeg()
      .withExif({
        IFD0: { Artist: 'Alice', Make: 'Tokki' },
        IFD3: {
          GPSLatitudeRef: 'N',
          GPSLatitude: '37/1 33/1 59/1',
          GPSLongitudeRef: 'E',
          GPSLongitude: '126/1 58/1 41/1',
        },
      })
      .toBuffer();
    expect((await sharp(photo).metadata()).exif).toBeDefined();

    // The standard client (tus-js-client), as an app would use it.
    const fileId = await new Promise<string>((resolve, reject) => {
      const upload = new tus.Upload(photo, {
        endpoint: `${s.url}/v1/uploads`,
        headers: bearer(alice),
        metadata: { chatId: chat.id, filename: 'seoul.jpg', filetype: 'image/jpeg' },
        storeFingerprintForResuming: false,
        retryDelays: [],
        onError: reject,
        onSuccess: ({ lastResponse }) => resolve(lastResponse.getHeader('tokki-file-id')!),
      });
      upload.start();
    });

    const result = await call('files.get', { fileId }, bob);
    expect(result.file).toMatchObject({
      name: 'seoul.jpg',
      mime: 'image/jpeg',
      kind: 'image',
      width: 1600,
      height: 1200,
    });
    expect(isBlurhashValid(result.file.blurhash!).result).toBe(true);
    expect(result.expiresAt).toBeGreaterThan(Date.now());

    const full = await download(bob, fileId);
    expect(full.headers.get('content-type')).toBe('image/jpeg');
    expect(full.headers.get('content-disposition')).toMatch(/^inline; /);
    const served = Buffer.from(await full.arrayBuffer());
    expect(served.length).toBe(result.file.size);
    const metadata = await sharp(served).metadata();
    expect(metadata).toMatchObject({ format: 'jpeg', width: 1600, height: 1200 });
    expect(metadata.exif).toBeUndefined();
    expect(metadata.xmp).toBeUndefined();
    expect(metadata.iptc).toBeUndefined();
    // Not the original bytes, and no trace of the position or the camera in them.
    expect(served.includes(Buffer.from('Tokki'))).toBe(false);
    expect(served.includes(Buffer.from('Exif'))).toBe(false);

    // The signed URLs work with no header at all, as an <img src> would fetch them.
    const thumb = await fetch(new URL(result.thumbUrl!, s.url));
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toBe('image/webp');
    const thumbMeta = await sharp(Buffer.from(await thumb.arrayBuffer())).metadata();
    expect(thumbMeta).toMatchObject({ format: 'webp', width: 320, height: 240 });
    expect(thumbMeta.exif).toBeUndefined();
    expect((await fetch(new URL(result.url, s.url))).status).toBe(200);

    // A token is for one file and one user, and a tampered one is refused.
    const forged = new URL(result.url, s.url);
    forged.searchParams.set(
      't',
      forged.searchParams.get('t')!.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')),
    );
    expect((await fetch(forged)).status).toBe(401);
    const otherFile = new URL(result.url.replace(fileId, 'f_doesnotexist0000'), s.url);
    expect((await fetch(otherFile)).status).toBe(401);
  });

  it('refuses bad uploads with clear errors, keeps nothing, and stays up', async () => {
    const before = await storedFiles();
    const jpeg = await sharp({
      create: { width: 640, height: 480, channels: 3, background: '#09c' },
    })
      .jpeg()
      .toBuffer();

    // Too large: refused at creation, before a single byte.
    const tooLarge = await create(alice, LIMITS.FILE_MAX_BYTES + 1, {
      chatId: chat.id,
      filename: 'movie.mp4',
    });
    expect(tooLarge.status).toBe(413);
    expect((await errorOf(tooLarge)).code).toBe('PAYLOAD_TOO_LARGE');

    // A chat the caller is not in, one that does not exist, and missing metadata.
    const notMine = await create(carol, 10, { chatId: chat.id, filename: 'a.txt' });
    expect(notMine.status).toBe(403);
    expect(await errorOf(notMine)).toMatchObject({ code: 'NOT_MEMBER' });
    const noChat = await create(alice, 10, { chatId: 'c_nosuchchat000000', filename: 'a.txt' });
    expect(noChat.status).toBe(404);
    const noName = await create(alice, 10, { chatId: chat.id });
    expect(noName.status).toBe(400);
    expect((await errorOf(noName)).message).toMatch(/name/);
    const badName = await create(alice, 10, { chatId: chat.id, filename: '../../etc/passwd' });
    expect(badName.status).toBe(400);
    const badType = await create(alice, 10, { chatId: chat.id, filename: 'a', filetype: 'jpeg' });
    expect(badType.status).toBe(400);
    const empty = await create(alice, 0, { chatId: chat.id, filename: 'empty.txt' });
    expect(empty.status).toBe(400);

    // No token, or a wrong one: nothing reaches tus, downloads included.
    expect((await create(null, 10, { chatId: chat.id, filename: 'a.txt' })).status).toBe(401);
    const forged = { ...alice, token: alice.token.replace(/.$/, (c) => (c === 'a' ? 'b' : 'a')) };
    expect((await create(forged, 10, { chatId: chat.id, filename: 'a.txt' })).status).toBe(401);

    // Someone else's upload: neither readable nor writable, and it stays as it was.
    const created = await create(alice, 100, { chatId: chat.id, filename: 'notes.txt' });
    const url = uploadUrl(created);
    expect((await patch(alice, url, 0, Buffer.alloc(40, 'a'))).status).toBe(204);
    expect((await head(carol, url)).status).toBe(404);
    expect((await head(bob, url)).status).toBe(404);
    const hijack = await patch(carol, url, 40, Buffer.alloc(60, 'x'));
    expect(hijack.status).toBe(404);
    expect((await patch(null, url, 40, Buffer.alloc(60, 'x'))).status).toBe(401);
    expect((await head(null, url)).status).toBe(401);
    const mine = await head(alice, url);
    expect(mine.headers.get('upload-offset')).toBe('40');
    const wrongOffset = await patch(alice, url, 10, Buffer.alloc(90, 'a'));
    expect(wrongOffset.status).toBe(409);
    expect((await errorOf(wrongOffset)).code).toBe('CONFLICT');
    // Abandoned: DELETE (tus termination) removes it.
    const deleted = await fetch(url, {
      method: 'DELETE',
      headers: { ...bearer(alice), 'tus-resumable': '1.0.0' },
    });
    expect(deleted.status).toBe(204);
    expect((await head(alice, url)).status).toBe(404);

    // A truncated JPEG: the last PATCH fails with a clear error, and nothing is kept.
    const truncated = jpeg.subarray(0, Math.floor(jpeg.length / 2));
    const corruptUpload = await create(alice, truncated.length, {
      chatId: chat.id,
      filename: 'broken.jpg',
      filetype: 'image/jpeg',
    });
    const corruptUrl = uploadUrl(corruptUpload);
    const corrupt = await patch(alice, corruptUrl, 0, truncated);
    expect(corrupt.status).toBe(400);
    expect(await errorOf(corrupt)).toMatchObject({
      code: 'INVALID_PARAMS',
      message: expect.stringMatching(/corrupt/),
    });
    expect((await head(alice, corruptUrl)).status).toBe(404);

    expect(await storedFiles()).toEqual(before);
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
  });

  it('goes by the bytes, not the declared type, and stores the same bytes once', async () => {
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n%%EOF\n');
    const asImage = await uploadWhole(alice, pdf, {
      chatId: chat.id,
      filename: 'cat.jpg',
      filetype: 'image/jpeg',
    });
    expect(asImage.status).toBe(204);
    const pdfFile = (await call('files.get', { fileId: asImage.headers.get('tokki-file-id') }, bob))
      .file;
    expect(pdfFile).toMatchObject({ kind: 'file', mime: 'application/pdf', size: pdf.length });
    expect(pdfFile.blurhash).toBeUndefined();
    const served = await download(bob, pdfFile.id);
    expect(served.headers.get('content-type')).toBe('application/pdf');
    expect(served.headers.get('content-disposition')).toMatch(/^attachment; /);
    expect(Buffer.from(await served.arrayBuffer())).toEqual(pdf);

    // A PNG said to be text is an image; a text file keeps its textual type.
    const png = await sharp({ create: { width: 10, height: 20, channels: 4, background: '#0000' } })
      .png()
      .toBuffer();
    const asText = await uploadWhole(alice, png, {
      chatId: chat.id,
      filename: 'dot.txt',
      filetype: 'text/plain',
    });
    const pngFile = (
      await call('files.get', { fileId: asText.headers.get('tokki-file-id') }, alice)
    ).file;
    expect(pngFile).toMatchObject({ kind: 'image', mime: 'image/png', width: 10, height: 20 });
    const notes = await uploadWhole(alice, Buffer.from('안녕하세요\n'), {
      chatId: chat.id,
      filename: 'notes.txt',
      filetype: 'text/plain',
    });
    const notesFile = (await call('files.get', { fileId: notes.headers.get('tokki-file-id') }, bob))
      .file;
    expect(notesFile).toMatchObject({ kind: 'file', mime: 'text/plain' });

    // The same PDF again: a second file, one blob.
    const blobsBefore = await storedFiles();
    const again = await uploadWhole(bob, pdf, { chatId: chat.id, filename: 'again.pdf' });
    expect(again.headers.get('tokki-file-id')).not.toBe(pdfFile.id);
    expect(await storedFiles()).toEqual(blobsBefore);

    // Bob leaves: his link stops working at once, not when it expires.
    const { url } = await call('files.get', { fileId: pdfFile.id }, bob);
    expect((await fetch(new URL(url, s.url))).status).toBe(200);
    await call('chats.leave', { chatId: chat.id }, bob);
    expect((await fetch(new URL(url, s.url))).status).toBe(404);
    expect((await download(bob, pdfFile.id)).status).toBe(404);
  });
});
