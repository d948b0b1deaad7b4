import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A device token is `<deviceId>.<secret>`; only the secret's SHA-256 is stored. */
export function newDeviceToken(deviceId: string): { token: string; hash: string } {
  const secret = randomBytes(32).toString('base64url');
  return { token: `${deviceId}.${secret}`, hash: sha256(secret) };
}

export function parseDeviceToken(token: string): { deviceId: string; secret: string } | null {
  const dot = token.indexOf('.');
  if (dot <= 0 || dot === token.length - 1) return null;
  return { deviceId: token.slice(0, dot), secret: token.slice(dot + 1) };
}

export function secretMatches(secret: string, hash: string): boolean {
  return hashesEqual(sha256(secret), hash);
}

/** Codes are short, so each is hashed with its own salt and compared in constant time. */
export function hashCode(salt: string, code: string): string {
  return sha256(`${salt}:${code}`);
}

export function codeMatches(salt: string, code: string, hash: string): boolean {
  return hashesEqual(hashCode(salt, code), hash);
}

function hashesEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
