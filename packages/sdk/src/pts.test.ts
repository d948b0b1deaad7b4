import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PtsCursor } from './pts.js';

describe('PtsCursor', () => {
  it('accepts each pts once and never moves back', () => {
    const cursor = new PtsCursor(10);
    expect(cursor.advance(10)).toBe(false);
    expect(cursor.advance(12)).toBe(true);
    expect(cursor.advance(11)).toBe(false);
    expect(cursor.advance(12)).toBe(false);
    expect(cursor.value).toBe(12);
  });

  it('accepts anything on a device that never synced', () => {
    const cursor = new PtsCursor();
    expect(cursor.value).toBeUndefined();
    expect(cursor.advance(0)).toBe(true);
  });

  it('turns a stream with replays into each update once, in order', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.nat(), { minLength: 1 }), fc.nat(), (raw, overlap) => {
        const log = raw.sort((a, b) => a - b);
        // A reconnect replays a suffix of what was already delivered, then continues.
        const cut = overlap % log.length;
        const delivered = [...log.slice(0, cut + 1), ...log.slice(cut - (overlap % (cut + 1)))];
        const cursor = new PtsCursor();
        const applied = delivered.filter((pts) => cursor.advance(pts));
        expect(applied).toEqual(log);
      }),
    );
  });

  it('reset moves anywhere (after a reload)', () => {
    const cursor = new PtsCursor(50);
    cursor.reset(20);
    expect(cursor.advance(21)).toBe(true);
  });
});
