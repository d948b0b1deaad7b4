import type BetterSqlite3 from 'better-sqlite3';

/**
 * The format of SQLite's message search index (migration 004, docs/adr/003-search.md), both
 * sides of it: the document a message's text is indexed as, and the FTS5 query for a search.
 *
 * A document is the text's character pairs, lower-case (A–Z only, as SQLite's lower()), each
 * hex-encoded so that the `ascii` tokenizer keeps spaces and punctuation inside a pair; the last
 * character stands alone. "Hi 안녕" → `6869 6920 20ec9588 ec9588eb8595 eb8595`.
 */
export function searchDocument(text: string): string {
  const bytes = Buffer.from(lowerAscii(text), 'utf8');
  const hex = bytes.toString('hex');
  // Where each character starts: every byte but UTF-8 continuation bytes (10xxxxxx).
  const starts: number[] = [];
  for (let i = 0; i < bytes.length; i++) if ((bytes[i]! & 0xc0) !== 0x80) starts.push(i);
  starts.push(bytes.length);
  const pairs: string[] = [];
  for (let k = 0; k + 1 < starts.length; k++) {
    const end = starts[Math.min(k + 2, starts.length - 1)]!;
    pairs.push(hex.slice(starts[k]! * 2, end * 2));
  }
  return pairs.join(' ');
}

/**
 * The FTS5 query for text already folded with `lowerAscii`: all of its pairs, or for one
 * character the pairs it begins (a prefix query: UTF-8 is prefix-free, so exactly those).
 */
export function ftsQuery(folded: string): string {
  const chars = [...folded];
  const hex = (s: string) => Buffer.from(s, 'utf8').toString('hex');
  if (chars.length === 1) return `"${hex(folded)}"*`;
  const pairs = new Set(chars.slice(1).map((char, i) => hex(chars[i]! + char)));
  return [...pairs].map((pair) => `"${pair}"`).join(' ');
}

/** SQLite's lower() without ICU: A–Z only. */
export const lowerAscii = (text: string): string => text.replace(/[A-Z]/g, (c) => c.toLowerCase());

/**
 * Makes `tokki_search_document(text)` available to the triggers of migration 004. Every
 * connection that writes messages needs it (SQL alone would build the pairs in quadratic time:
 * substr() walks UTF-8 from the start).
 */
export function registerSearchFunctions(sqlite: BetterSqlite3.Database): void {
  sqlite.function('tokki_search_document', { deterministic: true }, (text: unknown) =>
    typeof text === 'string' ? searchDocument(text) : null,
  );
}
