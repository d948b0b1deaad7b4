import { LIMITS } from '@tokki/protocol';
import { TokkiError } from '@tokki/sdk';
import type { TFunction } from 'i18next';
import { formatWait } from './format';

const TRANSLATED = new Set([
  'PHONE_INVALID',
  'CODE_INVALID',
  'CODE_EXPIRED',
  'CODE_ATTEMPTS_EXCEEDED',
  'SMS_REJECTED',
  'SMS_UNAVAILABLE',
  'UNAVAILABLE',
  'UNAUTHENTICATED',
  'NOT_MEMBER',
  'NOT_FOUND',
  'FORBIDDEN',
  'GROUP_FULL',
  'INVALID_PARAMS',
  'CONFLICT',
  'PAYLOAD_TOO_LARGE',
]);

/** A failed call, said in the user's language (the server's own message is for developers). */
export function errorText(t: TFunction, error: unknown, lng: string): string {
  if (!(error instanceof TokkiError)) return t('errors.generic');
  if (error.code === 'RATE_LIMITED') {
    return error.retryAfter
      ? t('errors.RATE_LIMITED', { wait: formatWait(error.retryAfter, lng) })
      : t('errors.RATE_LIMITED_soon');
  }
  if (error.code === 'TEXT_TOO_LONG') {
    return t('errors.TEXT_TOO_LONG', { max: LIMITS.MESSAGE_TEXT_MAX.toLocaleString(lng) });
  }
  if (TRANSLATED.has(error.code)) return t(`errors.${error.code}` as 'errors.generic');
  return t('errors.generic');
}

/**
 * A failed `chats.createGroup` or `chats.addMembers`: FORBIDDEN there means someone does not know
 * the caller (no friend of theirs, no chat with them) and must be sent the invite link instead.
 */
export function groupAddErrorText(t: TFunction, error: unknown, lng: string): string {
  if (error instanceof TokkiError && error.code === 'FORBIDDEN') return t('errors.notAddable');
  return errorText(t, error, lng);
}

/**
 * A failed friend request (add, favourite, hide, block): CONFLICT there means the person cannot be
 * added (blocked by this user, or the friend list is full), not "taken".
 */
export function friendErrorText(t: TFunction, error: unknown, lng: string): string {
  if (error instanceof TokkiError && error.code === 'CONFLICT') return t('addFriend.cannotAdd');
  return errorText(t, error, lng);
}

/** The same for an error code kept with a pending message. */
export function errorCodeText(t: TFunction, code: string | undefined, lng: string): string {
  return errorText(t, new TokkiError((code ?? 'INTERNAL') as 'INTERNAL', ''), lng);
}

/**
 * A refused edit or deletion: the app offers these only for messages that allow them, so
 * FORBIDDEN means the 24 hours are over (by the server's clock) and CONFLICT that the message was
 * deleted for everyone meanwhile.
 */
export function messageActionErrorText(
  t: TFunction,
  error: unknown,
  lng: string,
  action: 'edit' | 'deleteForEveryone' | 'deleteForMe' | 'react',
): string {
  if (error instanceof TokkiError) {
    if (error.code === 'FORBIDDEN' && action !== 'deleteForMe') {
      return action === 'edit' ? t('chat.editTooLate') : t('chat.deleteTooLate');
    }
    if (error.code === 'CONFLICT') {
      return action === 'react' ? t('chat.messageGone') : t('chat.alreadyDeleted');
    }
    if (error.code === 'NOT_FOUND') return t('chat.messageGone');
  }
  return errorText(t, error, lng);
}

/**
 * A failed search: TEXT_TOO_LONG is about the query, not a message, and NOT_MEMBER or NOT_FOUND
 * mean the chat searched in is not the user's (any more).
 */
export function searchErrorText(t: TFunction, error: unknown, lng: string): string {
  if (error instanceof TokkiError) {
    if (error.code === 'TEXT_TOO_LONG') {
      return t('search.tooLong', { max: LIMITS.SEARCH_QUERY_MAX.toLocaleString(lng) });
    }
    if (error.code === 'NOT_MEMBER' || error.code === 'NOT_FOUND') return t('chat.notFound');
  }
  return errorText(t, error, lng);
}

/**
 * A refused join of an open chat: FORBIDDEN means the host removed the user (who may not come
 * back), GROUP_FULL that the member limit is reached, NOT_FOUND that the room (or the link) is
 * gone or not listed.
 */
export function openChatErrorText(
  t: TFunction,
  error: unknown,
  lng: string,
  via: 'search' | 'link',
): string {
  if (error instanceof TokkiError) {
    if (error.code === 'FORBIDDEN') return t('openChat.banned');
    if (error.code === 'GROUP_FULL') return t('openChat.full');
    if (error.code === 'NOT_FOUND') {
      return via === 'link' ? t('openChat.linkNotFound') : t('openChat.notFound');
    }
  }
  return errorText(t, error, lng);
}
