import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ftsQuery, lowerAscii, searchDocument } from './search-document.js';

/** What FTS5 does with the query: every quoted token in the document, a `"…"*` as a prefix. */
function matches(document: string, query: string): boolean {
  const tokens = document.split(' ');
  return [...query.matchAll(/"([0-9a-f]+)"(\*?)/g)].every(([, token, star]) =>
    tokens.some((t) => (star ? t.startsWith(token!) : t === token)),
  );
}

describe('search documents', () => {
  it('are the hex-encoded pairs, the last character alone', () => {
    expect(searchDocument('Hi 안녕')).toBe('6869 6920 20ec9588 ec9588eb8595 eb8595');
    expect(searchDocument('')).toBe('');
    expect(searchDocument('😀')).toBe('f09f9880');
    expect(ftsQuery('안녕')).toBe('"ec9588eb8595"');
    expect(ftsQuery('안')).toBe('"ec9588"*');
  });

  it('match every substring of their text, whatever its ASCII case', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 30 });
    fc.assert(
      fc.property(text, fc.nat(), fc.nat(4), (text, from, extra) => {
        const chars = [...text];
        const start = from % (chars.length + 1);
        const part = chars.slice(start, start + 1 + extra).join('');
        fc.pre(part.length > 0);
        const shouted = part.replace(/[a-z]/g, (c) => c.toUpperCase());
        return matches(searchDocument(text), ftsQuery(lowerAscii(shouted)));
      }),
    );
  });
});
