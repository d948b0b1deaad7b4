import { describe, expect, it } from 'vitest';
import { aroundFirstMatch, highlight } from './highlight';

describe('highlight', () => {
  it('marks every occurrence, ignoring case', () => {
    expect(highlight('Hello hello HELLO!', 'hello')).toEqual([
      { text: 'Hello', match: true },
      { text: ' ', match: false },
      { text: 'hello', match: true },
      { text: ' ', match: false },
      { text: 'HELLO', match: true },
      { text: '!', match: false },
    ]);
  });

  it('finds Korean and Japanese substrings', () => {
    expect(highlight('안녕하세요', '안녕')).toEqual([
      { text: '안녕', match: true },
      { text: '하세요', match: false },
    ]);
    expect(highlight('はい、こんにちは', 'こんにち')).toEqual([
      { text: 'はい、', match: false },
      { text: 'こんにち', match: true },
      { text: 'は', match: false },
    ]);
  });

  it('treats the query as text, never as a pattern or markup', () => {
    expect(highlight('a.b axb <b>', '.')).toEqual([
      { text: 'a', match: false },
      { text: '.', match: true },
      { text: 'b axb <b>', match: false },
    ]);
    expect(highlight('<img src=x>', '<img')).toEqual([
      { text: '<img', match: true },
      { text: ' src=x>', match: false },
    ]);
  });

  it('leaves text without a match whole', () => {
    expect(highlight('nothing here', 'zzz')).toEqual([{ text: 'nothing here', match: false }]);
  });
});

describe('aroundFirstMatch', () => {
  it('shortens a long lead-in so the match shows, from a word', () => {
    const parts = aroundFirstMatch(highlight(`${'word '.repeat(20)}find me`, 'find'), 12);
    expect(parts[0]).toEqual({ text: '…word word ', match: false });
    expect(parts[1]).toEqual({ text: 'find', match: true });
    const short = highlight('The Quick brown fox', 'fox');
    expect(aroundFirstMatch(short)).toBe(short);
  });
});
