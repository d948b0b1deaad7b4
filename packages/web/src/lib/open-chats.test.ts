import { LIMITS } from '@tokki/protocol';
import { describe, expect, it } from 'vitest';
import { nicknameProblem, parseMemberLimit } from './open-chats';

describe('open chat input', () => {
  it('takes nicknames of 1 to 20 characters as a person counts them, trimmed', () => {
    expect(nicknameProblem('산토끼')).toBeUndefined();
    expect(nicknameProblem('  ')).toBe('blank');
    expect(nicknameProblem('')).toBe('blank');
    expect(nicknameProblem('가'.repeat(LIMITS.NICKNAME_MAX))).toBeUndefined();
    expect(nicknameProblem('가'.repeat(LIMITS.NICKNAME_MAX + 1))).toBe('tooLong');
    // Twenty emoji are twenty characters, though forty UTF-16 units.
    expect(nicknameProblem('🐰'.repeat(LIMITS.NICKNAME_MAX))).toBeUndefined();
    expect(nicknameProblem(`  ${'a'.repeat(LIMITS.NICKNAME_MAX)}  `)).toBeUndefined();
  });

  it('takes member limits from 2 to 3,000, with or without a thousands separator', () => {
    expect(parseMemberLimit('1500')).toBe(1500);
    expect(parseMemberLimit('1,500')).toBe(1500);
    expect(parseMemberLimit(' 2 ')).toBe(2);
    expect(parseMemberLimit('3000')).toBe(3000);
    expect(parseMemberLimit('1')).toBeUndefined();
    expect(parseMemberLimit('3001')).toBeUndefined();
    expect(parseMemberLimit('')).toBeUndefined();
    expect(parseMemberLimit('12.5')).toBeUndefined();
    expect(parseMemberLimit('-5')).toBeUndefined();
    expect(parseMemberLimit('lots')).toBeUndefined();
  });
});
