import type { Presence } from '@tokki/protocol';
import type { TFunction } from 'i18next';
import { formatListTime, formatTime } from './format';

const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * A 1:1 chat's header line for the other person: "online", "last seen 5 minutes ago", "last
 * seen yesterday at 14:05", "last seen Nov 3"; `undefined` when they do not let the user know
 * (`hidden`), or have never been seen.
 */
export function presenceText(
  t: TFunction,
  presence: Presence | undefined,
  lng: string,
  now = Date.now(),
): string | undefined {
  if (!presence || presence.state === 'hidden') return undefined;
  if (presence.state === 'online') return t('presence.online');
  const at = presence.lastSeenAt;
  if (at === null || at === undefined) return undefined;
  const ago = Math.max(0, now - at);
  if (ago < MINUTE) return t('presence.lastSeenJustNow');
  const relative = new Intl.RelativeTimeFormat(lng, { numeric: 'always' });
  if (ago < HOUR) {
    return t('presence.lastSeen', { when: relative.format(-Math.floor(ago / MINUTE), 'minute') });
  }
  if (ago < 6 * HOUR) {
    return t('presence.lastSeen', { when: relative.format(-Math.floor(ago / HOUR), 'hour') });
  }
  const startOfToday = new Date(now).setHours(0, 0, 0, 0);
  if (at >= startOfToday) return t('presence.lastSeenToday', { time: formatTime(at, lng) });
  if (at >= startOfToday - DAY) {
    return t('presence.lastSeenYesterday', { time: formatTime(at, lng) });
  }
  return t('presence.lastSeen', { when: formatListTime(at, lng, now) });
}

/** How often the header's "last seen" is worked out again while on screen. */
export const PRESENCE_TICK_MS = 30 * 1000;
