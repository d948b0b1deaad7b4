import { describe, expect, it } from 'vitest';
import { decodeHtml, parsePreview, PREVIEW_TEXT_MAX } from './parse.js';

const PAGE = 'https://news.example.com/articles/42?ref=chat';
const page = (head: string, body = '<p>Body</p>') =>
  `<!doctype html><html><head>${head}</head><body>${body}</body></html>`;

describe('parsePreview', () => {
  it('reads Open Graph', () => {
    const html = page(`
      <title>Plain title</title>
      <meta property="og:title" content="OG title">
      <meta property="og:description" content="OG description">
      <meta property="og:image" content="https://cdn.example.com/a.png">
      <meta property="og:site_name" content="Example News">
      <meta name="description" content="Plain description">`);
    expect(parsePreview(html, PAGE)).toEqual({
      url: PAGE,
      siteName: 'Example News',
      title: 'OG title',
      description: 'OG description',
      imageUrl: 'https://cdn.example.com/a.png',
    });
  });

  it('falls back to Twitter cards, then <title> and the meta description', () => {
    expect(
      parsePreview(
        page(`<meta name="twitter:title" content="Card"><meta name="twitter:image" content="/c.jpg">
              <title>Plain</title>`),
        PAGE,
      ),
    ).toMatchObject({ title: 'Card', imageUrl: 'https://news.example.com/c.jpg' });
    expect(
      parsePreview(
        page(`<TITLE>  Plain
                title </TITLE><META NAME="Description" CONTENT="About it">`),
        PAGE,
      ),
    ).toEqual({
      url: PAGE,
      siteName: null,
      title: 'Plain title',
      description: 'About it',
      imageUrl: null,
    });
    // og:* given as name= (common) counts too.
    expect(parsePreview(page('<meta name="og:title" content="Named">'), PAGE)?.title).toBe('Named');
  });

  it('decodes entities in text and attributes', () => {
    const html = page(`<title>Tom &amp; Jerry &lt;3 &#xD1A0;&#45180;</title>
      <meta property="og:description" content="&quot;Quoted&quot; &hellip; &eacute;t&eacute;">`);
    expect(parsePreview(html, PAGE)).toMatchObject({
      title: 'Tom & Jerry <3 토끼',
      description: '"Quoted" … été',
    });
  });

  it('resolves relative image URLs against the final URL, or <base>', () => {
    const image = (head: string) => parsePreview(page(`<title>t</title>${head}`), PAGE)?.imageUrl;
    expect(image('<meta property="og:image" content="img/a.png">')).toBe(
      'https://news.example.com/articles/img/a.png',
    );
    expect(image('<meta property="og:image" content="/a.png">')).toBe(
      'https://news.example.com/a.png',
    );
    expect(image('<meta property="og:image" content="//cdn.example.net/a.png">')).toBe(
      'https://cdn.example.net/a.png',
    );
    expect(
      image(
        '<base href="https://static.example.org/x/"><meta property="og:image" content="a.png">',
      ),
    ).toBe('https://static.example.org/x/a.png');
    expect(image('<link rel="image_src" href="/legacy.png">')).toBe(
      'https://news.example.com/legacy.png',
    );
    // Only http(s), never credentials.
    expect(image('<meta property="og:image" content="javascript:alert(1)">')).toBeNull();
    expect(image('<meta property="og:image" content="data:image/png;base64,AAAA">')).toBeNull();
    expect(image('<meta property="og:image" content="https://u:p@example.com/a.png">')).toBeNull();
  });

  it('keeps Korean and Japanese titles intact', () => {
    const html = page(`<meta property="og:title" content="토끼 메신저 — 안녕하세요">
      <meta property="og:description" content="こんにちは、世界。絵文字も🐰">`);
    expect(parsePreview(html, PAGE)).toMatchObject({
      title: '토끼 메신저 — 안녕하세요',
      description: 'こんにちは、世界。絵文字も🐰',
    });
  });

  it('cuts long texts at a code point, and drops control characters', () => {
    const long = '🐰'.repeat(PREVIEW_TEXT_MAX.title + 10);
    const preview = parsePreview(
      page(`<title>${long}</title><meta name="description" content="a\u0000b\u0007c">`),
      PAGE,
    );
    expect(Array.from(preview!.title!)).toHaveLength(PREVIEW_TEXT_MAX.title);
    expect(preview!.title!.endsWith('🐰…')).toBe(true);
    expect(preview!.description).toBe('a b c');
  });

  it('is null without a title or a description, and reads only the head', () => {
    expect(parsePreview(page('<meta property="og:image" content="/a.png">'), PAGE)).toBeNull();
    expect(parsePreview(page('<title>   </title>'), PAGE)).toBeNull();
    expect(parsePreview('', PAGE)).toBeNull();
    expect(parsePreview('not html at all', PAGE)).toBeNull();
    // An <svg><title> in the body is not the page's title.
    expect(parsePreview(page('', '<svg><title>Icon</title></svg>'), PAGE)).toBeNull();
    // Malformed markup does not throw.
    expect(parsePreview('<head><title>Open<meta content="x', PAGE)?.title).toBe(
      'Open<meta content="x',
    );
  });
});

describe('decodeHtml', () => {
  const eucKr = Buffer.from(
    '3c68746d6c3e3c686561643e3c7469746c653ec5e4b3a23c2f7469746c653e3c2f686561643e3c2f68746d6c3e',
    'hex',
  ); // <html><head><title>토끼</title></head></html> in EUC-KR
  const shiftJis = Buffer.concat([
    Buffer.from('<html><head><meta charset="Shift_JIS"><title>'),
    Buffer.from('82b182f182c982bf82cd', 'hex'), // こんにちは
    Buffer.from('</title></head></html>'),
  ]);

  it('takes the charset from the Content-Type header', () => {
    const html = decodeHtml(eucKr, 'text/html; charset=EUC-KR');
    expect(parsePreview(html, 'https://a.example/')?.title).toBe('토끼');
  });

  it('takes it from a <meta> when the header has none', () => {
    expect(parsePreview(decodeHtml(shiftJis, 'text/html'), 'https://a.example/')?.title).toBe(
      'こんにちは',
    );
    const httpEquiv = Buffer.concat([
      Buffer.from('<meta http-equiv="Content-Type" content="text/html; charset=euc-kr">'),
      eucKr,
    ]);
    expect(parsePreview(decodeHtml(httpEquiv, 'text/html'), 'https://a.example/')?.title).toBe(
      '토끼',
    );
  });

  it('prefers a BOM, defaults to UTF-8 and survives unknown charsets', () => {
    const utf8 = Buffer.from('<title>안녕하세요</title>');
    expect(decodeHtml(utf8, 'text/html')).toBe('<title>안녕하세요</title>');
    expect(decodeHtml(utf8, 'text/html; charset=no-such-charset')).toBe(
      '<title>안녕하세요</title>',
    );
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8]);
    expect(decodeHtml(bom, 'text/html; charset=iso-8859-1')).toBe('<title>안녕하세요</title>');
  });
});
