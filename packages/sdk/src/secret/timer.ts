import { SECRET_TIMERS, type SecretTimer } from '@tokki/protocol';

/** How a timer is written (CLI arguments, labels): `off`, `5s`, `1m`, `1h`, `1d`, `1w`. */
const LABELS: Record<SecretTimer, string> = {
  0: 'off',
  5: '5s',
  10: '10s',
  30: '30s',
  60: '1m',
  3600: '1h',
  86_400: '1d',
  604_800: '1w',
};

/**
 * The self-destruct timer a label names, or undefined for anything else.
 *
 * @example parseSecretTimer('30s') // 30
 */
export function parseSecretTimer(label: string): SecretTimer | undefined {
  return SECRET_TIMERS.find((timer) => LABELS[timer] === label);
}

/**
 * A timer's label.
 *
 * @example secretTimerLabel(3600) // '1h'
 */
export function secretTimerLabel(timer: SecretTimer): string {
  return LABELS[timer];
}

/** Every label, in increasing order, for help texts. */
export const SECRET_TIMER_LABELS = SECRET_TIMERS.map((timer) => LABELS[timer]);

/** Whether a number is one of the timers a chat may set. */
export function isSecretTimer(value: unknown): value is SecretTimer {
  return SECRET_TIMERS.some((timer) => timer === value);
}
