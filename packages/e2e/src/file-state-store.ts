// The CLI's encrypted state (ADR 008): `<name>.state` holds AES-256-GCM ciphertext under the
// random key in `<name>.key`; both files are 0600 in a 0700 directory (for example under
// $TOKKI_HOME). Node only: exported from `@tokki/e2e/node`.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { E2eError } from './errors.js';
import {
  buildStateEnvelope,
  checkStateBytes,
  checkStateName,
  parseStateEnvelope,
  stateAssociatedData,
  STATE_IV_BYTES,
  STATE_TAG_BYTES,
  type SecretStateStore,
} from './state-store.js';

const KEY_BYTES = 32;

/**
 * A state store in files under `directory` (created 0700 if missing).
 * @example const store = fileStateStore(join(tokkiHome, 'secret'), { name: 'device' });
 */
export function fileStateStore(
  directory: string,
  options: { name?: string } = {},
): SecretStateStore {
  const name = checkStateName(options.name ?? 'state');
  const statePath = join(directory, `${name}.state`);
  const keyPath = join(directory, `${name}.key`);
  const associatedData = stateAssociatedData(name);

  async function readKey(create: boolean): Promise<Buffer | undefined> {
    const existing = await readIfExists(keyPath);
    if (existing !== undefined) {
      if (existing.length !== KEY_BYTES) {
        throw new E2eError('MALFORMED', `the state key file ${keyPath} is not a key`);
      }
      return existing;
    }
    if (!create) return undefined;
    // Created whole or not at all: a temp file linked into place, which fails if another save
    // made the key first (then that key is used).
    const key = randomBytes(KEY_BYTES);
    const temp = await writeTemp(directory, name, key);
    try {
      await link(temp, keyPath);
      await syncDirectory(directory);
    } catch (error) {
      if (!isCode(error, 'EEXIST')) throw error;
    } finally {
      await unlink(temp);
    }
    return readKey(false);
  }

  return {
    async load() {
      const envelope = await readIfExists(statePath);
      if (envelope === undefined) return undefined;
      const key = await readKey(false);
      if (key === undefined) {
        throw new E2eError(
          'TAMPERED',
          `the state key ${keyPath} is missing: the state cannot be read`,
        );
      }
      const { iv, sealed } = parseStateEnvelope(envelope);
      const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: STATE_TAG_BYTES });
      decipher.setAAD(associatedData);
      decipher.setAuthTag(sealed.subarray(sealed.length - STATE_TAG_BYTES));
      try {
        const plain = Buffer.concat([
          decipher.update(sealed.subarray(0, sealed.length - STATE_TAG_BYTES)),
          decipher.final(),
        ]);
        return new Uint8Array(plain.buffer, plain.byteOffset, plain.length);
      } catch (error) {
        throw new E2eError('TAMPERED', 'the saved state failed authentication', { cause: error });
      }
    },

    async save(bytes) {
      checkStateBytes(bytes);
      await mkdir(directory, { recursive: true, mode: 0o700 });
      const key = (await readKey(true)) as Buffer;
      const iv = randomBytes(STATE_IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: STATE_TAG_BYTES });
      cipher.setAAD(associatedData);
      const sealed = Buffer.concat([cipher.update(bytes), cipher.final(), cipher.getAuthTag()]);
      const temp = await writeTemp(directory, name, buildStateEnvelope(iv, sealed));
      try {
        await rename(temp, statePath);
      } catch (error) {
        await unlink(temp).catch(() => undefined);
        throw error;
      }
      await syncDirectory(directory);
    },

    async clear() {
      // The key goes too: without it no copy of the ciphertext (a backup, a free block) opens.
      await unlinkIfExists(statePath);
      await unlinkIfExists(keyPath);
      await syncDirectory(directory).catch((error: unknown) => {
        if (!isCode(error, 'ENOENT')) throw error;
      });
    },
  };
}

/** A new 0600 file with `bytes`, flushed to disk; the caller renames or links it into place. */
async function writeTemp(directory: string, name: string, bytes: Uint8Array): Promise<string> {
  const path = join(directory, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(
    path,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0),
    0o600,
  );
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(path).catch(() => undefined);
    throw error;
  }
  await handle.close();
  return path;
}

/** A rename or link is durable only once the directory entry itself is flushed. */
async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, constants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function readIfExists(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    if (isCode(error, 'ENOENT')) return undefined;
    throw error;
  }
}

async function unlinkIfExists(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (error) {
    if (!isCode(error, 'ENOENT')) throw error;
  }
}

function isCode(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}
