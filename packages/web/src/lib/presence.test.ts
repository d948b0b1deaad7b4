import type { Presence } from '@tokki/protocol';
import { createInstance, type TFunction } from 'i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import { en } from '../i18n/locales/en';
import { ja } from '../i18n/locales/ja';
import { ko } from '../i18n/locales/ko';
import { formatTime } from './format';
import { presenceText } from './presence';

const MINUTE = 60_000;
// A Saturday afternoon, local time.
const now = new Date(2026, 10, 21, 15, 0).getTime();
const offline = (ago: number | null): Presence => ({
  userId: 'u',
  state: 'offline',
  lastSeenAt: ago === null ? null : now - ago,
});

const languages = { en, ko, ja };
const t: Record<keyof typeof languages, TFunction> = {} as never;

beforeAll(async () => {
  for (const [lng, messages] of Object.entries(languages)) {
    const i18n = createInstance();
    await i18n.init({ lng, resources: { [lng]: { translation: messages } } });
    t[lng as keyof typeof languages] = i18n.t;
  }
});

describe('presenceText', () => {
  it('says online, or nothing when the person does not let the user know', () => {
    expect(presenceText(t.en, { userId: 'u', state: 'online' }, 'en', now)).toBe('online');
    expect(presenceText(t.ko, { userId: 'u', state: 'online' }, 'ko', now)).toBe('접속 중');
    expect(presenceText(t.ja, { userId: 'u', state: 'online' }, 'ja', now)).toBe('オンライン');
    expect(presenceText(t.en, { userId: 'u', state: 'hidden' }, 'en', now)).toBeUndefined();
    expect(presenceText(t.en, offline(null), 'en', now)).toBeUndefined();
    expect(presenceText(t.en, undefined, 'en', now)).toBeUndefined();
  });

  it('says how long ago, in English', () => {
    expect(presenceText(t.en, offline(20_000), 'en', now)).toBe('last seen just now');
    expect(presenceText(t.en, offline(MINUTE), 'en', now)).toBe('last seen 1 minute ago');
    expect(presenceText(t.en, offline(5 * MINUTE), 'en', now)).toBe('last seen 5 minutes ago');
    expect(presenceText(t.en, offline(2 * 60 * MINUTE), 'en', now)).toBe('last seen 2 hours ago');
    expect(presenceText(t.en, offline(7 * 60 * MINUTE), 'en', now)).toBe(
      'last seen today at 8:00 AM',
    );
    expect(presenceText(t.en, offline(20 * 60 * MINUTE), 'en', now)).toBe(
      'last seen yesterday at 7:00 PM',
    );
    expect(presenceText(t.en, offline(3 * 24 * 60 * MINUTE), 'en', now)).toBe('last seen Wed');
    expect(presenceText(t.en, offline(30 * 24 * 60 * MINUTE), 'en', now)).toBe('last seen Oct 22');
  });

  it('says how long ago, in Korean and Japanese', () => {
    expect(presenceText(t.ko, offline(20_000), 'ko', now)).toBe('방금 전 접속');
    expect(presenceText(t.ko, offline(5 * MINUTE), 'ko', now)).toBe('5분 전 접속');
    expect(presenceText(t.ko, offline(2 * 60 * MINUTE), 'ko', now)).toBe('2시간 전 접속');
    const yesterday = formatTime(now - 20 * 60 * MINUTE, 'ko');
    expect(presenceText(t.ko, offline(20 * 60 * MINUTE), 'ko', now)).toBe(`어제 ${yesterday} 접속`);
    expect(presenceText(t.ja, offline(20_000), 'ja', now)).toBe('たった今オンライン');
    expect(presenceText(t.ja, offline(5 * MINUTE), 'ja', now)).toBe('5 分前にオンライン');
    expect(presenceText(t.ja, offline(7 * 60 * MINUTE), 'ja', now)).toBe('今日 8:00にオンライン');
    expect(presenceText(t.ja, offline(3 * 24 * 60 * MINUTE), 'ja', now)).toBe('水曜日にオンライン');
  });

  it('never says a time in the future (clocks differ)', () => {
    expect(presenceText(t.en, offline(-5 * MINUTE), 'en', now)).toBe('last seen just now');
  });
});
