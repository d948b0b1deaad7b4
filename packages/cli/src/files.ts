import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream } from 'node:stream/web';
import { pipeline } from 'node:stream/promises';
import { LIMITS } from '@tokki/protocol';
import { TokkiError } from '@tokki/sdk';
import { Upload } from 'tus-js-client';
import type { Profile } from './credentials.js';
import { CliError } from './output.js';

/** Parts sent per PATCH: a dropped connection costs at most one part, then the upload resumes. */
const CHUNK_BYTES = 8 * 1024 * 1024;

/**
 * Uploads a file to a chat through tus (`/v1/uploads`): in parts, resuming from the server's
 * offset after a dropped connection. Resolves with the new file's id; the server sniffs its type.
 */
export async function uploadFile(
  profile: Profile,
  chatId: string,
  path: string,
  onProgress: (sent: number, total: number) => void,
): Promise<string> {
  const size = await fileSize(path);
  if (size > LIMITS.FILE_MAX_BYTES)
    throw new CliError(
      `${path} is larger than the ${LIMITS.FILE_MAX_BYTES / 2 ** 20} MiB a file may be.`,
    );
  return new Promise((resolve, reject) => {
    const upload = new Upload(createReadStream(path), {
      endpoint: `${profile.server}/v1/uploads`,
      uploadSize: size,
      chunkSize: CHUNK_BYTES,
      retryDelays: [0, 1000, 3000, 5000, 10000],
      headers: { authorization: `Bearer ${profile.token}` },
      metadata: { chatId, filename: basename(path) },
      onProgress,
      onError: (error) => reject(uploadError(error)),
      onSuccess: ({ lastResponse }) => {
        const fileId = lastResponse.getHeader('tokki-file-id');
        if (fileId) resolve(fileId);
        else reject(new CliError('The server did not name the uploaded file.'));
      },
    });
    upload.start();
  });
}

/** Streams a file's bytes (through the signed URL `files.get` gave) into `out`; their count. */
export async function downloadTo(profile: Profile, url: string, out: string): Promise<number> {
  let response: Response;
  try {
    response = await fetch(new URL(url, profile.server));
  } catch (error) {
    throw TokkiError.connection(`Could not download from ${profile.server}`, error);
  }
  if (!response.ok || !response.body) {
    const body = (await response.json().catch(() => null)) as { error?: unknown } | null;
    throw TokkiError.fromBody(body?.error, response.status);
  }
  // 'wx': never overwrite a file that is there.
  await pipeline(
    Readable.fromWeb(response.body as ReadableStream),
    createWriteStream(out, { flags: 'wx' }),
  ).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EEXIST') throw new CliError(`${out} exists already; choose another --out.`);
    throw error;
  });
  return (await stat(out)).size;
}

async function fileSize(path: string): Promise<number> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new CliError(`${path} is not a file.`);
    return info.size;
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`Cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? error}.`);
  }
}

/** tus-js-client's error carries the server's answer: turn it into the API's typed error. */
function uploadError(error: Error): Error {
  const response = (error as { originalResponse?: { getStatus(): number; getBody(): string } })
    .originalResponse;
  if (!response) return TokkiError.connection('The upload failed', error);
  let body: { error?: unknown } | null = null;
  try {
    body = JSON.parse(response.getBody()) as { error?: unknown };
  } catch {
    // Not JSON: the status alone.
  }
  return TokkiError.fromBody(body?.error, response.getStatus());
}
