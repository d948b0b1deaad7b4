/** Locale-aware dates and times, initials and avatar colours. */

const DAY = 24 * 60 * 60 * 1000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(lng: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${lng}|${JSON.stringify(options)}`;
  let cached = formatters.get(key);
  if (!cached) {
    cached = new Intl.DateTimeFormat(lng, options);
    formatters.set(key, cached);
  }
  return cached;
}

function startOfDay(time: number): number {
  const date = new Date(time);
  date.setHours(0, 0, 0, 0);
  return date.getTime();
}

/** "오후 3:04" / "3:04 PM" / "15:04". */
export function formatTime(time: number, lng: string): string {
  return formatter(lng, { hour: 'numeric', minute: '2-digit' }).format(time);
}

/**
 * The chat list's time: today the time, then "yesterday", within the last week the weekday,
 * this year the month and day, else the full date.
 */
export function formatListTime(time: number, lng: string, now = Date.now()): string {
  const today = startOfDay(now);
  if (time >= today) return formatTime(time, lng);
  if (time >= startOfDay(today - DAY / 2)) {
    const yesterday = new Intl.RelativeTimeFormat(lng, { numeric: 'auto' }).format(-1, 'day');
    return yesterday.charAt(0).toUpperCase() + yesterday.slice(1);
  }
  if (time >= startOfDay(today - 6 * DAY + DAY / 2)) {
    // "Wed" reads well; a lone "수" or "水" does not: "수요일", "水曜日".
    const weekday = lng.startsWith('en') ? 'short' : 'long';
    return formatter(lng, { weekday }).format(time);
  }
  if (new Date(time).getFullYear() === new Date(now).getFullYear()) {
    return formatter(lng, { month: 'short', day: 'numeric' }).format(time);
  }
  return formatter(lng, { year: 'numeric', month: 'numeric', day: 'numeric' }).format(time);
}

/** The date separator in a chat room: "2026년 11월 21일 토요일". */
export function formatDay(time: number, lng: string): string {
  return formatter(lng, { dateStyle: 'full' }).format(time);
}

/** Devices' "last active": a date and a time. */
export function formatDateTime(time: number, lng: string): string {
  return formatter(lng, { dateStyle: 'medium', timeStyle: 'short' }).format(time);
}

/** A key that is equal for two times on the same local day. */
export function dayKey(time: number): number {
  return startOfDay(time);
}

/** "3분" / "3 minutes" / "3分": how long to wait, for RATE_LIMITED. */
export function formatWait(seconds: number, lng: string): string {
  const unit = seconds >= 3600 ? 'hour' : seconds >= 60 ? 'minute' : 'second';
  const value =
    unit === 'hour'
      ? Math.ceil(seconds / 3600)
      : unit === 'minute'
        ? Math.ceil(seconds / 60)
        : seconds;
  return new Intl.NumberFormat(lng, { style: 'unit', unit, unitDisplay: 'long' }).format(value);
}

/**
 * One or two letters for an avatar: the first letters of the first two words ("Kim Minji" →
 * "KM"), or the first character of a one-word CJK name ("김민지" → "민지" reads oddly, so "김").
 */
export function initials(name: string): string {
  // Words that start with a letter or digit: "Seojun & Minji" → "SM", not "S&".
  const words = name
    .trim()
    .split(/\s+/)
    .filter((word) => /^[\p{L}\p{N}]/u.test(word));
  if (words.length === 0) return '?';
  const first = [...words[0]!][0] ?? '?';
  const isLatin = /^[\p{Script=Latin}\d]/u.test(first);
  if (!isLatin || words.length === 1) return first.toUpperCase();
  const second = [...words[1]!][0] ?? '';
  return (first + second).toUpperCase();
}

/** Avatar backgrounds that keep white initials readable, light and dark. */
const AVATAR_COLORS = [
  '#e2603f',
  '#e07b1f',
  '#b8860b',
  '#3f9e63',
  '#1f9a92',
  '#2f86c8',
  '#4f63d8',
  '#7e55cc',
  '#b84f97',
  '#d04a68',
  '#5f7f2f',
];

/** A stable colour for an id, so a person keeps their colour everywhere. */
export function avatarColor(id: string): string {
  let hash = 2166136261;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 16777619);
  }
  return AVATAR_COLORS[(hash >>> 0) % AVATAR_COLORS.length]!;
}
