import type { TFunction } from 'i18next';

/**
 * Why a secret chat could not start or open, in words: someone has no device that can join,
 * another tab has the secret chats, or something else.
 */
export function secretStartErrorText(t: TFunction, error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'NO_DEVICES') return t('secret.noDevices');
  if (code === 'OTHER_TAB') return t('secret.otherTab');
  return t('secret.startFailed');
}
