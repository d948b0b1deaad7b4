import { describe, expect, it } from 'vitest';
import { LIMITS, SECRET_TIMERS } from '@tokki/protocol';
import { decodeContent, encodeContent, type SecretContent } from './content.js';
import { E2eError } from './errors.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

function refusedWith(decode: () => unknown): string {
  try {
    decode();
  } catch (error) {
    if (error instanceof E2eError) return error.code;
    throw error;
  }
  throw new Error('decoded');
}

describe('secret content codec', () => {
  it('round-trips texts and timer lines with every timer', () => {
    for (const timer of SECRET_TIMERS) {
      const contents: SecretContent[] = [
        { type: 'text', text: 'hello 👋 안녕', timer },
        { type: 'timer', timer },
      ];
      for (const content of contents)
        expect(decodeContent(encodeContent(content))).toEqual(content);
    }
  });

  it('counts the text limit in code points, not UTF-16 units', () => {
    const longest = '😀'.repeat(LIMITS.MESSAGE_TEXT_MAX);
    expect(decodeContent(encodeContent({ type: 'text', text: longest, timer: 0 }))).toEqual({
      type: 'text',
      text: longest,
      timer: 0,
    });
    const tooLong = bytes(JSON.stringify({ type: 'text', text: `${longest}a`, timer: 0 }));
    expect(refusedWith(() => decodeContent(tooLong))).toBe('MALFORMED_CONTENT');
    expect(refusedWith(() => encodeContent({ type: 'text', text: `${longest}a`, timer: 0 }))).toBe(
      'MALFORMED_CONTENT',
    );
  });

  it.each([
    ['an unknown type', '{"type":"photo","timer":0}'],
    ['a timer not offered', '{"type":"text","text":"hi","timer":7}'],
    ['a timer as a string', '{"type":"timer","timer":"5"}'],
    ['no timer', '{"type":"text","text":"hi"}'],
    ['an empty text', '{"type":"text","text":"","timer":0}'],
    ['a text that is not a string', '{"type":"text","text":5,"timer":0}'],
    ['an unknown field', '{"type":"timer","timer":5,"by":"alice"}'],
    ['an array', '[1,2]'],
    ['not JSON', 'hello'],
  ])('refuses %s (MALFORMED_CONTENT)', (_, json) => {
    expect(refusedWith(() => decodeContent(bytes(json)))).toBe('MALFORMED_CONTENT');
  });

  it('refuses bytes that are not UTF-8', () => {
    expect(refusedWith(() => decodeContent(new Uint8Array([0x7b, 0xff, 0x7d])))).toBe(
      'MALFORMED_CONTENT',
    );
  });
});
