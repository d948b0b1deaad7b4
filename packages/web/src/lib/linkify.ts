/** A piece of message text: plain, or an http(s) link. */
export type TextPart =
  { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string };

// Only http(s): `javascript:`, `data:` and friends never become links.
const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`]+/gi;
// Punctuation that usually ends a sentence rather than a URL.
const TRAILING = /[.,;:!?)\]}'"’”。、，！？）」』]+$/u;

/**
 * Splits message text into plain text and http(s) links. The caller renders both as React text
 * (links as `<a>` with that text), so nothing in a message is ever parsed as HTML.
 */
export function linkify(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    let raw = match[0];
    const trailing = TRAILING.exec(raw);
    // Keep a closing bracket that belongs to the URL, as in Wikipedia links "…_(film)".
    if (trailing && !(trailing[0] === ')' && raw.includes('('))) {
      raw = raw.slice(0, raw.length - trailing[0].length);
    }
    const href = safeHref(raw);
    if (!href) continue;
    const start = match.index;
    if (start > last) parts.push({ kind: 'text', text: text.slice(last, start) });
    parts.push({ kind: 'link', text: raw, href });
    last = start + raw.length;
  }
  if (last < text.length) parts.push({ kind: 'text', text: text.slice(last) });
  return parts;
}

function safeHref(raw: string): string | undefined {
  try {
    const url = new URL(raw);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}
