import { LIMITS, type LinkPreview } from '@tokki/protocol';
import { Parser } from 'htmlparser2';

/** Longest texts kept, in code points; longer ones are cut with an ellipsis. */
export const PREVIEW_TEXT_MAX = { siteName: 100, title: 300, description: 1000 } as const;

/**
 * The preview of an HTML page: Open Graph first, then Twitter cards, then `<title>` and the meta
 * description. Null when the page has neither a title nor a description.
 */
export function parsePreview(html: string, pageUrl: string): LinkPreview | null {
  const head = readHead(html);
  const first = (...keys: string[]) => keys.map((key) => head.meta.get(key)).find(Boolean);
  const title = clean(first('og:title', 'twitter:title') ?? head.title, PREVIEW_TEXT_MAX.title);
  const description = clean(
    first('og:description', 'twitter:description', 'description'),
    PREVIEW_TEXT_MAX.description,
  );
  if (title === null && description === null) return null;
  const base = absoluteUrl(head.baseHref, pageUrl) ?? pageUrl;
  const image = first(
    'og:image',
    'og:image:url',
    'og:image:secure_url',
    'twitter:image',
    'twitter:image:src',
  );
  return {
    url: pageUrl,
    siteName: clean(first('og:site_name'), PREVIEW_TEXT_MAX.siteName),
    title,
    description,
    imageUrl: absoluteUrl(image?.trim() ?? head.imageSrc, base),
  };
}

interface Head {
  /** First value of each `<meta property|name=… content=…>`, keys in lower case. */
  meta: Map<string, string>;
  title: string | undefined;
  baseHref: string | undefined;
  /** `<link rel="image_src">`, an old fallback for the image. */
  imageSrc: string | undefined;
  /** `<meta charset>` or its http-equiv form. */
  charset: string | undefined;
}

/** Reads the head with a real HTML parser (entities decoded); stops at `</head>` or `<body>`. */
function readHead(html: string): Head {
  const head: Head = {
    meta: new Map(),
    title: undefined,
    baseHref: undefined,
    imageSrc: undefined,
    charset: undefined,
  };
  let done = false;
  let titleText: string | undefined;
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (done) return;
        if (name === 'body') done = true;
        else if (name === 'title' && head.title === undefined) titleText = '';
        else if (name === 'base') head.baseHref ??= attributes.href;
        else if (name === 'link' && /(^|\s)image_src(\s|$)/i.test(attributes.rel ?? ''))
          head.imageSrc ??= attributes.href;
        else if (name === 'meta') {
          const key = (attributes.property ?? attributes.name)?.trim().toLowerCase();
          if (key && attributes.content !== undefined && !head.meta.has(key))
            head.meta.set(key, attributes.content);
          head.charset ??= attributes.charset ?? charsetOf(attributes);
        }
      },
      ontext(text) {
        if (titleText !== undefined) titleText += text;
      },
      onclosetag(name) {
        if (name === 'title' && titleText !== undefined) {
          head.title = titleText;
          titleText = undefined;
        } else if (name === 'head') done = true;
      },
    },
    { decodeEntities: true },
  );
  parser.end(html);
  return head;
}

function charsetOf(attributes: Record<string, string>): string | undefined {
  if (attributes['http-equiv']?.toLowerCase() !== 'content-type') return undefined;
  return charsetParameter(attributes.content ?? '');
}

function charsetParameter(contentType: string): string | undefined {
  return /;\s*charset\s*=\s*["']?([^"';\s]+)/i.exec(contentType)?.[1];
}

/**
 * The page as text: the charset from the BOM, else the Content-Type header, else a `<meta>` in
 * the page (read as Latin-1, which keeps ASCII markup intact), else UTF-8.
 */
export function decodeHtml(body: Buffer, contentType: string): string {
  const label =
    bomCharset(body) ??
    charsetParameter(contentType) ??
    readHead(body.toString('latin1', 0, 4096)).charset ??
    'utf-8';
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(label.trim());
  } catch {
    decoder = new TextDecoder('utf-8');
  }
  return decoder.decode(body);
}

function bomCharset(body: Buffer): string | undefined {
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) return 'utf-8';
  if (body[0] === 0xff && body[1] === 0xfe) return 'utf-16le';
  if (body[0] === 0xfe && body[1] === 0xff) return 'utf-16be';
  return undefined;
}

const CONTROL_CHARACTERS = /\p{Cc}/gu;

/** Whitespace collapsed, control characters dropped, cut to `max` code points; null if empty. */
function clean(text: string | undefined, max: number): string | null {
  if (text === undefined) return null;
  const tidy = text.replace(CONTROL_CHARACTERS, ' ').replace(/\s+/g, ' ').trim();
  if (!tidy) return null;
  const codePoints = Array.from(tidy);
  return codePoints.length <= max
    ? tidy
    : codePoints
        .slice(0, max - 1)
        .join('')
        .trimEnd() + '…';
}

/** An absolute http(s) URL without credentials, or null. */
function absoluteUrl(value: string | undefined, base: string): string | null {
  if (!value?.trim()) return null;
  try {
    const url = new URL(value.trim(), base);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    if (url.username || url.password || url.href.length > LIMITS.LINK_URL_MAX) return null;
    return url.href;
  } catch {
    return null;
  }
}
