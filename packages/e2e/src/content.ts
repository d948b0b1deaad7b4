import { LIMITS, SECRET_TIMERS, type SecretTimer } from '@tokki/protocol';
import { readJsonObject, writeJson } from './bytes.js';
import { E2eError } from './errors.js';

/**
 * What a secret chat encrypts: a text with the chat's timer when it was sent, or the service line
 * "the timer changed". The timer lives only here, where the server cannot read it (ADR 008).
 * Length is not padded here: the group pads ciphertexts to size buckets (group.ts).
 */
export type SecretContent =
  | { readonly type: 'text'; readonly text: string; readonly timer: SecretTimer }
  | { readonly type: 'timer'; readonly timer: SecretTimer };

export function encodeContent(content: SecretContent): Uint8Array {
  return writeJson(validate(content));
}

/** Strict: unknown types, extra fields, a text too long or a timer we do not offer are refused. */
export function decodeContent(bytes: Uint8Array): SecretContent {
  const value = readJsonObject(bytes);
  if (value === undefined) throw malformed('not a JSON object in UTF-8');
  return validate(value);
}

function validate(value: unknown): SecretContent {
  if (typeof value !== 'object' || value === null) throw malformed('not an object');
  const fields = value as Record<string, unknown>;
  const { type, timer } = fields;
  if (!isTimer(timer)) throw malformed('timer is not one of SECRET_TIMERS');
  if (type === 'text') {
    const { text } = fields;
    if (!hasOnlyKeys(fields, ['type', 'text', 'timer'])) throw malformed('unknown fields');
    if (typeof text !== 'string' || text.length === 0)
      throw malformed('text must be a non-empty string');
    if ([...text].length > LIMITS.MESSAGE_TEXT_MAX) throw malformed('text is too long');
    return { type, text, timer };
  }
  if (type === 'timer') {
    if (!hasOnlyKeys(fields, ['type', 'timer'])) throw malformed('unknown fields');
    return { type, timer };
  }
  throw malformed('unknown content type');
}

const isTimer = (value: unknown): value is SecretTimer =>
  typeof value === 'number' && (SECRET_TIMERS as readonly number[]).includes(value);

const hasOnlyKeys = (value: Record<string, unknown>, keys: readonly string[]): boolean =>
  Object.keys(value).every((key) => keys.includes(key));

const malformed = (reason: string): E2eError =>
  new E2eError('MALFORMED_CONTENT', `secret content: ${reason}`);
