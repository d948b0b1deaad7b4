import { CliError } from './output.js';

/**
 * A chat id as the server makes them (`c_` and 16 base-32 letters); never an invite token, which
 * is longer and mixes cases.
 */
const CHAT_ID = /^c_[0-9a-z]{16}$/;

/** Invite tokens are base64url (22 characters today); the protocol takes up to 64. */
const TOKEN = /^[A-Za-z0-9_-]{1,64}$/;

/** `…/join/TOKEN` in a link: the web app's path, or after `#` in a hash-routed link. */
const JOIN_PATH = /(?:^|[/#])join\/([^/?#\s]+)/;

/** A chat by id, or by the token of its invite link. */
export type ChatRef = { chatId: string } | { token: string };

export function isChatId(value: string): boolean {
  return CHAT_ID.test(value);
}

/**
 * The token of an invite link as people paste it: `https://host/join/TOKEN`,
 * `https://host/#/join/TOKEN`, `/join/TOKEN`, or the bare token.
 */
export function inviteToken(value: string): string {
  const text = value.trim();
  const inLink = JOIN_PATH.exec(text)?.[1];
  let token = text;
  if (inLink !== undefined) {
    try {
      token = decodeURIComponent(inLink);
    } catch {
      token = inLink;
    }
  }
  if (!TOKEN.test(token)) {
    throw new CliError(`"${value}" is not an invite link (https://…/join/TOKEN) or its token.`);
  }
  return token;
}

/** A chat id (`c_…`) as it is; anything else as an invite link or token. */
export function chatOrInvite(value: string): ChatRef {
  const text = value.trim();
  return isChatId(text) ? { chatId: text } : { token: inviteToken(text) };
}

/** The path the web app joins by, `/join/TOKEN`: what people share. */
export function invitePath(token: string): string {
  return `/join/${encodeURIComponent(token)}`;
}

/** The full link on the profile's server (the server serves the web app at its root). */
export function inviteUrl(server: string, token: string): string {
  return `${server.replace(/\/+$/, '')}${invitePath(token)}`;
}
