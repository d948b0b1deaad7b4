import { open } from 'node:fs/promises';
import { LIMITS, type Me } from '@tokki/protocol';
import { TokkiError } from '@tokki/sdk';
import type { Profile } from './credentials.js';
import { CliError } from './output.js';

/** A picture read from disk and checked, ready to upload. */
export interface Photo {
  bytes: Uint8Array<ArrayBuffer>;
  /** `image/jpeg`, `image/png`, `image/webp` or `image/gif`. */
  type: string;
}

/**
 * Reads a profile picture. The type comes from the file's first bytes, not its name, so a
 * mislabelled file is sent for what it is; too-large and non-image files are refused before any
 * upload.
 */
export async function readPhoto(path: string): Promise<Photo> {
  let bytes: Uint8Array<ArrayBuffer>;
  let handle;
  try {
    handle = await open(path, 'r');
    const stat = await handle.stat();
    if (stat.isDirectory()) throw new CliError(`Cannot read ${path}: it is a directory.`);
    if (stat.size > LIMITS.PROFILE_PHOTO_MAX_BYTES) throw tooLarge(path, stat.size);
    bytes = await handle.readFile();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CliError(`Cannot read ${path}: no such file.`);
    if (code === 'EACCES') throw new CliError(`Cannot read ${path}: permission denied.`);
    throw error;
  } finally {
    await handle?.close();
  }
  // A file that grew between stat and read.
  if (bytes.length > LIMITS.PROFILE_PHOTO_MAX_BYTES) throw tooLarge(path, bytes.length);
  const type = imageType(bytes);
  if (!type) throw new CliError(`${path} is not a JPEG, PNG, WebP or GIF image.`);
  return { bytes, type };
}

/** The image type by its signature; undefined for anything the server does not take. */
export function imageType(bytes: Uint8Array): string | undefined {
  const starts = (signature: number[], offset = 0) =>
    signature.every((byte, i) => bytes[offset + i] === byte);
  const ascii = (text: string) => [...text].map((char) => char.charCodeAt(0));
  if (starts([0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (starts(ascii('GIF87a')) || starts(ascii('GIF89a'))) return 'image/gif';
  if (starts(ascii('RIFF')) && starts(ascii('WEBP'), 8)) return 'image/webp';
  return undefined;
}

/**
 * `POST /v1/profile/photo` with the picture as the body; the updated profile. Errors are the same
 * `TokkiError`s API calls throw.
 */
export async function uploadProfilePhoto(profile: Profile, photo: Photo): Promise<Me> {
  let status: number;
  let text: string;
  try {
    const response = await fetch(`${profile.server}/v1/profile/photo`, {
      method: 'POST',
      headers: { authorization: `Bearer ${profile.token}`, 'content-type': photo.type },
      body: photo.bytes,
      signal: AbortSignal.timeout(120_000),
    });
    status = response.status;
    text = await response.text();
  } catch (error) {
    throw TokkiError.connection(`Could not upload the photo to ${profile.server}`, error);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new TokkiError('INTERNAL', `Unexpected response to the photo upload (${status})`, {
      status,
      cause: error,
    });
  }
  if (status >= 200 && status < 300) return body as Me;
  throw TokkiError.fromBody((body as { error?: unknown } | null)?.error, status);
}

function tooLarge(path: string, size: number): CliError {
  const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  return new CliError(
    `${path} is ${mib(size)}; profile pictures may be at most ` +
      `${mib(LIMITS.PROFILE_PHOTO_MAX_BYTES)}.`,
  );
}
