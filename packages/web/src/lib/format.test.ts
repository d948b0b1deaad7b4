import { describe, expect, it } from 'vitest';
import { formatListTime, initials } from './format';

describe('initials', () => {
  it('takes the first letters of the first two words, or one CJK character', () => {
    expect(initials('Minji Kim')).toBe('MK');
    expect(initials('Seojun & Minji')).toBe('SM');
    expect(initials('김민지')).toBe('김');
    expect(initials('高橋 健太郎')).toBe('高');
    expect(initials('  ')).toBe('?');
  });
});

describe('formatListTime', () => {
  const now = new Date(2026, 10, 21, 15, 0).getTime();
  it('shows the time today, the weekday this week, else the date', () => {
    expect(formatListTime(new Date(2026, 10, 21, 9, 5).getTime(), 'en-US', now)).toBe('9:05 AM');
    expect(formatListTime(new Date(2026, 10, 18, 9, 5).getTime(), 'en-US', now)).toBe('Wed');
    expect(formatListTime(new Date(2026, 10, 18, 9, 5).getTime(), 'ko', now)).toBe('수요일');
    expect(formatListTime(new Date(2026, 10, 18, 9, 5).getTime(), 'ja', now)).toBe('水曜日');
    expect(formatListTime(new Date(2026, 10, 20, 23, 0).getTime(), 'en-US', now)).toBe('Yesterday');
    expect(formatListTime(new Date(2026, 10, 20, 23, 0).getTime(), 'ko', now)).toBe('어제');
    expect(formatListTime(new Date(2026, 10, 20, 23, 0).getTime(), 'ja', now)).toBe('昨日');
    expect(formatListTime(new Date(2026, 10, 14, 9, 0).getTime(), 'en-US', now)).toBe('Nov 14');
    expect(formatListTime(new Date(2026, 2, 3).getTime(), 'en-US', now)).toBe('Mar 3');
    expect(formatListTime(new Date(2025, 2, 3).getTime(), 'ja', now)).toBe('2025/3/3');
  });
});
