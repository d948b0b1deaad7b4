import { createHmac } from 'node:crypto';

/**
 * The form a phone number is stored in, for users and contacts alike: HMAC-SHA-256 under a
 * server key kept outside the database. Without the key, a stolen database cannot be reversed
 * by hashing every possible number (there are only about 10^10 of them per country).
 */
export type PhoneHasher = (e164: string) => string;

export function phoneHasher(key: Buffer): PhoneHasher {
  return (e164) => createHmac('sha256', key).update(e164).digest('base64url');
}
