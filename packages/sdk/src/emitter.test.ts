import { describe, expect, it } from 'vitest';
import { Emitter } from './emitter.js';

describe('Emitter', () => {
  it('calls listeners in order until removed', () => {
    const emitter = new Emitter<{ n: number }>();
    const seen: string[] = [];
    const off = emitter.on('n', (n) => seen.push(`a${n}`));
    emitter.once('n', (n) => seen.push(`b${n}`));
    emitter.emit('n', 1);
    off();
    emitter.emit('n', 2);
    expect(seen).toEqual(['a1', 'b1']);
  });

  it('keeps going when a listener throws, and still surfaces the error', async () => {
    const emitter = new Emitter<{ n: number }>();
    const seen: number[] = [];
    emitter.on('n', () => {
      throw new Error('listener bug');
    });
    emitter.on('n', (n) => seen.push(n));
    const surfaced = new Promise<unknown>((resolve) => process.once('uncaughtException', resolve));
    emitter.emit('n', 1);
    expect(seen).toEqual([1]);
    expect(await surfaced).toEqual(new Error('listener bug'));
  });
});
