/**
 * The one error type of @tokki/e2e. Every refusal — of bytes, of a credential, of a message —
 * is an E2eError with a machine-readable code, so callers branch on the code and never on text,
 * and never see a ts-mls error (the library behind this package could be swapped).
 */
export const E2E_ERROR_CODES = [
  /** Bytes that do not decode as what was expected (not MLS, truncated, wrong wire format). */
  'MALFORMED',
  /** A key package, group or message of another cipher suite than ours. */
  'WRONG_SUITE',
  /** A message of another group than the one processing it. */
  'WRONG_GROUP',
  /** A message or commit of another epoch than the group's current one (not yet, or no longer). */
  'WRONG_EPOCH',
  /** A credential that does not parse, or a device the key directory does not list with that key. */
  'BAD_CREDENTIAL',
  /** A signature key the trust store refuses. */
  'UNTRUSTED_KEY',
  /** A message or commit whose sender is not (or no longer) a member; or a device not in the group. */
  'NOT_MEMBER',
  /** The same message processed twice (its key was already used and deleted). */
  'REPLAY',
  /** A message older than the retention window of past keys: it can no longer be decrypted. */
  'TOO_OLD',
  /** Bytes that decode but fail authentication (a changed byte, a bad signature or tag). */
  'TAMPERED',
  /** A decrypted content that is not a valid SecretContent. */
  'MALFORMED_CONTENT',
  /** A request this package refuses before any cryptography (no key package, too many adds…). */
  'INVALID_REQUEST',
  /** A Welcome that names none of the given key packages. */
  'NO_MATCHING_KEY_PACKAGE',
] as const;

export type E2eErrorCode = (typeof E2E_ERROR_CODES)[number];

export class E2eError extends Error {
  override readonly name = 'E2eError';

  constructor(
    readonly code: E2eErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isE2eError(value: unknown, code?: E2eErrorCode): value is E2eError {
  return value instanceof E2eError && (code === undefined || value.code === code);
}
