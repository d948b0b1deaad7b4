import { describe, expect, it } from 'vitest';
import { linkify } from './linkify';

describe('linkify', () => {
  it('turns http(s) URLs into links and leaves the rest as text', () => {
    expect(linkify('see https://tokki.example/a?b=1, or http://x.test.')).toEqual([
      { kind: 'text', text: 'see ' },
      { kind: 'link', text: 'https://tokki.example/a?b=1', href: 'https://tokki.example/a?b=1' },
      { kind: 'text', text: ', or ' },
      { kind: 'link', text: 'http://x.test', href: 'http://x.test/' },
      { kind: 'text', text: '.' },
    ]);
  });

  it('never links other schemes', () => {
    for (const text of [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      '<a href="javascript:alert(1)">x</a>',
      'vbscript:msgbox',
    ]) {
      expect(linkify(text)).toEqual([{ kind: 'text', text }]);
    }
  });

  it('keeps HTML as text', () => {
    expect(linkify('<img src=x onerror=alert(1)>')).toEqual([
      { kind: 'text', text: '<img src=x onerror=alert(1)>' },
    ]);
  });

  it('stops at Korean and Japanese punctuation and keeps balanced brackets', () => {
    expect(linkify('링크: https://a.test/b。').map((p) => p.text)).toEqual([
      '링크: ',
      'https://a.test/b',
      '。',
    ]);
    expect(linkify('https://en.wikipedia.org/wiki/Tokki_(film)')[0]).toMatchObject({
      kind: 'link',
      text: 'https://en.wikipedia.org/wiki/Tokki_(film)',
    });
  });
});
