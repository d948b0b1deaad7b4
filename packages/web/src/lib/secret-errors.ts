import type { TFunction } from 'i18next';

/** Why a secret chat could not start, in words: someone has no device that can join, or else. */
export function secretStartErrorText(t: TFunction, error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'NO_DEVICES' ? t('secret.noDevices') : t('secret.startFailed');
}
