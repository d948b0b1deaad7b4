import { parsePhoneNumberWithError, type CountryCode } from 'libphonenumber-js';
import { ApiError } from '../errors.js';

/** Telegram's convention for test numbers: +99966 X YYYY signs in with X repeated five times. */
const TEST_NUMBER = /^\+99966(\d)\d{4}$/;

export interface NormalizedPhone {
  /** E.164, e.g. +821012345678. */
  e164: string;
  /** The fixed code of a test number; only honoured in local mode. */
  testCode?: string;
}

export const DEFAULT_REGION: CountryCode = 'KR';

/**
 * Normalises what a user typed to E.164, by default with Korea as the region of numbers without
 * a country code ("010-1234-5678" → "+821012345678"). Test numbers are recognised only when
 * allowed.
 */
export function normalizePhone(
  input: string,
  allowTestNumbers: boolean,
  region: CountryCode = DEFAULT_REGION,
): NormalizedPhone {
  const compact = input.replace(/[\s().-]/g, '');
  const test = allowTestNumbers ? TEST_NUMBER.exec(compact) : null;
  if (test) return { e164: compact, testCode: test[1]!.repeat(5) };
  try {
    const parsed = parsePhoneNumberWithError(input, region);
    if (parsed.isValid()) return { e164: parsed.number };
  } catch {
    // Falls through to the typed error below.
  }
  throw new ApiError('PHONE_INVALID', 'Not a valid phone number.');
}

/** The country of an E.164 number, for reading that user's address book; Korea if unknown. */
export function regionOf(e164: string): CountryCode {
  try {
    return parsePhoneNumberWithError(e164).country ?? DEFAULT_REGION;
  } catch {
    return DEFAULT_REGION;
  }
}
