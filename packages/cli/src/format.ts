import type { Friend, Member, OpenChatSettings } from '@tokki/protocol';

/** The name a friend is shown by: the caller's address-book name, else their own. */
export function shownName(friend: Friend): string {
  return friend.contactName ?? friend.user.displayName;
}

/** `Mom (Minji)` when the address-book name differs from the profile name, else the one name. */
export function friendLabel(friend: Friend): string {
  const name = shownName(friend);
  return name === friend.user.displayName ? name : `${name} (${friend.user.displayName})`;
}

/** A wait for people: `45 s`, `12 min`, `23 h 59 min`. */
export function formatDuration(seconds: number): string {
  const total = Math.max(1, Math.ceil(seconds));
  if (total < 60) return `${total} s`;
  const minutes = Math.ceil(total / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
}

/** Local time as `2026-11-21 14:05`. */
export function formatTime(ms: number): string {
  const date = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ` +
    `${two(date.getHours())}:${two(date.getMinutes())}`
  );
}

/** Text on one line, cut to about `width` columns with an ellipsis. */
export function preview(text: string, width: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  let out = '';
  let used = 0;
  for (const char of flat) {
    const w = charWidth(char);
    if (used + w > width - 1) return `${out}…`;
    out += char;
    used += w;
  }
  return out;
}

/** Pads to `width` terminal columns; Hangul, kana and CJK take two. */
export function padEnd(text: string, width: number): string {
  let used = 0;
  for (const char of text) used += charWidth(char);
  return text + ' '.repeat(Math.max(0, width - used));
}

/** Continuation lines of a multi-line message, indented under the first. */
export function indentLines(text: string, indent: string): string {
  return text.replace(/\n/g, `\n${indent}`);
}

function charWidth(char: string): number {
  const code = char.codePointAt(0) ?? 0;
  const wide =
    (code >= 0x1100 && code <= 0x115f) || // Hangul Jamo
    (code >= 0x2e80 && code <= 0xa4cf) || // CJK, kana, Hangul compatibility jamo
    (code >= 0xac00 && code <= 0xd7a3) || // Hangul syllables
    (code >= 0xf900 && code <= 0xfaff) || // CJK compatibility
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) || // fullwidth forms
    (code >= 0xffe0 && code <= 0xffe6) ||
    (code >= 0x1f300 && code <= 0x1faff) || // emoji
    (code >= 0x20000 && code <= 0x3fffd);
  return wide ? 2 : 1;
}

/** `812 B`, `3.4 KB`, `12.0 MB` (powers of 1,024, as file managers count). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** `listed, at most 1,500 members: "About us"`: an open chat's settings on one line. */
export function describeSettings(settings: OpenChatSettings): string {
  const listing = settings.listed ? 'listed' : 'unlisted (joined by link only)';
  const limit = `at most ${settings.memberLimit.toLocaleString('en')} members`;
  const description = settings.description ? `: "${preview(settings.description, 60)}"` : '';
  return `${listing}, ${limit}${description}`;
}

/** A member's role as people say it: an open chat has a host and co-hosts (방장, 부방장). */
export function roleName(role: Member['role'], open: boolean): string {
  if (role === 'member') return 'member';
  if (open) return role === 'owner' ? 'host' : 'co-host';
  return role === 'owner' ? 'owner' : 'admin';
}
