import { ApiError } from '../errors.js';

/** Opaque keyset cursors: base64url JSON, so clients cannot mistake them for offsets. */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeCursor<T>(cursor: string, isValid: (value: unknown) => value is T): T {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  if (!isValid(value)) throw new ApiError('INVALID_PARAMS', 'Malformed cursor.');
  return value;
}

/**
 * The page out of rows fetched with `limit + 1` (the extra row only tells that more follow), and
 * the cursor after its last row, null on the last page.
 */
export function keysetPage<Row>(
  rows: Row[],
  limit: number,
  keyOf: (row: Row) => unknown,
): { page: Row[]; cursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    page,
    cursor: rows.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : null,
  };
}
