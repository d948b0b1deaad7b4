/** A piece of a search result's text: `match` where the query was found. */
export interface HighlightPart {
  text: string;
  match: boolean;
}

/**
 * Splits text around every occurrence of `query`, ignoring case as the server does. The caller
 * renders the parts as React text (matches in `<mark>`), so nothing is ever parsed as HTML.
 */
export function highlight(text: string, query: string): HighlightPart[] {
  const needle = query.trim();
  if (!needle) return [{ text, match: false }];
  // A case-insensitive pattern on the original text keeps the offsets right even where
  // lowercasing would change a string's length.
  const pattern = new RegExp(needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'giu');
  const parts: HighlightPart[] = [];
  let last = 0;
  for (const found of text.matchAll(pattern)) {
    if (found.index > last) parts.push({ text: text.slice(last, found.index), match: false });
    parts.push({ text: found[0], match: true });
    last = found.index + found[0].length;
  }
  if (last < text.length) parts.push({ text: text.slice(last), match: false });
  return parts;
}

/**
 * The part of a long text worth showing in a two-line result: from a few words before the first
 * match, so the match is not cut off by the ellipsis.
 */
export function aroundFirstMatch(parts: HighlightPart[], before = 24): HighlightPart[] {
  const first = parts.findIndex((part) => part.match);
  if (first <= 0) return parts;
  const lead = parts[first - 1]!.text;
  const skipped = parts.slice(0, first - 1).reduce((sum, part) => sum + part.text.length, 0);
  if (skipped + lead.length <= before * 1.5) return parts;
  const chars = [...lead];
  let kept = chars.slice(Math.max(0, chars.length - before)).join('');
  // Start at a word where words are spaced (not in Japanese, which has no spaces).
  const space = kept.search(/\s\S/);
  if (space >= 0 && space < kept.length / 2) kept = kept.slice(space + 1);
  return [{ text: `…${kept}`, match: false }, ...parts.slice(first)];
}
