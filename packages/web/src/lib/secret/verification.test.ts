import { describe, expect, it } from 'vitest';
import { safetyNumberGroups } from './verification';

describe('safetyNumberGroups', () => {
  it('cuts 60 digits into 12 groups of 5, in order', () => {
    const number = Array.from({ length: 60 }, (_, i) => String(i % 10)).join('');
    const groups = safetyNumberGroups(number);
    expect(groups).toHaveLength(12);
    expect(groups.every((g) => /^\d{5}$/.test(g))).toBe(true);
    expect(groups.join('')).toBe(number);
    expect(groups[0]).toBe('01234');
  });

  it('does not cut what is not a safety number', () => {
    expect(safetyNumberGroups('12345')).toEqual(['12345']);
    expect(safetyNumberGroups('x'.repeat(60))).toEqual(['x'.repeat(60)]);
  });
});
