import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Download tokens for `GET /v1/files/<id>?t=…`: an `<img src>` or a download link sends no
 * Authorization header. A token names the file, the user it was issued to and when it expires,
 * signed with the server's media URL key; the download still checks that this user is a
 * member of the file's chat now, so leaving a chat ends access at once, not at expiry.
 */
export function signFileToken(key: Buffer, fileId: string, userId: string, expiresAt: number) {
  const expiry = Math.floor(expiresAt / 1000).toString(36);
  return `${expiry}.${userId}.${mac(key, fileId, userId, expiry)}`;
}

/** The user the token was issued to, if it is genuine, for this file and not expired. */
export function verifyFileToken(
  key: Buffer,
  fileId: string,
  token: string,
  now: number,
): string | undefined {
  const [expiry, userId, signature, ...rest] = token.split('.');
  if (!expiry || !userId || !signature || rest.length > 0) return undefined;
  const expected = Buffer.from(mac(key, fileId, userId, expiry));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  if (parseInt(expiry, 36) * 1000 <= now) return undefined;
  return userId;
}

const mac = (key: Buffer, fileId: string, userId: string, expiry: string) =>
  createHmac('sha256', key).update(`file\n${fileId}\n${userId}\n${expiry}`).digest('base64url');
