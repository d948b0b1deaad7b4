import { stripVTControlCharacters } from 'node:util';

/**
 * What other users wrote (names, messages, file names, titles) reaches a terminal through the
 * CLI. A terminal acts on control characters: an escape sequence in a display name could clear
 * the screen, retitle the window, write to the clipboard (OSC 52) or hide text, and bidi
 * overrides reorder what is shown ("Trojan Source"). So every line the CLI prints goes through
 * these functions: escape sequences go whole, a lone carriage return (which would let a line be
 * overwritten) becomes a line feed, tabs and line feeds stay, and every other control goes.
 */

// C0 controls but tab and line feed, DEL, the C1 controls (0x9b is a one-byte CSI), and the bidi
// embeddings, overrides and isolates.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

// What JSON.stringify leaves raw of those: it escapes C0 itself.
const UNSAFE_IN_JSON = /[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** Text for people: without the characters a terminal would act on. */
export function terminalSafe(text: string): string {
  return stripVTControlCharacters(text).replace(/\r\n?/g, '\n').replace(UNSAFE, '');
}

/**
 * A JSON line for scripts: the same value (a parser reads every character back), with the
 * characters a terminal would act on written as `\u` escapes, so that a line shown in a
 * terminal cannot drive it either.
 */
export function terminalSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(
    UNSAFE_IN_JSON,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
