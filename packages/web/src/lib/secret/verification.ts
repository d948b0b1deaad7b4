/**
 * A safety number as it is read aloud and compared: 60 digits in 12 groups of 5 (Signal's way).
 * Anything else is shown as it is, in one group, rather than cut.
 *
 * @example safetyNumberGroups('0123401234…') // ['01234', '01234', …]
 */
export function safetyNumberGroups(number: string): string[] {
  if (!/^\d{60}$/.test(number)) return [number];
  return number.match(/\d{5}/g) ?? [number];
}
