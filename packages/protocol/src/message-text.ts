import { Type } from '@sinclair/typebox';
import { LIMITS } from './limits.js';

/**
 * The one length rule for a message's text (a caption too), used by the schema, the server and
 * clients: at most `LIMITS.MESSAGE_TEXT_MAX` characters, counted in code points as people count
 * them ("🐰" is one), not in UTF-16 code units.
 */
export const messageTextLength = (text: string): number => [...text].length;

export const isMessageTextTooLong = (text: string): boolean =>
  messageTextLength(text) > LIMITS.MESSAGE_TEXT_MAX;

/** Said when a text breaks the rule, by the server and in clients' own checks. */
export const MESSAGE_TEXT_TOO_LONG = `Text is limited to ${LIMITS.MESSAGE_TEXT_MAX} characters.`;

/**
 * A message's text in a method's params. A code point is at most two code units, so the schema
 * bounds the code units (JSON Schema's `maxLength` counts those) and the server checks the code
 * points; both answer `TEXT_TOO_LONG` (`errorCode`, read by the server's validator).
 */
export const MessageText = (options: { minLength?: number } = {}) =>
  Type.String({
    ...options,
    maxLength: LIMITS.MESSAGE_TEXT_MAX * 2,
    errorCode: 'TEXT_TOO_LONG',
    description: `At most ${LIMITS.MESSAGE_TEXT_MAX} characters (code points).`,
  });
