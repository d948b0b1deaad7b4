import { isE2eError, readKeyPackage, readMessageHeader, readWelcome } from '@tokki/e2e';
import type { Principal } from '../rpc/route.js';
import type { SecretIdentitiesTable } from '../db/schema.js';
import { ApiError } from '../errors.js';

/**
 * What the server reads of the MLS bytes it is sent, through @tokki/e2e's inspect.ts, as the
 * API's errors: the header of a commit or an application message, and key packages.
 */

/** A handshake's or message's header, its group id as stored (base64). */
interface Header {
  groupId: string;
  epoch: number;
}

function header(bytes: Uint8Array, epoch: number, kind: 'commit' | 'application'): Header {
  let read: ReturnType<typeof readMessageHeader>;
  try {
    read = readMessageHeader(bytes);
  } catch (error) {
    throw invalid(error, 'Not an MLS message.');
  }
  // Application messages are always encrypted; a commit may travel as either.
  if (read.contentType !== kind || (kind === 'application' && read.wireFormat !== 'private'))
    throw new ApiError('SECRET_MESSAGE_INVALID', `Not an MLS ${kind} (${read.contentType}).`);
  if (read.epoch !== epoch)
    throw new ApiError(
      'SECRET_MESSAGE_INVALID',
      `The ${kind} is of epoch ${read.epoch}, not the ${epoch} given.`,
    );
  return { groupId: Buffer.from(read.groupId).toString('base64'), epoch: read.epoch };
}

export const commitHeader = (bytes: Uint8Array, epoch: number) => header(bytes, epoch, 'commit');
export const applicationHeader = (bytes: Uint8Array, epoch: number) =>
  header(bytes, epoch, 'application');

/** Refuses what is not a Welcome of our suite. */
export function checkWelcome(bytes: Uint8Array): void {
  try {
    readWelcome(bytes);
  } catch (error) {
    throw invalid(error, 'Not an MLS Welcome.');
  }
}

/** A key package read and checked: the caller's own device's, under its published identity key. */
export type ReadKeyPackage = (base64: string) => Promise<{ ref: string; data: string }>;

export async function readOwnKeyPackage(
  base64: string,
  principal: Principal,
  identity: SecretIdentitiesTable,
): Promise<{ ref: string; data: string }> {
  const bytes = Buffer.from(base64, 'base64');
  let info: Awaited<ReturnType<typeof readKeyPackage>>;
  try {
    info = await readKeyPackage(bytes);
  } catch (error) {
    if (!isE2eError(error)) throw error;
    throw new ApiError('SECRET_KEY_PACKAGE_INVALID', `A key package was refused: ${error.message}`);
  }
  if (info.userId !== principal.userId || info.deviceId !== principal.deviceId)
    throw new ApiError(
      'SECRET_KEY_PACKAGE_INVALID',
      'A key package of another device: upload only this device\u2019s own.',
    );
  if (Buffer.from(info.signatureKey).toString('base64') !== identity.signature_key)
    throw new ApiError(
      'SECRET_KEY_PACKAGE_INVALID',
      'A key package under another key than this device\u2019s published identity key.',
    );
  return { ref: info.ref, data: bytes.toString('base64') };
}

function invalid(error: unknown, message: string): ApiError {
  if (!isE2eError(error)) throw error;
  return new ApiError('SECRET_MESSAGE_INVALID', `${message} (${error.message})`);
}
