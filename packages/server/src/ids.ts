import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * Random, URL-safe, prefixed ids: `u_…` users, `d_…` devices, `c_…` chats, `p_…` profile pictures
 * (served to whoever has the id, so it must not be guessable), `f_…` files, `l_…` link-preview
 * images, `v_…` pending sign-in codes. 80 random bits.
 */
export function newId(prefix: 'u' | 'd' | 'c' | 'p' | 'f' | 'l' | 'v'): string {
  const bytes = randomBytes(16);
  let id = '';
  for (let i = 0; i < 16; i++) id += ALPHABET[bytes[i]! & 31];
  return `${prefix}_${id}`;
}
