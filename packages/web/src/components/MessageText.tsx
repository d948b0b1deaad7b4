import { useMemo } from 'react';
import { linkify } from '../lib/linkify';

/**
 * A message's text as React text nodes (never parsed as HTML); http(s) URLs become links that
 * open in a new tab without access to this one.
 */
export function MessageText({ text }: { text: string }) {
  const parts = useMemo(() => linkify(text), [text]);
  return (
    <span className="message-text">
      {parts.map((part, index) =>
        part.kind === 'link' ? (
          <a key={index} href={part.href} target="_blank" rel="noopener noreferrer nofollow">
            {part.text}
          </a>
        ) : (
          <span key={index}>{part.text}</span>
        ),
      )}
    </span>
  );
}
