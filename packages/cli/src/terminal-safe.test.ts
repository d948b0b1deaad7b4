import { describe, expect, it } from 'vitest';
import { terminalSafe, terminalSafeJson } from './terminal-safe.js';

describe('terminalSafe', () => {
  it('drops escape sequences whole and every other control, keeping tabs and line feeds', () => {
    expect(terminalSafe('a\u001b[2Jb\u001b]0;title\u0007c\u009b31md\u0000e\u007ff')).toBe('abcdef');
    expect(terminalSafe('name\ttab\nline')).toBe('name\ttab\nline');
  });

  it('turns carriage returns into line feeds, so that no line can be overwritten', () => {
    expect(terminalSafe('shown\roverwritten\r\nnext')).toBe('shown\noverwritten\nnext');
  });

  it('drops bidi overrides and isolates, and keeps every script', () => {
    expect(terminalSafe('invoice\u202egpj.exe \u2066x\u2069')).toBe('invoicegpj.exe x');
    expect(terminalSafe('안녕 こんにちは مرحبا 👋')).toBe('안녕 こんにちは مرحبا 👋');
  });
});

describe('terminalSafeJson', () => {
  it('escapes what a terminal would act on, and parses back to the same value', () => {
    const value = { text: 'a\u001b]52;c;x\u0007 \u009b31m \u202e \r\n 토끼' };
    const line = terminalSafeJson(value);
    // eslint-disable-next-line no-control-regex
    expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(JSON.parse(line)).toEqual(value);
  });
});
