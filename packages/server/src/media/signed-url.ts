import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Download tokens for `GET /v1/files/<id>?t=…` and `GET /v1/link-images/<id>?t=…`: an `<img src>`
 * or a download link sends no Authorization header. A token names what it is for (a file, a
 * link-preview image), its id, the user it was issued to and when it expires, signed with the
 * server's media URL key; a file download still checks that this user is a member of the file's
 * chat now, so leaving a chat ends access at once, not at expiry.
 */
export type TokenPurpose = 'file' | 'link-image';

export function signToken(
  key: Buffer,
  purpose: TokenPurpose,
  id: string,
  userId: string,
  expiresAt: number,
): string {
  const expiry = Math.floor(expiresAt / 1000).toString(36);
  return `${expiry}.${userId}.${mac(key, purpose, id, userId, expiry)}`;
}

/** The user the token was issued to, if it is genuine, for this purpose and id, and not expired. */
export function verifyToken(
  key: Buffer,
  purpose: TokenPurpose,
  id: string,
  token: string,
  now: number,
): string | undefined {
  const [expiry, userId, signature, ...rest] = token.split('.');
  if (!expiry || !userId || !signature || rest.length > 0) return undefined;
  const expected = Buffer.from(mac(key, purpose, id, userId, expiry));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  if (parseInt(expiry, 36) * 1000 <= now) return undefined;
  return userId;
}

export const signFileToken = (key: Buffer, fileId: string, userId: string, expiresAt: number) =>
  signToken(key, 'file', fileId, userId, expiresAt);

export const verifyFileToken = (key: Buffer, fileId: string, token: string, now: number) =>
  verifyToken(key, 'file', fileId, token, now);

const mac = (key: Buffer, purpose: TokenPurpose, id: string, userId: string, expiry: string) =>
  createHmac('sha256', key).update(`${purpose}\n${id}\n${userId}\n${expiry}`).digest('base64url');
